"""The Socket.IO server (python-socketio on eventlet) and the WSGI server that carries it."""

from __future__ import annotations

import functools
import hmac
import logging
import socket
from typing import Any, Callable

import eventlet
import eventlet.wsgi
import socketio

from . import fast_websocket
from .allowed_origins import AllowedOrigins
from .connection_pool import ConnectionPool, raise_open_files_limit
from .connection_stats import ConnectionStats
from .frame_window import FrameWindow
from .hardened_server import HardenedServer
from .header_deadline import HeaderDeadlineProtocol
from .served_hosts import ServedHosts
from .transport_limits import TransportLimits

log = logging.getLogger(__name__)

EventHandler = Callable[[str, Any], Any]


def admin_credentials_match(username: str, password: str, offered: Any) -> bool:
    """Whether the Admin UI's ``auth`` names this user and password; both compared in constant time."""
    if not isinstance(offered, dict):
        return False
    pairs = [(offered.get("username"), username), (offered.get("password"), password)]
    if not all(isinstance(given, str) for given, _ in pairs):
        return False
    # Both comparisons always run: which one failed must not show in the time taken.
    return all([hmac.compare_digest(given.encode("utf-8", "surrogatepass"), known.encode()) for given, known in pairs])


class SocketServer:
    """Listens on one port for Socket.IO and the HTTP routes; knows nothing of PureMVC.

    ``on(event, handler)`` registers ``handler(sid, payload)``; its return value is
    the acknowledgement. Connections are guarded by ``limits`` (``TransportLimits``);
    ``connection_stats`` counts what the guards did.
    """

    def __init__(
        self,
        http_app: Callable,
        cors_origins: tuple[str, ...],
        max_message_bytes: int,
        connect_timeout_s: float,
        limits: TransportLimits,
        redis_url: str | None = None,
        served: ServedHosts | None = None,
    ) -> None:
        """``served``: the host names answered (loopback and none else by default); another ``Host`` gets 421."""
        self.limits = limits
        self.served = served or ServedHosts("127.0.0.1")
        self.connection_stats = ConnectionStats()
        self.sio = HardenedServer(
            connect_timeout_s=connect_timeout_s,
            frame_window=FrameWindow(limits.window, self.connection_stats),
            ping_interval=limits.ping_interval_s,
            ping_timeout=limits.ping_timeout_s,
            async_mode="eventlet",
            # Browser protection, not authentication: the own origin and the configured ones.
            cors_allowed_origins=AllowedOrigins(cors_origins, self.served),
            max_http_buffer_size=max_message_bytes,
            # A cluster: events reach a client on whichever node it is connected to. Frames never
            # go through it (they are acknowledged, not emitted).
            client_manager=socketio.RedisManager(redis_url) if redis_url else None,
            logger=False,
            engineio_logger=False,
        )
        fast_websocket.install(self.sio)
        self.app = self.served.guard(socketio.WSGIApp(self.sio, http_app))
        self._listener: Any = None
        self._server_thread: eventlet.greenthread.GreenThread | None = None

    def on(self, event: str, handler: EventHandler, windowed: bool = False) -> None:
        """``windowed``: the event counts against the connection's window (flow control)."""

        def receive(sid: str, payload: Any = None) -> Any:
            return handler(sid, payload)

        self.sio.on(event, receive)
        if windowed:
            self.sio.windowed_events.add(event)

    def on_connect(self, admit: Callable[[str, Any, str | None], bool]) -> None:
        """``admit(sid, auth, address)`` decides; a refusal reaches the client as ``connect_error`` "unauthorized"."""

        def connect(sid: str, environ: dict, auth: Any = None) -> None:
            if not admit(sid, auth, environ.get("REMOTE_ADDR")):
                raise socketio.exceptions.ConnectionRefusedError("unauthorized")

        self.sio.on("connect", connect)

    def on_disconnect(self, handler: Callable[[str], None]) -> None:
        self.sio.on("disconnect", lambda sid, reason=None: handler(sid))

    def instrument(self, username: str, password: str, read_only: bool) -> None:
        """Serve the official Socket.IO Admin UI on the ``/admin`` namespace; its password compared in
        constant time (python-socketio compares a dict with ``==``)."""
        self.sio.instrument(auth=functools.partial(admin_credentials_match, username, password), read_only=read_only,
                            mode="production")  # fmt: skip

    def emit(self, event: str, data: Any, to: str) -> None:
        """To a client of this node directly (it then arrives while Redis is away, too); through
        the cluster's Redis to a client of another node."""
        local = self.sio.manager.is_connected(to, "/")
        self.sio.emit(event, data, to=to, ignore_queue=local)

    def listen(self, host: str, port: int) -> tuple[str, int]:
        """Bind now (so a port of 0 is resolved and a busy port fails at startup), serve later."""
        raise_open_files_limit(self.limits.max_connections)
        # The kernel's longest accept queue: a burst of connections waits there instead of having its SYNs dropped.
        # Not SO_REUSEPORT (eventlet's default): a second server on a port in use must fail, not share it.
        self._listener = eventlet.listen((host, port), backlog=socket.SOMAXCONN, reuse_port=False)
        bound = self._listener.getsockname()[:2]
        self.served.port = bound[1]
        return bound

    def start(self) -> None:
        """Serve, with the connection caps, the header deadline and a timeout for silent sockets."""
        limits = self.limits
        pool = ConnectionPool(limits.max_connections, limits.max_connections_per_address, self.connection_stats)
        protocol = functools.partial(HeaderDeadlineProtocol, timeout_s=limits.header_timeout_s,
                                     stats=self.connection_stats)  # fmt: skip
        self._server_thread = eventlet.spawn(
            eventlet.wsgi.server, self._listener, self.app, log=log, log_output=False, debug=False,
            custom_pool=pool, protocol=protocol, socket_timeout=limits.silence_s,
        )  # fmt: skip

    def stop(self) -> None:
        """Stop listening and Engine.IO's background tasks (they would keep the process alive).

        Idempotent: a shutdown stops accepting first, and removing the mediator stops again.
        """
        if self._server_thread is None:
            return
        self.sio.shutdown()
        self._server_thread.kill()
        self._server_thread = None
        self._listener.close()
