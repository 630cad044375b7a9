"""Stops a session's encode and removes everything it left on disk."""

from __future__ import annotations

from typing import Any

from .. import notifications as n
from ..model.vo.upload_messages import SessionRef
from ..model.vo.requests import SessionRequest
from ..model.vo.session import CANCELLED
from .request_command import RequestCommand


class CancelSessionCommand(RequestCommand):
    def handle(self, request: SessionRequest) -> dict[str, Any]:
        session = self.sessions.owned(request.session_id, request.sid)
        # 1. Stop ffmpeg and the upload first, so nothing touches the files once they are gone.
        self.send_notification(n.STOP_ENCODER, SessionRef(session.id))
        self.send_notification(n.STOP_UPLOAD, SessionRef(session.id))
        session.state = CANCELLED
        # 2. Remove spool, partial and finished video; forget the session.
        self.frames.remove_session(session)
        self.videos.remove(session.id)
        self.sessions.forget(session.id)
        self.sessions.report_progress(session, force=True)
        if session.encoder_started:
            self.send_notification(n.ENCODER_RELEASED)
        return {"session_id": session.id, "state": session.state}
