"""Startup, step 4: uploads whose processing YouTube had not reported when the last run ended are
watched again, by their ``restart`` transition (done -> done), so the work starts where all work
starts (``SuperviseSessionCommand``) and the 30 minutes still count from the upload."""

from __future__ import annotations

from puremvc.interfaces import INotification

from ..model.vo.lifecycle import DONE, RESTART
from .pipeline_command import PipelineCommand


class WatchProcessingAgainCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        for session in list(self.sessions.sessions.values()):
            if session.state == DONE and session.awaits_processing:
                self.sessions.transition(session, RESTART)
