"""Fixtures for command tests: a fresh core, real proxies on tmp_path, and a spy mediator."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from puremvc.interfaces import INotification
from puremvc.patterns.facade import Facade
from puremvc.patterns.mediator import Mediator

from visualizer_server.controller.model_access import ModelAccess
from visualizer_server.model.client_addresses_proxy import ClientAddressesProxy
from visualizer_server.model.cluster_proxy import ClusterProxy
from visualizer_server.model.config_proxy import ConfigProxy
from visualizer_server.model.frame_store_proxy import FrameStoreProxy
from visualizer_server.model.session_proxy import SessionProxy
from visualizer_server.model.video_store_proxy import VideoStoreProxy
from visualizer_server.model.vo.session import Session, SessionSpec
from visualizer_server.settings import Settings


class SpyMediator(Mediator):
    """Records the notifications it is interested in, in order."""

    NAME = "SpyMediator"

    def __init__(self, interests: list[str]) -> None:
        super().__init__(self.NAME)
        self.interests = interests
        self.seen: list[tuple[str, Any]] = []

    def list_notification_interests(self) -> list[str]:
        return self.interests

    def handle_notification(self, notification: INotification) -> None:
        self.seen.append((notification.name, notification.body))

    def bodies(self, name: str) -> list[Any]:
        return [body for seen_name, body in self.seen if seen_name == name]


@dataclasses.dataclass
class Core(ModelAccess):
    """A plain PureMVC core with only what a test registers."""

    facade: Facade
    settings: Settings

    @property
    def config(self) -> ConfigProxy:
        return self.facade.retrieve_proxy(ConfigProxy.NAME)

    def command(self, name: str, command: type) -> None:
        self.facade.register_command(name, command)

    def proxies(self) -> None:
        """The cheap, real proxies every pipeline command may read (a node alone: no Redis)."""
        self.facade.register_proxy(ConfigProxy(self.settings))
        self.facade.register_proxy(SessionProxy(self.settings.work_dir))
        self.facade.register_proxy(FrameStoreProxy(self.settings.work_dir))
        self.facade.register_proxy(VideoStoreProxy(self.settings.output_dir))
        self.facade.register_proxy(ClusterProxy("test-node"))
        self.facade.register_proxy(ClientAddressesProxy())

    def spy(self, *interests: str) -> SpyMediator:
        spy = SpyMediator(list(interests))
        self.facade.register_mediator(spy)
        return spy

    def session(self, owner: str = "sid-1", **spec: Any) -> Session:
        values = {"width": 64, "height": 32, "fps": 10, "format": "rgba", "upload": False, **spec}
        return self.sessions.create(SessionSpec(**values), owner)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(work_dir=tmp_path / "work", output_dir=tmp_path / "output")


@pytest.fixture
def core(core_key: str, settings: Settings) -> Core:
    return Core(Facade.get_instance(core_key, Facade), settings)


def rgba(width: int = 64, height: int = 32, value: int = 0) -> bytes:
    return bytes([value]) * (width * height * 4)
