"""Runs on FAIL_SESSION: something broke while working for a session; the session fails, and
entering that state cleans up whatever it held."""

from __future__ import annotations

from puremvc.interfaces import INotification

from ..model.vo.events import SessionFault
from ..model.vo.lifecycle import Event
from .pipeline_command import PipelineCommand


class FailSessionCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        fault: SessionFault = notification.body
        session = self.sessions.find_live(fault.session_id)
        if session is not None:
            self.sessions.transition(session, Event.FAIL, fault.error)
