"""Upload: an uploading session's video goes to YouTube (a saved upload session is continued, not
started again), and once YouTube has it, its processing is watched until YouTube says how it went.
Sent by ``SuperviseSessionCommand``."""

from __future__ import annotations

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.events import SessionChange
from ..model.vo.lifecycle import State
from ..model.vo.processing_messages import ProcessingWatch
from ..model.vo.session import Session
from ..model.vo.upload_messages import UploadJob
from ..model.youtube_credentials_proxy import YouTubeCredentialsProxy
from ..model.youtube_metadata import youtube_metadata
from .pipeline_command import PipelineCommand


class UploadCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        change: SessionChange = notification.body
        session = self.sessions.find(change.session_id)
        if session is None:
            return
        if change.after == State.UPLOADING:
            self._start_upload(session)
        elif change.after == State.DONE:
            self._watch_processing(session)

    @property
    def youtube(self) -> YouTubeCredentialsProxy:
        return self.facade.retrieve_proxy(YouTubeCredentialsProxy.NAME)

    def _start_upload(self, session: Session) -> None:
        video = self.videos.video_path(session.id, session.spec.video_extension)
        session.upload_total_bytes = video.stat().st_size
        settings = self.settings
        job = UploadJob(
            session_id=session.id,
            path=video,
            metadata=youtube_metadata(session),
            credentials=self.youtube.credentials,
            chunk_bytes=settings.youtube_chunk_bytes,
            api_endpoint=settings.youtube_api_endpoint,
            resumable_uri=session.upload_uri,  # a saved upload session is continued, not started again (quota)
            thumbnail_frame=session.spec.video.get("thumbnail_frame"),
            playlist_id=session.spec.video.get("playlist_id"),
        )
        self.send_notification(n.START_UPLOAD, job)

    def _watch_processing(self, session: Session) -> None:
        """Poll YouTube until it says how processing went; the deadline counts from the upload, across restarts."""
        settings = self.settings
        deadline = session.youtube_processing["since"] + settings.youtube_processing_timeout_s
        watch = ProcessingWatch(session.id, session.video_id, self.youtube.credentials, settings.youtube_api_endpoint,
                                deadline, settings.youtube_processing_poll_ms / 1000,
                                settings.youtube_processing_poll_max_ms / 1000)  # fmt: skip
        self.send_notification(n.WATCH_PROCESSING, watch)
