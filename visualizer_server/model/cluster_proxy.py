"""This node's place in a cluster: its name, and the claims it holds on sessions (Redis leases).

Without ``--redis-url`` the node is alone: every claim succeeds at once with fencing number
0, which turns the fence checks off, and nothing touches the network.
"""

from __future__ import annotations

import logging
import math
import time

import eventlet
from puremvc.patterns.proxy import Proxy

from ..errors import CONFLICT, SERVER_BUSY, ServiceError
from .. import notifications as n
from .session_leases import ClusterUnavailable, SessionLeases
from .vo.events import LetGoRequest

log = logging.getLogger(__name__)

TAKEOVER_WAIT_S = 3.0  # how long a resume waits for a live holder to let go
POLL_S = 0.1
ASK_AGAIN_S = 1.0


class ClusterProxy(Proxy):
    NAME = "ClusterProxy"

    def __init__(self, node: str, leases: SessionLeases | None = None) -> None:
        super().__init__(self.NAME, leases)
        self.node = node
        self.reachable = leases is not None
        self._taking: set[str] = set()  # sessions a resume on this node is taking over right now
        self._given_back: dict[str, float] = {}  # session -> when this node gave its lease back

    @property
    def leases(self) -> SessionLeases | None:
        return self.data

    @property
    def enabled(self) -> bool:
        return self.leases is not None

    def claim(self, session_id: str, fence_floor: int) -> int | None:
        """Take a free session (startup, adoption); its fencing number, or None when another node holds it."""
        if self.leases is None:
            return 0
        if session_id in self._taking or self._recently_given_back(session_id):
            # A resume here is taking it (its own claim brings it in), or this node just let it go
            # to a node that is about to claim it: taking it back would undo the move.
            return None
        return self.leases.claim(session_id, fence_floor)

    def claim_new(self, session_id: str) -> int:
        """A session just made here: nobody else can hold it. If Redis is away, the lease is
        written by the next renewal that reaches it."""
        try:
            return self.claim(session_id, 0) or 1
        except ClusterUnavailable:
            return 1

    def take_over(self, session_id: str, fence_floor: int) -> int:
        """Take a live session from whichever node holds it: the holder is asked to let go, and a
        dead one's lease lapses. ``conflict`` if another node is taking it right now,
        ``server_busy`` with ``retry_after_s`` while the holder has not let go yet."""
        leases = self.leases
        try:
            if not leases.mark_taking(session_id):
                raise ServiceError(CONFLICT, "another node is taking this session over right now; resume it there, "
                                             "or try again in a few seconds")  # fmt: skip
            self._taking.add(session_id)
            try:
                return self._wait_for_claim(session_id, fence_floor)
            finally:
                self._taking.discard(session_id)
                leases.unmark_taking(session_id)
        except ClusterUnavailable:
            raise ServiceError(SERVER_BUSY, "the cluster's Redis cannot be reached, so the session cannot move to "
                                            "this node now; try again shortly", retry_after_s=5) from None  # fmt: skip

    def give_back(self, session_id: str) -> None:
        """Give the session's lease back, so another node can claim it at once."""
        if self.leases is None:
            return
        self._given_back[session_id] = time.monotonic()
        try:
            self.leases.give_back(session_id)
        except ClusterUnavailable:
            log.warning("session %s: Redis is away; its lease lapses by itself", session_id)

    def _recently_given_back(self, session_id: str) -> bool:
        """Given back within the last lease period; older ones are forgotten (the session may be
        free again by then, its new holder dead)."""
        horizon = time.monotonic() - self.leases.ttl_ms / 1000
        for given_back, at in list(self._given_back.items()):
            if at < horizon:
                del self._given_back[given_back]
        return session_id in self._given_back

    def _wait_for_claim(self, session_id: str, fence_floor: int) -> int:
        """Claim the session as soon as its holder lets go; the holder is asked again every
        second, since Redis keeps no message for a node that was not listening at that moment."""
        leases = self.leases
        asked_at = 0.0
        deadline = time.monotonic() + TAKEOVER_WAIT_S
        while True:
            fence = leases.claim(session_id, fence_floor)
            if fence is not None:
                return fence
            holder = leases.holder(session_id)
            if holder.node is not None and time.monotonic() - asked_at >= ASK_AGAIN_S:
                log.info("session %s: asking node %s to let it go", session_id, holder.node)
                self.send_notification(n.ASK_TO_LET_GO, LetGoRequest(session_id, holder.node))
                asked_at = time.monotonic()
            if time.monotonic() >= deadline:
                retry = max(0.2, math.ceil(holder.ttl_ms / 100) / 10)  # to a tenth: failover waits no longer than the claim
                raise ServiceError(SERVER_BUSY, f"node {holder.node} still holds this session; it is taken over "
                                                f"when that node lets go or its claim lapses: resume again in "
                                                f"{retry} s", retry_after_s=retry)  # fmt: skip
            eventlet.sleep(POLL_S)
