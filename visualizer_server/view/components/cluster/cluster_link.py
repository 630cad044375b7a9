"""A node's background link to the cluster: renews its leases, hears requests to let a session go.

One greenlet renews every lease this node holds, three times per lease period; another
listens on the ``visualizer:let-go`` channel, where a node that takes a session over asks
the holder to let it go at once. While Redis cannot be reached both keep trying with
backoff, say so once in the log, and report it (``on_reachability``): connected clients
keep sending to their node meanwhile, since frames never pass through Redis.
Knows nothing of PureMVC.
"""

from __future__ import annotations

import json
import logging
from typing import Callable, Iterable

import eventlet
import redis

from ....model.session_leases import PREFIX, ClusterUnavailable, SessionLeases

log = logging.getLogger(__name__)

LET_GO_CHANNEL = f"{PREFIX}:let-go"
MAX_BACKOFF_S = 5.0


class ClusterLink:
    def __init__(
        self,
        leases: SessionLeases,
        owned: Callable[[], Iterable[str]],
        on_lost: Callable[[str], None],
        on_let_go: Callable[[str], None],
        on_reachability: Callable[[bool], None],
    ) -> None:
        self.leases = leases
        self._owned = owned
        self._on_lost = on_lost
        self._on_let_go = on_let_go
        self._on_reachability = on_reachability
        self.reachable = True
        self._threads: list[eventlet.greenthread.GreenThread] = []

    def start(self) -> None:
        self._threads = [eventlet.spawn(self._renew_forever), eventlet.spawn(self._listen_forever)]

    def stop(self) -> None:
        for thread in self._threads:
            thread.kill()

    def ask_to_let_go(self, session_id: str, node: str) -> None:
        """Ask ``node`` to stop its work on the session and give its lease back now."""
        try:
            self.leases.client.publish(LET_GO_CHANNEL, json.dumps({"session_id": session_id, "node": node}))
        except redis.RedisError as error:
            raise ClusterUnavailable(str(error)) from None

    def _renew_forever(self) -> None:
        period = self.leases.ttl_ms / 3000
        while True:
            try:
                for session_id in list(self._owned()):
                    if session_id not in self._owned():
                        continue  # let go meanwhile: renewing would take back the lease just given back
                    if not self.leases.renew(session_id):
                        log.warning("session %s: another node holds it now; letting it go", session_id)
                        self._on_lost(session_id)
                self._reached(True)
                eventlet.sleep(period)
            except ClusterUnavailable as error:
                self._reached(False, error)
                eventlet.sleep(min(period, MAX_BACKOFF_S))

    def _listen_forever(self) -> None:
        backoff = 0.5
        while True:
            try:
                pubsub = self.leases.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(LET_GO_CHANNEL)
                backoff = 0.5
                while True:
                    # A short wait, never the socket's timeout: a quiet channel is not a broken one.
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._heard(message)
            except redis.RedisError as error:
                self._reached(False, error)
                eventlet.sleep(backoff)
                backoff = min(MAX_BACKOFF_S, backoff * 2)

    def _heard(self, message: dict) -> None:
        try:
            request = json.loads(message["data"])
        except (ValueError, KeyError, TypeError):
            return
        if request.get("node") == self.leases.node and isinstance(request.get("session_id"), str):
            log.info("session %s: another node asks to take it over", request["session_id"])
            self._on_let_go(request["session_id"])

    def _reached(self, reachable: bool, error: Exception | None = None) -> None:
        if reachable == self.reachable:
            return
        self.reachable = reachable
        if reachable:
            log.warning("Redis is reachable again: takeovers and cross-node events resume")
        else:
            log.error("Redis is unreachable (%s): sessions on this node go on; takeovers wait until it is back",
                      error)
        self._on_reachability(reachable)
