"""Typed access to the proxies every pipeline step shares; for commands, and for the tests that drive them."""

from __future__ import annotations

from typing import Any

from ..model.frame_store_proxy import FrameStoreProxy
from ..model.session_proxy import SessionProxy
from ..model.video_store_proxy import VideoStoreProxy


class ModelAccess:
    facade: Any

    @property
    def sessions(self) -> SessionProxy:
        return self.facade.retrieve_proxy(SessionProxy.NAME)

    @property
    def frames(self) -> FrameStoreProxy:
        return self.facade.retrieve_proxy(FrameStoreProxy.NAME)

    @property
    def videos(self) -> VideoStoreProxy:
        return self.facade.retrieve_proxy(VideoStoreProxy.NAME)
