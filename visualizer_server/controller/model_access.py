"""Typed access to the proxies every pipeline step shares; for commands, and for the tests that drive them."""

from __future__ import annotations

from typing import Any

from ..model.frame_store_proxy import FrameStoreProxy
from ..model.session_proxy import SessionProxy
from ..model.video_store_proxy import VideoStoreProxy
from ..model.vo.audio_messages import AudioStored
from ..model.vo.session import Session


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

    def stored_audio(self, session: Session) -> AudioStored | None:
        """The news for the encoder that every byte of the session's audio is stored; None while
        some are missing, or when it has no audio."""
        size = session.spec.audio_size
        if not size or session.audio_received_bytes < size:
            return None
        return AudioStored(session.id, self.frames.audio_path(session), session.spec.loudness_lufs)
