"""Owns the YouTube uploads, one per session, and reports what they do."""

from __future__ import annotations

import logging
from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.upload_messages import UploadJob, UploadResult
from ..settings import Settings
from .components.youtube.youtube_uploader import YouTubeUploader
from .session_workers_mediator import SessionWorkersMediator

log = logging.getLogger(__name__)


class UploadMediator(SessionWorkersMediator):
    """Its view component is the class of its workers."""

    NAME = "UploadMediator"

    def __init__(self, settings: Settings) -> None:
        super().__init__(self.NAME, YouTubeUploader)

    def list_notification_interests(self) -> list[str]:
        return [n.START_UPLOAD, n.STOP_UPLOAD]

    def handle_notification(self, notification: INotification) -> None:
        if notification.name == n.START_UPLOAD:
            self._start(notification.body)
        else:
            self.stop_worker(notification.body.session_id)

    def _start(self, job: UploadJob) -> None:
        def finished(result: UploadResult) -> None:
            self.worker_finished(job.session_id)
            if result.video_id is None:  # the operator's only record of why: the client may be gone
                log.warning("session %s: upload failed (%s): %s", job.session_id, result.error_code, result.error_message)
            self.report(n.UPLOAD_FINISHED, result)

        upload = self.view_component(job, lambda progress: self.report(n.UPLOAD_PROGRESSED, progress), finished)
        self.start_worker(job.session_id, upload)
        log.info("session %s: upload started%s", job.session_id, " (continuing)" if job.resumable_uri else "")
