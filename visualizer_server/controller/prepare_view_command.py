"""Startup, step 2: the mediators, which open the port and own the encoders."""

from __future__ import annotations

import logging

from puremvc.interfaces import INotification
from puremvc.patterns.command import SimpleCommand

from ..model.cluster_proxy import ClusterProxy
from ..model.config_proxy import ConfigProxy
from ..model.session_proxy import SessionProxy
from ..model.video_store_proxy import VideoStoreProxy
from ..settings import Settings
from ..view.components.encoding.ffmpeg_commands import ffmpeg_exe
from ..view.components.encoding.hardware_probe import HardwareProbe
from ..view.components.transport.allowed_origins import AllowedOrigins
from ..view.components.transport.http_routes import HttpRoutes
from ..view.components.transport.rate_limiter import RateLimiter
from ..view.components.transport.socket_server import SocketServer
from ..view.components.transport.transport_limits import TransportLimits
from ..view.components.encoding.video_encoders import HARDWARE_CODECS
from ..view.cluster_mediator import ClusterMediator
from ..view.encoder_mediator import EncoderMediator
from ..view.housekeeping_mediator import HousekeepingMediator
from ..view.metrics_mediator import MetricsMediator
from ..view.processing_mediator import ProcessingMediator
from ..view.socket_mediator import SocketMediator
from ..view.upload_mediator import UploadMediator

log = logging.getLogger(__name__)


class PrepareViewCommand(SimpleCommand):
    def execute(self, notification: INotification) -> None:
        settings: Settings = notification.body
        sessions: SessionProxy = self.facade.retrieve_proxy(SessionProxy.NAME)
        videos: VideoStoreProxy = self.facade.retrieve_proxy(VideoStoreProxy.NAME)
        config: ConfigProxy = self.facade.retrieve_proxy(ConfigProxy.NAME)
        # 1. Find the hardware encoders before any session can ask for an encode.
        self._probe_hardware(config, settings.hardware_encoder)
        # 2. Bind the port now: a busy port fails the start, not the first client.
        metrics = MetricsMediator()
        self.facade.register_mediator(metrics)
        encoders = EncoderMediator(settings.max_concurrent_encodes)

        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)

        def health() -> dict[str, object]:
            redis_state = ("up" if cluster.reachable else "down") if cluster.enabled else "off"
            return {"status": "ok", "node": cluster.node, "sessions": len(sessions.live()),
                    "encoders": encoders.running(), "redis": redis_state,
                    "hardware_encoder": config.hardware_encoder_in_use,
                    "youtube": settings.youtube_token_file is not None}  # fmt: skip

        routes = HttpRoutes(settings.page_dir, health, videos.find, config.accepts_token, metrics.metrics.render,
                            metrics_need_token=not settings.metrics_without_token,
                            allows_origin=AllowedOrigins(settings.cors_origin))  # fmt: skip
        server = SocketServer(routes, settings.cors_origin, settings.transport_max_bytes, settings.connect_timeout_s,
                              TransportLimits.from_settings(settings), settings.redis_url)  # fmt: skip
        metrics.metrics.watch_connections(server.connection_stats)
        host, port = server.listen(settings.host, settings.port)
        if settings.admin_ui:
            server.instrument(settings.admin_username, settings.admin_password, not settings.admin_read_write)
        # 3. Encoders first, so no frame can arrive before there is someone to encode it.
        self.facade.register_mediator(encoders)
        self.facade.register_mediator(UploadMediator())
        self.facade.register_mediator(ProcessingMediator())
        self.facade.register_mediator(HousekeepingMediator(settings.sweep_interval_s))
        if cluster.enabled:
            self.facade.register_mediator(ClusterMediator())
        self.facade.register_mediator(SocketMediator(server, RateLimiter(settings.max_events_per_second)))
        log.info("visualizer-server listening on http://%s:%d%s", host, port,
                 f" as node {cluster.node} of a cluster" if cluster.enabled else "")

    @staticmethod
    def _probe_hardware(config: ConfigProxy, choice: str) -> None:
        """Keep the hardware encoders that open here. One asked for by name that does not open is a warning,
        not a failed start: sessions are still encoded (in software), and /healthz shows it."""
        probe = HardwareProbe(ffmpeg_exe())
        config.hardware_encoders = probe.choose(choice)
        for encoder, reason in probe.refused.items():
            log.debug("hardware encoder %s does not open here: %s", encoder, reason)
        if choice not in ("auto", "off") and not config.hardware_encoders:
            reasons = "; ".join(f"{encoder}: {reason}" for encoder, reason in probe.refused.items())
            log.warning("--hardware-encoder %s does not open on this machine (%s); encoding in software",
                        choice, reasons)
        software = [codec for codec in HARDWARE_CODECS if config.hardware_encoder_for(codec) is None]
        log.info("hardware encoder: %s (--hardware-encoder %s)%s", config.hardware_encoder_in_use, choice,
                 f"; {', '.join(software)} in software" if software else "")
