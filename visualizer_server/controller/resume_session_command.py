"""Rebinds a session to the connection that shows its resume token, after a disconnect or a restart."""

from __future__ import annotations

import hmac
from typing import Any

from .. import notifications as n
from ..errors import UNAUTHORIZED, UNKNOWN_SESSION, ServiceError
from ..model.vo.events import BuildStep
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
        if not session.is_final and len(session.frames_received):
            # After a restart the encoder starts again from the spool; otherwise this changes nothing.
            self.send_notification(n.BUILD_VIDEO, BuildStep(session.id))
        return {
            **session.counts(),
            "state": session.state,
            "frames_received": session.frames_received.ranges(),
            "audio_received_bytes": session.audio_received_bytes,
        }
