"""eventlet's HTTP protocol, with a deadline for a request's line and headers."""

from __future__ import annotations

import logging
from typing import Any

import eventlet
import eventlet.wsgi

from .connection_stats import ConnectionStats

log = logging.getLogger(__name__)


class HeadersTimedOut(Exception):
    """Raised in the connection's greenthread when its headers did not arrive in time."""


class HeaderDeadlineProtocol(eventlet.wsgi.HttpProtocol):
    """Closes a connection whose request line and headers take longer than ``timeout_s``.

    eventlet waits forever for a request that never ends its headers (slowloris), and a
    per-read socket timeout does not help: one byte now and then resets it. Here the clock
    starts when the server begins to wait for a request (so on a kept-alive connection it
    is also the idle limit) and stops once the headers are parsed: a request body, a
    long-polling answer and a websocket are not limited by it.
    """

    def __init__(self, conn_state: list, server: Any, timeout_s: float, stats: ConnectionStats) -> None:
        self.timeout_s = timeout_s
        self.stats = stats
        self._deadline: eventlet.Timeout | None = None
        super().__init__(conn_state, server)  # eventlet serves the whole connection from here

    def handle_one_request(self) -> None:
        self._deadline = eventlet.Timeout(self.timeout_s, HeadersTimedOut())
        try:
            super().handle_one_request()
        except HeadersTimedOut:
            self.stats.header_timeouts += 1
            log.debug("closed the connection of %s: no complete request headers within %s s",
                      self.client_address, self.timeout_s)  # fmt: skip
            self.close_connection = True
        finally:
            self._deadline.cancel()

    def parse_request(self) -> bool:
        """Reads the headers (``BaseHTTPRequestHandler``); whatever it decides, the clock stops."""
        try:
            return super().parse_request()
        finally:
            self._deadline.cancel()
