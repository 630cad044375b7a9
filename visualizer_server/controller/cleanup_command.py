"""Cleanup: a session that reached a final state has its work stopped, the files it no longer needs
removed, and its client told of a failure. Sent by ``SuperviseSessionCommand``."""

from __future__ import annotations

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.events import SessionChange, SessionFailure
from ..model.vo.lifecycle import State
from .pipeline_command import PipelineCommand


class CleanupCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        change: SessionChange = notification.body
        session = self.sessions.find(change.session_id)
        if session is None:
            return
        # 1. Stop the work first, so nothing writes the files once they are gone.
        self.stop_work(session.id)
        self.videos.discard_partial(session.id)
        # 2. Remove what the final state no longer needs.
        if session.state == State.CANCELLED:
            self.frames.remove_session(session)
            self.videos.remove(session.id)
            self.sessions.forget(session.id)
        else:
            self.remove_spent_spool(session)
            if session.unsaved:  # a full disk held the state back: the spool just freed may be the room it needs
                self.sessions.save_when_room(session)
        # 3. A failure is announced to the client.
        if session.state in (State.FAILED, State.EXPIRED):
            self.send_notification(n.SESSION_FAILED, SessionFailure(session.owner_sid, session.id, session.error or {}))
