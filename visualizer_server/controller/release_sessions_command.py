"""A connection went away: its sessions stay (nothing is cancelled) and wait to be resumed."""

from __future__ import annotations

from puremvc.interfaces import INotification

from .pipeline_command import PipelineCommand


class ReleaseSessionsCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        sid: str = notification.body
        for session in self.sessions.owned_by(sid):
            session.owner_sid = None
