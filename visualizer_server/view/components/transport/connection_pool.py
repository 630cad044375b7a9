"""eventlet.wsgi's pool of connection greenthreads, with caps that refuse instead of queueing."""

from __future__ import annotations

import logging
import resource
from collections import Counter
from typing import Any, Callable

import eventlet
import eventlet.greenpool

from .connection_stats import ConnectionStats
from .throttled_log import ThrottledLog

log = logging.getLogger(__name__)

SPARE_FILES = 256  # listener, spool files, ffmpeg pipes, logs: what the process opens besides connections
REFUSAL = (
    "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 10\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: {length}\r\n\r\n{body}"
)


class ConnectionPool(eventlet.GreenPool):
    """Runs each accepted connection; past a cap, answers 503 and closes it at once.

    ``eventlet.wsgi.server`` calls ``spawn(process_request, [address, socket, state])`` for
    every accepted connection and, with a full pool, waits inside ``spawn``: new connections
    then sit unanswered in the listen backlog (1,076 half-open ones starved ``/healthz``).
    Here the pool's size is ``max_connections``; a connection past it, or past
    ``max_per_address`` from one client address (0: no cap), is refused in its own short
    greenthread, and eventlet's server closes it when that ends. Admitted connections count
    until their greenthread ends, which is when eventlet has closed them.
    """

    def __init__(self, max_connections: int, max_per_address: int, stats: ConnectionStats) -> None:
        super().__init__(max_connections)
        self.max_per_address = max_per_address
        self.stats = stats
        self._open_by_address: Counter[str] = Counter()
        self._refusals = ThrottledLog(log)

    def spawn(self, function: Callable, connection: list, *args: Any) -> eventlet.greenthread.GreenThread:
        host = client_host(connection[0])
        refusal = self._refusal(host)
        if refusal is not None:
            return eventlet.spawn(self._refuse, connection[1], *refusal)
        self._open_by_address[host] += 1
        self.stats.open += 1
        thread = super().spawn(function, connection, *args)
        thread.link(self._closed, host)
        return thread

    def _refusal(self, host: str) -> tuple[str, str, str] | None:
        """(cap, log line, answer to the client) when ``host`` may not open another connection."""
        if self.free() == 0:
            return ("total", f"refused a connection from {host}: {self.size} connections are open "
                    "(--max-connections); raise it if the machine has room, or find who holds them",
                    "The server has too many open connections; try again in a few seconds.\n")  # fmt: skip
        if self.max_per_address and self._open_by_address[host] >= self.max_per_address:
            return ("per_address", f"refused a connection from {host}: it has {self.max_per_address} open "
                    "(--max-connections-per-address); raise it if many clients share that address (a proxy, a NAT)",
                    "Too many open connections from your address; close some and try again.\n")  # fmt: skip
        return None

    def _refuse(self, sock: Any, cap: str, line: str, answer: str) -> None:
        self.stats.refused[cap] += 1
        self._refusals.warning(line)
        try:
            sock.sendall(REFUSAL.format(length=len(answer.encode()), body=answer).encode())
        except OSError:
            pass  # the client is gone already: there is nobody to tell

    def _closed(self, _thread: eventlet.greenthread.GreenThread, host: str) -> None:
        self.stats.open -= 1
        self._open_by_address[host] -= 1
        if not self._open_by_address[host]:
            del self._open_by_address[host]


def client_host(address: Any) -> str:
    """The host part of an accepted connection's address (``(host, port)`` for TCP)."""
    return address[0] if isinstance(address, tuple) else str(address)


def raise_open_files_limit(max_connections: int) -> None:
    """Lift the soft limit of open files to what ``max_connections`` needs, up to the hard limit.

    Past the limit ``accept`` fails and nobody, not even ``/healthz``, gets in.
    """
    needed = max_connections + SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    reachable = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (reachable, hard))
    if reachable < needed:
        log.warning("--max-connections %d needs about %d open files, but the process may open only %d: "
                    "raise the limit (ulimit -n, or LimitNOFILE= in the systemd unit) or lower --max-connections",
                    max_connections, needed, reachable)  # fmt: skip
