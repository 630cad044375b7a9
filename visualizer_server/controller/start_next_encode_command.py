"""An encoder slot is free: the session that has waited longest for one gets it."""

from __future__ import annotations

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.events import BuildStep
from .pipeline_command import PipelineCommand


class StartNextEncodeCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        waiting = self.sessions.next_waiting_for_encoder()
        if waiting is not None:
            self.send_notification(n.BUILD_VIDEO, BuildStep(waiting.id))
