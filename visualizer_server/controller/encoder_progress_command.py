"""Records how many frames ffmpeg has encoded and passes it on to the owner (throttled)."""

from __future__ import annotations

from puremvc.interfaces import INotification

from ..model.vo.encoder_messages import EncoderProgress
from .pipeline_command import PipelineCommand


class EncoderProgressCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        progress: EncoderProgress = notification.body
        session = self.sessions.find_live(progress.session_id)
        if session is None:
            return
        session.frames_encoded = progress.frames_encoded
        self.sessions.report_progress(session)
