"""Closes a session's input once every frame and audio byte is stored, and lets the build finish."""

from __future__ import annotations

from typing import Any

from .. import notifications as n
from ..errors import CONFLICT, INCOMPLETE, ServiceError
from ..model.audio_format import HEAD_BYTES, require_audio
from ..model.vo.audio_messages import AudioCheck
from ..model.vo.lifecycle import Event
from ..model.vo.requests import EndSessionRequest
from ..model.vo.session import Session
from .request_command import RequestCommand


class EndSessionCommand(RequestCommand):
    def handle(self, request: EndSessionRequest) -> dict[str, Any]:
        session = self.sessions.owned(request.session_id, request.sid)
        count = request.frame_count
        # 1. The count must agree with what was announced and with what was sent.
        self._check_count(session, count)
        # 2. Nothing may be missing; the answer says exactly what is.
        missing_frames = session.frames_received.missing(count)
        missing_audio = (session.spec.audio_size or 0) - session.audio_received_bytes
        if missing_frames or missing_audio:
            raise ServiceError(
                INCOMPLETE,
                f"{sum(b - a + 1 for a, b in missing_frames)} frame(s) and {missing_audio} audio byte(s) "
                "are missing; send them, then end the session again",
                missing_frames=missing_frames,
                missing_audio_bytes=missing_audio,
            )
        # 3. The audio must be one of the accepted formats that ffmpeg decodes: found now, not after the encode.
        if session.takes_input and session.spec.audio_size:
            self._check_audio(session)
        # 4. Close the input; the encoder finishes by itself (ending twice is harmless).
        if session.takes_input:
            session.touch()  # activity, also when a full disk refuses it: a client asking again keeps its session
            session.frame_count = count
            self.sessions.transition(session, Event.END)
        return {"frame_count": count, "state": session.state}

    def _check_audio(self, session: Session) -> None:
        require_audio(self.frames.audio_head(session, HEAD_BYTES))
        check = AudioCheck(session.id, self.frames.audio_path(session))
        self.send_notification(n.CHECK_AUDIO, check)
        if check.reply.error is not None:
            raise check.reply.error

    @staticmethod
    def _check_count(session: Session, count: int) -> None:
        if session.is_final:
            raise ServiceError(CONFLICT, f"the session is already {session.state}")
        announced = session.total_frames
        if announced is not None and announced != count:
            raise ServiceError(CONFLICT, f"frame_count {count} disagrees with the {announced} announced")
        highest = session.frames_received.highest()
        if highest >= count:
            raise ServiceError(CONFLICT, f"frame_count {count} is too small: frame {highest} was received")
