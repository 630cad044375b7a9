"""Housekeeping: idle sessions expire, finished ones go after their retention, manifests a full disk
held back are written, orphaned folders go."""

from __future__ import annotations

import logging
import time

from puremvc.interfaces import INotification

from .. import notifications as n
from ..errors import EXPIRED, ServiceError
from ..model.cluster_proxy import ClusterProxy
from ..model.vo.lifecycle import Event, State
from ..model.vo.session import Session
from .pipeline_command import PipelineCommand

log = logging.getLogger(__name__)

STARTUP_SWEEP = "startup"  # the body of the sweep that follows the startup's own adoption


class SweepCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        now = time.time()
        # 0. In a cluster, the sessions of a node that died are taken in by the first node to sweep.
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        if cluster.enabled and notification.body != STARTUP_SWEEP:
            self.send_notification(n.ADOPT_SESSIONS)
        # 1. A session that still waits for its client's frames, and heard nothing for too long, expires.
        for session in self.sessions.live():
            if session.state == State.RECEIVING and now - session.last_activity_at > self.settings.idle_timeout_s:
                self._expire(session)
        # 2. Finished sessions (and their videos) are kept for the retention period, then removed.
        for session in list(self.sessions.sessions.values()):
            if session.is_final and now - self._finished_at(session) > self.settings.video_retention_s:
                log.info("session %s: retention period over, removing its video and files", session.id)
                self.videos.remove(session.id)
                self.frames.remove_session(session)
                self.sessions.forget(session.id)
        # 3. A manifest that a full disk kept from being written is written, now that there may be room.
        self.sessions.save_unsaved()
        # 4. A folder with no manifest belongs to no session (a crash mid-create, a cancel racing a write).
        for folder in self.frames.orphans(set(self.sessions.sessions)):
            log.info("removing %s: a session folder without a manifest", folder)
            self.frames.remove_folder(folder)

    def _expire(self, session: Session) -> None:
        idle = self.settings.idle_timeout_s
        log.info("session %s: no activity for %d s, expiring it", session.id, idle)
        message = f"no frames or audio arrived for {idle} s; the session's frames and audio were removed"
        self.sessions.transition(session, Event.EXPIRE, ServiceError(EXPIRED, message))

    def _finished_at(self, session: Session) -> float:
        video = self.videos.find(session.id)
        return video.stat().st_mtime if video else session.last_activity_at
