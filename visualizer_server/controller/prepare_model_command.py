"""Startup, step 1: the proxies, built from the settings that came with STARTUP."""

from __future__ import annotations

from puremvc.interfaces import INotification
from puremvc.patterns.command import SimpleCommand

from ..model.config_proxy import ConfigProxy
from ..model.frame_store_proxy import FrameStoreProxy
from ..model.session_proxy import SessionProxy
from ..model.video_store_proxy import VideoStoreProxy
from ..model.youtube_credentials_proxy import YouTubeCredentialsProxy
from ..settings import Settings


class PrepareModelCommand(SimpleCommand):
    def execute(self, notification: INotification) -> None:
        settings: Settings = notification.body
        self.facade.register_proxy(ConfigProxy(settings))
        self.facade.register_proxy(SessionProxy(settings.work_dir))
        self.facade.register_proxy(FrameStoreProxy(settings.work_dir))
        self.facade.register_proxy(VideoStoreProxy(settings.output_dir))
        self.facade.register_proxy(YouTubeCredentialsProxy(settings.youtube_token_file, settings.youtube_token_uri))
