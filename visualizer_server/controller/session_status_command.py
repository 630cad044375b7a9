"""Answers ``session_status``: where the session is and what it holds."""

from __future__ import annotations

from typing import Any

from ..model.vo.requests import SessionRequest
from .request_command import RequestCommand


class SessionStatusCommand(RequestCommand):
    def handle(self, request: SessionRequest) -> dict[str, Any]:
        session = self.sessions.owned(request.session_id, request.sid)
        counts = session.counts()
        return {
            **counts,
            "state": session.state,
            "frame_count": session.total_frames,
            "frame_ranges": session.frames_received.ranges(),
            "audio_received_bytes": session.audio_received_bytes,
            "error": session.error,
            "youtube_processing": session.youtube_processing,  # after an upload: watching, then how it went
        }
