"""Turns Socket.IO events into notifications, and the pipeline's facts into emits."""

from __future__ import annotations

import logging
from typing import Any

from puremvc.interfaces import INotification
from puremvc.patterns.mediator import Mediator

from .. import notifications as n
from ..errors import INTERNAL, LIMIT_EXCEEDED, ServiceError
from ..model.client_addresses_proxy import ClientAddressesProxy
from ..model.config_proxy import ConfigProxy
from ..model.vo.events import ClientEvent
from . import request_parser as parse
from .components.transport.rate_limiter import RateLimiter
from .components.transport.server_paths import scrub_error
from .components.transport.socket_server import SocketServer

log = logging.getLogger(__name__)

# Socket event -> (notification it becomes, parser that checks its payload).
EVENTS: dict[str, tuple[str, parse.Parser]] = {
    "test": (n.ECHO, parse.parse_echo),
    "start_session": (n.START_SESSION, parse.parse_start_session),
    "audio_chunk": (n.RECEIVE_AUDIO, parse.parse_audio_chunk),
    "frame": (n.RECEIVE_FRAME, parse.parse_frame),
    "end_session": (n.END_SESSION, parse.parse_end_session),
    "cancel_session": (n.CANCEL_SESSION, parse.parse_session),
    "session_status": (n.GET_SESSION_STATUS, parse.parse_session),
    "resume_session": (n.RESUME_SESSION, parse.parse_resume_session),
}

# Events that count against a connection's window: past it, the server stops reading the socket.
WINDOWED = {"frame"}

# Notification -> the event it is emitted as, to the connection that owns the session.
EMITS = {
    n.ECHOED: "test",
    n.SESSION_PROGRESSED: "progress",
    n.VIDEO_BUILT: "video_ready",
    n.UPLOAD_COMPLETED: "upload_complete",
    n.YOUTUBE_PROCESSED: "youtube_processed",
    n.SESSION_FAILED: "session_failed",
}


class SocketMediator(Mediator):
    NAME = "SocketMediator"

    def __init__(self, server: SocketServer, limiter: RateLimiter) -> None:
        super().__init__(self.NAME, server)
        self.limiter = limiter

    @property
    def server(self) -> SocketServer:
        return self.view_component

    def on_register(self) -> None:
        for event, (notification, parser) in EVENTS.items():
            self.server.on(event, self._handler(event, notification, parser), windowed=event in WINDOWED)
        self.server.on_connect(self._admit)
        self.server.on_disconnect(self._disconnected)
        self.server.start()

    def _admit(self, sid: str, auth: Any, address: str | None) -> bool:
        config: ConfigProxy = self.facade.retrieve_proxy(ConfigProxy.NAME)
        token = auth.get("token") if isinstance(auth, dict) else None
        admitted = config.accepts_token(token)
        log.info("client %s %s", sid, "connected" if admitted else "refused: no or wrong token")
        if admitted:
            self._addresses.remember(sid, address)
        return admitted

    @property
    def _addresses(self) -> ClientAddressesProxy:
        return self.facade.retrieve_proxy(ClientAddressesProxy.NAME)

    def _disconnected(self, sid: str) -> None:
        log.info("client %s disconnected", sid)
        self.limiter.forget(sid)
        self._addresses.forget(sid)
        self.send_notification(n.CLIENT_DISCONNECTED, sid)

    def on_remove(self) -> None:
        self.server.stop()

    def stop_accepting(self) -> None:
        """First step of a shutdown: no new connections or requests."""
        self.server.stop()

    def _handler(self, event: str, notification: str, parser: parse.Parser):
        def handle(sid: str, payload: Any) -> dict[str, Any]:
            if not self.limiter.allow(sid):
                message = f"more than {self.limiter.rate:g} events a second from this connection; slow down"
                return {"ok": False, "error": ServiceError(LIMIT_EXCEEDED, message).to_dict()}
            try:
                request = parser(sid, payload)
                self.send_notification(notification, request)
                return scrub_error(request.reply.to_ack())
            except ServiceError as error:
                return {"ok": False, "error": error.to_dict()}
            except Exception:
                # Never leak a traceback to a client; the log has it.
                log.exception("event %r from %s failed", event, sid)
                message = "the server failed to handle this request; the error is in its log"
                return {"ok": False, "error": ServiceError(INTERNAL, message).to_dict()}

        return handle

    def list_notification_interests(self) -> list[str]:
        return list(EMITS)

    def handle_notification(self, notification: INotification) -> None:
        body: ClientEvent = notification.body
        if body.owner_sid is not None:
            self.server.emit(EMITS[notification.name], scrub_error(body.payload()), to=body.owner_sid)
