"""Housekeeping: idle sessions expire, finished videos go after their retention period."""

from __future__ import annotations

import logging
import time

from puremvc.interfaces import INotification

from .. import notifications as n
from ..errors import ServiceError
from ..model.vo.upload_messages import SessionRef
from ..model.vo.session import Session
from .pipeline_command import PipelineCommand

log = logging.getLogger(__name__)

EXPIRED = "expired"


class SweepCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        now = time.time()
        # 1. A session that still waits for its client's frames, and heard nothing for too long, expires.
        for session in self.sessions.live():
            if not session.ended and now - session.last_activity_at > self.settings.idle_timeout_s:
                self._expire(session)
        # 2. Finished sessions (and their videos) are kept for the retention period, then removed.
        for session in list(self.sessions.sessions.values()):
            if session.is_final and now - self._finished_at(session) > self.settings.video_retention_s:
                log.info("session %s: retention period over, removing its video and files", session.id)
                self.videos.remove(session.id)
                self.frames.remove_session(session)
                self.sessions.forget(session.id)

    def _expire(self, session: Session) -> None:
        idle = self.settings.idle_timeout_s
        log.info("session %s: no activity for %d s, expiring it", session.id, idle)
        self.send_notification(n.STOP_ENCODER, SessionRef(session.id))
        message = f"no frames or audio arrived for {idle} s; the session and its files were removed"
        self.sessions.fail(session, ServiceError(EXPIRED, message))
        self.frames.remove_session(session)
        self.sessions.forget(session.id)
        if session.encoder_started:
            self.send_notification(n.ENCODER_RELEASED)

    def _finished_at(self, session: Session) -> float:
        video = self.videos.find(session.id)
        return video.stat().st_mtime if video else session.last_activity_at
