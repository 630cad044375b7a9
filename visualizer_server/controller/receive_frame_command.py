"""Stores one frame in the spool (that is what its acknowledgement promises) and tells the encoder."""

from __future__ import annotations

from typing import Any

from .. import notifications as n
from ..errors import CONFLICT, INVALID_REQUEST, LIMIT_EXCEEDED, TOO_LARGE, ServiceError
from ..model.frame_check import check_frame_off_loop
from ..model.vo.encoder_messages import EncoderCatchUp
from ..model.vo.events import FrameStored
from ..model.vo.lifecycle import State
from ..model.vo.requests import FrameRequest
from ..model.vo.session import Session
from .request_command import RequestCommand


class ReceiveFrameCommand(RequestCommand):
    def handle(self, request: FrameRequest) -> dict[str, Any]:
        # 1. The session must be ours and still taking frames; a resend is harmless.
        session = self.sessions.owned(request.session_id, request.sid)
        session.touch()
        if request.index not in session.frames_received:
            self._check(session, request)
            # 2. Store before acknowledging: an acknowledged frame is on disk.
            self._store(session, request)
            # 3. The encoder takes it from memory if it is next; its own greenlet does the feeding.
            self.send_notification(n.FRAME_STORED, FrameStored(session.id, request.index, len(request.data), request.data))
            self.sessions.report_progress(session)
            # 4. Back-pressure: the ack waits while this session's own encoder is far behind this frame.
            catch_up = EncoderCatchUp(session.id, request.index, 2 * self.settings.window)
            self.send_notification(n.WAIT_FOR_ENCODER, catch_up)
        return {"index": request.index, "frames_received": session.frames_received.ranges()}

    def _store(self, session: Session, request: FrameRequest) -> None:
        path = self.frames.store_frame(session, request.index, request.data)
        if not session.takes_input:
            # The session moved on while a native thread wrote the frame (a cancel removed its
            # folder meanwhile): take back what the write put there.
            if session.state == State.CANCELLED:
                self.frames.remove_session(session)
            else:
                path.unlink(missing_ok=True)
            raise ServiceError(CONFLICT, f"the session became {session.state} while this frame was being stored")
        session.frames_received.add(request.index)

    def _check(self, session: Session, request: FrameRequest) -> None:
        if not session.takes_input:
            raise ServiceError(CONFLICT, f"the session is {session.state} and takes no new frames")
        total = session.total_frames
        if total is not None and request.index >= total:
            raise ServiceError(INVALID_REQUEST, f"'index' must be below the frame_count of {total}")
        if request.index >= self.settings.max_frames_per_session:
            raise ServiceError(LIMIT_EXCEEDED, f"this server takes at most {self.settings.max_frames_per_session} frames")
        limit = session.spec.max_frame_bytes(self.settings.max_frame_bytes)
        if len(request.data) > limit:
            raise ServiceError(TOO_LARGE, f"the frame is {len(request.data)} bytes; this session takes at most {limit}")
        spec = session.spec
        check_frame_off_loop(request.data, spec.format, spec.width, spec.height, request.index)
        self.require_disk(len(request.data))
