"""A connection went away: its sessions are detached from it and wait for a resume (nothing is cancelled)."""

from __future__ import annotations

from puremvc.interfaces import INotification

from .pipeline_command import PipelineCommand


class DetachSessionsCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        sid: str = notification.body
        for session in self.sessions.owned_by(sid):
            session.owner_sid = None
