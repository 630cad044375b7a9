"""A cluster node's link to the others: turns what it hears from Redis into notifications, and
publishes this node's requests to let a session go."""

from __future__ import annotations

import logging

from puremvc.interfaces import INotification
from puremvc.patterns.mediator import Mediator

from .. import notifications as n
from ..model.cluster_proxy import ClusterProxy
from ..model.session_proxy import SessionProxy
from ..model.vo.events import LetGoRequest, SessionRef
from ..settings import Settings
from .components.cluster.cluster_link import ClusterLink

log = logging.getLogger(__name__)


class ClusterMediator(Mediator):
    NAME = "ClusterMediator"

    def __init__(self, settings: Settings) -> None:
        super().__init__(self.NAME)  # its link is made on registration: it reads the cluster's proxy

    def on_register(self) -> None:
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        sessions: SessionProxy = self.facade.retrieve_proxy(SessionProxy.NAME)
        self.view_component = ClusterLink(
            cluster.leases,
            owned=lambda: [session.id for session in sessions.held()],
            on_lost=self._let_go,
            on_let_go=self._let_go,
            on_reachability=self._reachability,
        )
        self.view_component.start()

    def on_remove(self) -> None:
        """Shutting down: this node gives its sessions' leases back, so another node takes them in at once."""
        self.view_component.stop()
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        sessions: SessionProxy = self.facade.retrieve_proxy(SessionProxy.NAME)
        for session in sessions.held():
            cluster.give_back(session.id)

    def list_notification_interests(self) -> list[str]:
        return [n.ASK_TO_LET_GO]

    def handle_notification(self, notification: INotification) -> None:
        request: LetGoRequest = notification.body
        self.view_component.ask_to_let_go(request.session_id, request.node)

    def _let_go(self, session_id: str) -> None:
        try:
            self.send_notification(n.LET_GO_OF_SESSION, SessionRef(session_id))
        except Exception:
            log.exception("letting session %s go failed", session_id)

    def _reachability(self, reachable: bool) -> None:
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        cluster.reachable = reachable  # /healthz and /metrics read it; the link has logged the change
