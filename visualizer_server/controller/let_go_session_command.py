"""Another node has taken a session over (or asked to): stop its work here and forget it.

Nothing on disk changes: the session goes on at the other node, from the same folder.
"""

from __future__ import annotations

import logging

from puremvc.interfaces import INotification

from ..model.cluster_proxy import ClusterProxy
from ..model.vo.events import SessionRef
from .pipeline_command import PipelineCommand

log = logging.getLogger(__name__)


class LetGoSessionCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        ref: SessionRef = notification.body
        session = self.sessions.find(ref.session_id)
        if session is not None:
            # 1. Stop the work first: nothing of this node touches the session's files afterwards.
            self.stop_work(session.id)
            self.sessions.forget(session.id)
            log.info("session %s: let go, another node carries it on", session.id)
        # 2. Then the claim, so the other node gets it at once.
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        cluster.give_back(ref.session_id)
