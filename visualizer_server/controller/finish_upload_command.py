"""The upload ended: announce the YouTube video and finish, or fail the session and keep the local video."""

from __future__ import annotations

import time

from puremvc.interfaces import INotification

from .. import notifications as n
from ..errors import UPLOAD_FAILED, ServiceError
from ..model.vo.events import UploadCompleted
from ..model.vo.lifecycle import Event
from ..model.vo.processing_messages import ProcessingStatus
from ..model.vo.upload_messages import UploadResult
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
            error = ServiceError(result.error_code or UPLOAD_FAILED, result.error_message or "the upload failed")
            self.sessions.transition(session, Event.FAIL, error)
            return
        # 2. Done: the owner hears the video id, then the session ends like any other.
        session.video_id = result.video_id
        # Entering done starts the watch.
        session.youtube_processing = {"status": ProcessingStatus.WATCHING, "since": time.time()}
        session.bytes_uploaded = session.upload_total_bytes
        url = WATCH_URL.format(result.video_id)
        self.send_notification(n.UPLOAD_COMPLETED,
                               UploadCompleted(session.owner_sid, session.id, result.video_id, url, result.warnings))
        self.sessions.transition(session, Event.UPLOADED)
