"""Rebinds a session to the connection that shows its resume token, after a disconnect or a restart.

Resuming starts no work: a live session's encoder and upload already run (or wait) on their own.
"""

from __future__ import annotations

import hmac
from typing import Any

from ..errors import UNAUTHORIZED, UNKNOWN_SESSION, ServiceError
from ..model.vo.lifecycle import RESUME
from ..model.vo.requests import ResumeSessionRequest
from .request_command import RequestCommand


class ResumeSessionCommand(RequestCommand):
    def handle(self, request: ResumeSessionRequest) -> dict[str, Any]:
        session = self.sessions.find(request.session_id)
        if session is None:
            raise ServiceError(UNKNOWN_SESSION, f"there is no session {request.session_id!r} to resume")
        if not hmac.compare_digest(session.resume_token.encode(), request.resume_token.encode()):
            raise ServiceError(UNAUTHORIZED, "the resume token does not match this session")
        session.owner_sid = request.sid
        session.touch()
        self.sessions.transition(session, RESUME)
        return {
            **session.counts(),
            "state": session.state,
            "frames_received": session.frames_received.ranges(),
            "audio_received_bytes": session.audio_received_bytes,
        }
