"""The upload ended: announce the YouTube video, or fail the session and keep the local video."""

from __future__ import annotations

from puremvc.interfaces import INotification

from .. import notifications as n
from ..errors import ServiceError
from ..model.vo.events import UploadCompleted
from ..model.vo.upload_messages import SessionRef, UploadResult
from ..model.youtube_credentials_proxy import YouTubeCredentialsProxy
from .pipeline_command import PipelineCommand

WATCH_URL = "https://www.youtube.com/watch?v={}"


class FinishUploadCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        result: UploadResult = notification.body
        # 1. The client library may have refreshed the access token on the way: keep it.
        youtube: YouTubeCredentialsProxy = self.facade.retrieve_proxy(YouTubeCredentialsProxy.NAME)
        youtube.save()
        session = self.sessions.find_live(result.session_id)
        if session is None:
            return
        if result.video_id is None:
            self.frames.remove_frames(session)  # the video is built and kept; the frames are not needed
            self.sessions.fail(session, ServiceError(result.error_code or "upload_failed", result.error_message or ""))
            return
        # 2. Done: the owner hears the video id, then the session ends like any other.
        session.video_id = result.video_id
        session.bytes_uploaded = self.videos.video_path(session.id).stat().st_size
        url = WATCH_URL.format(result.video_id)
        self.send_notification(n.UPLOAD_COMPLETED, UploadCompleted(session.owner_sid, session.id, result.video_id, url, result.warnings))
        self.send_notification(n.CLEANUP_SESSION, SessionRef(session.id))
