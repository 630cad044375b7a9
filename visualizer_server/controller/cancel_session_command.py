"""Cancels a session: entering ``cancelled`` stops its work and removes its files."""

from __future__ import annotations

from typing import Any

from ..model.vo.lifecycle import Event
from ..model.vo.requests import SessionRequest
from .request_command import RequestCommand


class CancelSessionCommand(RequestCommand):
    def handle(self, request: SessionRequest) -> dict[str, Any]:
        session = self.sessions.owned(request.session_id, request.sid)
        self.sessions.transition(session, Event.CANCEL)  # conflict once the session is over
        return {"session_id": session.id, "state": session.state}
