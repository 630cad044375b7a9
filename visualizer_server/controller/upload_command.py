"""After the build: upload the video to YouTube when the session asked for it, else finish."""

from __future__ import annotations

from typing import Any

from puremvc.interfaces import INotification

from .. import notifications as n
from ..errors import ServiceError
from ..model.vo.session import UPLOADING, Session, SessionSpec
from ..model.vo.upload_messages import SessionRef, UploadJob
from ..model.youtube_credentials_proxy import CredentialsError, YouTubeCredentialsProxy
from .pipeline_command import PipelineCommand

MUSIC_CATEGORY = "10"


def youtube_metadata(session: Session) -> dict[str, Any]:
    """``videos.insert``'s snippet and status from the session's ``video`` object."""
    video = session.spec.video
    snippet = {
        "title": video.get("title") or f"Visualizer render {session.id[:8]}",
        "description": video.get("description", ""),
        "categoryId": video.get("category_id", MUSIC_CATEGORY),
    }
    if video.get("tags"):
        snippet["tags"] = video["tags"]
    return {"snippet": snippet, "status": {"privacyStatus": video.get("privacy", "private")}}


class UploadCommand(PipelineCommand):
    """Runs on VIDEO_BUILT, and on UPLOAD_VIDEO when a restart finds an upload under way."""

    def execute(self, notification: INotification) -> None:
        session = self.sessions.find_live(notification.body.session_id)
        if session is None:
            return
        spec: SessionSpec = session.spec
        if not spec.upload:
            self.send_notification(n.CLEANUP_SESSION, SessionRef(session.id))
            return
        # 1. Credentials first: a problem with them is the user's to fix, and the video stays.
        youtube: YouTubeCredentialsProxy = self.facade.retrieve_proxy(YouTubeCredentialsProxy.NAME)
        try:
            credentials = youtube.credentials()
        except CredentialsError as error:
            self.frames.remove_frames(session)
            self.sessions.fail(session, ServiceError("upload_failed", f"{error}; the video is kept"))
            return
        # 2. Uploading: a saved upload session is continued, not started again (quota).
        session.state = UPLOADING
        session.upload_total_bytes = self.videos.video_path(session.id).stat().st_size
        self.sessions.save(session)
        self.sessions.report_progress(session, force=True)
        settings = self.settings
        self.send_notification(
            n.START_UPLOAD,
            UploadJob(
                session_id=session.id,
                path=self.videos.video_path(session.id),
                metadata=youtube_metadata(session),
                credentials=credentials,
                chunk_bytes=settings.youtube_chunk_bytes,
                api_endpoint=settings.youtube_api_endpoint,
                resumable_uri=session.upload_uri,
                thumbnail_frame=spec.video.get("thumbnail_frame"),
                playlist_id=spec.video.get("playlist_id"),
            ),
        )
