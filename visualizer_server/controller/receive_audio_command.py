"""Appends a chunk of the session's audio file, in order, to the spool."""

from __future__ import annotations

from typing import Any

from .. import notifications as n
from ..errors import CONFLICT, INVALID_REQUEST, ServiceError
from ..model.audio_format import HEAD_BYTES, require_audio
from ..model.vo.requests import AudioChunkRequest
from .request_command import RequestCommand


class ReceiveAudioCommand(RequestCommand):
    def handle(self, request: AudioChunkRequest) -> dict[str, Any]:
        session = self.sessions.owned(request.session_id, request.sid)
        session.touch()
        size = session.spec.audio_size
        if size is None:
            raise ServiceError(CONFLICT, "this session announced no audio; pass audio: {filename, size} to start_session")
        if not session.takes_input:
            raise ServiceError(CONFLICT, f"the session is {session.state} and takes no more audio")
        received = session.audio_received_bytes
        if request.offset > received:
            raise ServiceError(
                CONFLICT,
                f"audio chunk at offset {request.offset} leaves a gap: send from offset {received}",
                received_bytes=received,
            )
        if request.offset + len(request.data) > size:
            raise ServiceError(INVALID_REQUEST, f"the chunk runs past the announced audio size of {size} bytes")
        if request.offset == 0 and len(request.data) >= HEAD_BYTES:
            require_audio(request.data[:HEAD_BYTES])  # the head already tells; the end checks shorter first chunks
        self.require_disk(len(request.data))
        session.audio_received_bytes = self.frames.append_audio(session, request.offset, request.data)
        stored = self.stored_audio(session)
        if stored is not None and received < size:  # this chunk completed it: the encoder prepares it now
            self.send_notification(n.AUDIO_STORED, stored)
        return {"received_bytes": session.audio_received_bytes}
