"""Takes in the sessions in the work folder that no node holds: at startup, and (in a cluster) on
every sweep, so the sessions of a node that died go on without waiting for their clients.

Finished sessions are taken in as they are (to answer their clients and to be swept after their
retention); a live one only once this node has claimed it, and its work then starts again by
the ``restart`` transition: the encode from the spool, the upload from its saved session. An
uploaded video whose processing YouTube has not reported yet is claimed too, and watched again
by its ``restart`` (done -> done): by one node only.
"""

from __future__ import annotations

import logging

from puremvc.interfaces import INotification

from ..model.cluster_proxy import ClusterProxy
from ..model.session_leases import ClusterUnavailable
from ..model.vo.lifecycle import Event
from ..model.vo.session import Session
from .pipeline_command import PipelineCommand

log = logging.getLogger(__name__)


class AdoptSessionsCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        for session_id in self.sessions.stored_ids():
            if self.sessions.find(session_id) is not None:
                continue
            session = self.sessions.load(session_id)
            if session is None:
                continue
            if session.is_final and not session.awaits_processing:
                self.sessions.take_in(session)
                continue
            try:
                fence = cluster.claim(session.id, session.fence)
            except ClusterUnavailable:
                log.warning("Redis is away: the sessions no node holds are taken in once it is back")
                return
            if fence is not None:
                self._adopt(session, fence)

    def _adopt(self, session: Session, fence: int) -> None:
        self.frames.reload(session)
        self.sessions.take_in(session, fence)
        log.info("took in session %s (%s): %d frames, %d audio bytes", session.id, session.state,
                 len(session.frames_received), session.audio_received_bytes)
        self.sessions.transition(session, Event.RESTART)
