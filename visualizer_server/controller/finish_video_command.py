"""Checks what ffmpeg made and publishes it, or fails the session with ffmpeg's own words."""

from __future__ import annotations

from puremvc.interfaces import INotification

from .. import notifications as n
from ..errors import ENCODE_FAILED, ServiceError
from ..model.vo.encoder_messages import EncoderResult
from ..model.vo.events import VideoBuilt
from ..model.vo.session import Session
from .pipeline_command import PipelineCommand


class FinishVideoCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        result: EncoderResult = notification.body
        session = self.sessions.find_live(result.session_id)
        if session is None:
            return
        self._finish(session, result)
        # Whatever the outcome, the encoder slot is free for a waiting session.
        self.send_notification(n.ENCODER_RELEASED)

    def _finish(self, session: Session, result: EncoderResult) -> None:
        session.frames_encoded = result.frames_encoded
        # 1. Any ffmpeg failure, or a frame count that differs from what was received, fails the session.
        problem = self._problem(session, result)
        if problem:
            self.videos.discard_partial(session.id)
            self.sessions.fail(session, ServiceError(ENCODE_FAILED, problem))
            return
        # 2. Only a checked video gets its final name, and only then is it announced.
        path = self.videos.publish(session.id)
        spec = session.spec
        self.send_notification(
            n.VIDEO_BUILT,
            VideoBuilt(
                session.owner_sid,
                session_id=session.id,
                url=f"/videos/{session.id}.mp4",
                bytes=path.stat().st_size,
                frames=result.frames_encoded,
                duration_s=result.frames_encoded / spec.fps,
                width=spec.width,
                height=spec.height,
            ),
        )

    @staticmethod
    def _problem(session: Session, result: EncoderResult) -> str | None:
        if not result.ok:
            last_lines = " | ".join(result.error_lines[-5:]) or "no output"
            return f"ffmpeg failed; the spool is kept. Its last words: {last_lines}"
        if result.frames_encoded != session.total_frames:
            return f"ffmpeg encoded {result.frames_encoded} frames but {session.total_frames} were received"
        return None
