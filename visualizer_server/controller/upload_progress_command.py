"""Records how far the upload is, and its upload session URI so a restart can continue it."""

from __future__ import annotations

from puremvc.interfaces import INotification

from ..model.vo.upload_messages import UploadProgress
from .pipeline_command import PipelineCommand


class UploadProgressCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        progress: UploadProgress = notification.body
        session = self.sessions.find_live(progress.session_id)
        if session is None:
            return
        session.bytes_uploaded = progress.bytes_uploaded
        if progress.resumable_uri and progress.resumable_uri != session.upload_uri:
            session.upload_uri = progress.resumable_uri
            self.sessions.save_when_room(session)  # until saved, a restart starts the upload anew
        self.sessions.report_progress(session)
