"""Stores one frame in the spool (that is what its acknowledgement promises) and advances the build."""

from __future__ import annotations

from typing import Any

from .. import notifications as n
from ..errors import CONFLICT, INVALID_REQUEST, LIMIT_EXCEEDED, TOO_LARGE, ServiceError
from ..model.frame_check import check_frame
from ..model.vo.events import BuildStep, FrameStored
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
            self.frames.store_frame(session, request.index, request.data)
            session.frames_received.add(request.index)
            self.send_notification(n.FRAME_STORED, FrameStored(session.id, request.index, len(request.data)))
            # 3. Hand it to the encoder while it is still in memory, if it is next in order.
            self.send_notification(n.BUILD_VIDEO, BuildStep(session.id, request.index, request.data))
            self.sessions.report_progress(session)
        return {"index": request.index, "frames_received": session.frames_received.ranges()}

    def _check(self, session: Session, request: FrameRequest) -> None:
        if session.is_final or session.ended:
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
        check_frame(request.data, spec.format, spec.width, spec.height)
        self.require_disk(len(request.data))
