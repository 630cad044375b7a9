"""Owns the YouTube uploads, one per session, and reports what they do."""

from __future__ import annotations

import logging
from typing import Callable

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.upload_messages import UploadJob, UploadResult
from .components.youtube.youtube_uploader import YouTubeUploader
from .reporting_mediator import ReportingMediator

log = logging.getLogger(__name__)


class UploadMediator(ReportingMediator):
    """Its view component is the factory that makes an uploader."""

    NAME = "UploadMediator"

    def __init__(self, factory: Callable[..., YouTubeUploader] = YouTubeUploader) -> None:
        super().__init__(self.NAME, factory)
        self.uploads: dict[str, YouTubeUploader] = {}

    def list_notification_interests(self) -> list[str]:
        return [n.START_UPLOAD, n.STOP_UPLOAD]

    def handle_notification(self, notification: INotification) -> None:
        if notification.name == n.START_UPLOAD:
            self._start(notification.body)
        else:
            upload = self.uploads.pop(notification.body.session_id, None)
            if upload is not None:
                upload.stop()

    def on_remove(self) -> None:
        for upload in self.uploads.values():
            upload.stop()
        self.uploads.clear()

    def _start(self, job: UploadJob) -> None:
        def finished(result: UploadResult) -> None:
            self.uploads.pop(job.session_id, None)
            if result.video_id is None:  # the operator's only record of why: the client may be gone
                log.warning("session %s: upload failed (%s): %s", job.session_id, result.error_code, result.error_message)
            self.report(n.UPLOAD_FINISHED, result)

        upload = self.view_component(job, lambda progress: self.report(n.UPLOAD_PROGRESSED, progress), finished)
        self.uploads[job.session_id] = upload
        upload.start()
        log.info("session %s: upload started%s", job.session_id, " (continuing)" if job.resumable_uri else "")
