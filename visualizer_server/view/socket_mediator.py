"""Turns Socket.IO events into notifications, and the pipeline's facts into emits."""

from __future__ import annotations

import logging
from typing import Any

from puremvc.interfaces import INotification
from puremvc.patterns.mediator import Mediator

from .. import notifications as n
from ..errors import INTERNAL, LIMIT_EXCEEDED, ServiceError
from ..model.client_addresses_proxy import ClientAddressesProxy
from ..model.cluster_proxy import ClusterProxy
from ..model.config_proxy import ConfigProxy
from ..model.session_proxy import SessionProxy
from ..model.video_store_proxy import VideoStoreProxy
from ..model.vo.events import ClientEvent
from ..model.youtube_credentials_proxy import YouTubeCredentialsProxy
from ..settings import Settings
from . import request_parser as parse
from .components.transport import HttpRoutes, RateLimiter, SocketServer, TransportLimits
from .components.transport.allowed_origins import AllowedOrigins
from .components.transport.served_hosts import ServedHosts
from .components.transport.server_paths import scrub_error
from .encoder_mediator import EncoderMediator
from .metrics_mediator import MetricsMediator

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
    """Its component is the Socket.IO server with the HTTP routes beside it. The port is bound when
    the mediator is made (a busy port fails the start, not the first client), and served once it
    is registered, last of all mediators, so no request arrives before there is someone to do it."""

    NAME = "SocketMediator"

    def __init__(self, settings: Settings) -> None:
        served = ServedHosts.from_settings(settings)
        # The SDK (/sdk/) is served with CORS to the origins that may open a Socket.IO connection.
        routes = HttpRoutes(settings.page_dir, self._health, self._find_video, self._accepts_token, self._metrics,
                            metrics_need_token=not settings.metrics_without_token,
                            allows_origin=AllowedOrigins(settings.cors_origin, served))  # fmt: skip
        server = SocketServer(routes, settings.cors_origin, settings.transport_max_bytes, settings.connect_timeout_s,
                              TransportLimits.from_settings(settings), settings.redis_url, served)  # fmt: skip
        self.address = server.listen(settings.host, settings.port)
        if settings.admin_ui:
            server.instrument(settings.admin_username, settings.admin_password, not settings.admin_read_write)
        super().__init__(self.NAME, server)
        self.limiter = RateLimiter(settings.max_events_per_second)

    @property
    def server(self) -> SocketServer:
        return self.view_component

    def on_register(self) -> None:
        self._metrics_mediator.metrics.watch_connections(self.server.connection_stats)
        for event, (notification, parser) in EVENTS.items():
            self.server.on(event, self._handler(event, notification, parser), windowed=event in WINDOWED)
        self.server.on_connect(self._admit)
        self.server.on_disconnect(self._disconnected)
        self.server.start()
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        log.info("visualizer-server listening on http://%s:%d%s", *self.address,
                 f" as node {cluster.node} of a cluster" if cluster.enabled else "")

    @property
    def _metrics_mediator(self) -> MetricsMediator:
        return self.facade.retrieve_mediator(MetricsMediator.NAME)

    def _health(self) -> dict[str, object]:
        sessions: SessionProxy = self.facade.retrieve_proxy(SessionProxy.NAME)
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        config: ConfigProxy = self.facade.retrieve_proxy(ConfigProxy.NAME)
        encoders: EncoderMediator = self.facade.retrieve_mediator(EncoderMediator.NAME)
        youtube: YouTubeCredentialsProxy = self.facade.retrieve_proxy(YouTubeCredentialsProxy.NAME)
        redis_state = ("up" if cluster.reachable else "down") if cluster.enabled else "off"
        # youtube: whether upload may be asked for; the page turns its upload controls off without it.
        return {"status": "ok", "node": cluster.node, "sessions": len(sessions.live()), "encoders": encoders.running(),
                "redis": redis_state, "hardware_encoder": config.hardware_encoder_in_use,
                "youtube": youtube.configured}  # fmt: skip

    def _find_video(self, session_id: str, extension: str):
        videos: VideoStoreProxy = self.facade.retrieve_proxy(VideoStoreProxy.NAME)
        return videos.find(session_id, extension)

    def _accepts_token(self, token: str | None) -> bool:
        config: ConfigProxy = self.facade.retrieve_proxy(ConfigProxy.NAME)
        return config.accepts_token(token)

    def _metrics(self) -> bytes:
        return self._metrics_mediator.metrics.render()

    def _admit(self, sid: str, auth: Any, address: str | None) -> bool:
        token = auth.get("token") if isinstance(auth, dict) else None
        admitted = self._accepts_token(token)
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
                return scrub_error({"ok": False, "error": error.to_dict()})
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
