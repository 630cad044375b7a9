"""Startup, step 1: the proxies, built from the settings that came with STARTUP."""

from __future__ import annotations

from puremvc.interfaces import INotification
from puremvc.patterns.command import SimpleCommand

import redis

from ..model.client_addresses_proxy import ClientAddressesProxy
from ..model.cluster_proxy import ClusterProxy
from ..model.config_proxy import ConfigProxy
from ..model.frame_store_proxy import FrameStoreProxy
from ..model.session_leases import SessionLeases
from ..model.session_proxy import SessionProxy
from ..model.video_store_proxy import VideoStoreProxy
from ..model.youtube_credentials_proxy import YouTubeCredentialsProxy
from ..settings import Settings

REDIS_TIMEOUT_S = 2.0


class PrepareModelCommand(SimpleCommand):
    def execute(self, notification: INotification) -> None:
        settings: Settings = notification.body
        self.facade.register_proxy(ConfigProxy(settings))
        self.facade.register_proxy(ClientAddressesProxy())
        self.facade.register_proxy(SessionProxy(settings.work_dir))
        self.facade.register_proxy(FrameStoreProxy(settings.work_dir))
        self.facade.register_proxy(VideoStoreProxy(settings.output_dir))
        self.facade.register_proxy(YouTubeCredentialsProxy(settings.youtube_token_file, settings.youtube_token_uri))
        self.facade.register_proxy(ClusterProxy(settings.node, self._leases(settings)))

    @staticmethod
    def _leases(settings: Settings) -> SessionLeases | None:
        """Session leases in the cluster's Redis; none when the server runs alone. Nothing is
        sent to Redis yet: a node starts while Redis is away, and waits for it where it must."""
        if settings.redis_url is None:
            return None
        client = redis.Redis.from_url(settings.redis_url, socket_timeout=REDIS_TIMEOUT_S,
                                      socket_connect_timeout=REDIS_TIMEOUT_S)  # fmt: skip
        return SessionLeases(client, settings.node, settings.lease_ttl_s * 1000)
