"""Cleanup: a session that reached a final state has its work stopped, the files it no longer needs
removed, and its client told of a failure. Sent by ``SuperviseSessionCommand``."""

from __future__ import annotations

from puremvc.interfaces import INotification

from .. import notifications as n
from ..errors import UPLOAD_FAILED, UPLOAD_QUOTA
from ..model.vo.events import SessionChange, SessionFailure
from ..model.vo.lifecycle import State
from ..model.vo.session import Session
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
        elif session.state in (State.DONE, State.EXPIRED) or self._upload_failed(session):
            self.frames.remove_frames(session)  # the video (when built) and the manifest stay for the retention
        # (an encode that failed keeps its spool, for a look at what went wrong, until the retention ends)
        # 3. A failure is announced to the client.
        if session.state in (State.FAILED, State.EXPIRED):
            self.send_notification(n.SESSION_FAILED, SessionFailure(session.owner_sid, session.id, session.error or {}))

    @staticmethod
    def _upload_failed(session: Session) -> bool:
        return session.state == State.FAILED and (session.error or {}).get("code") in (UPLOAD_FAILED, UPLOAD_QUOTA)
