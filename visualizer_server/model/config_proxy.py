"""Holds the settings the server was started with, and the hardware encoders found at startup, for the
commands that need them."""

from __future__ import annotations

import hmac

from puremvc.patterns.proxy import Proxy

from ..settings import Settings


class ConfigProxy(Proxy):
    NAME = "ConfigProxy"

    def __init__(self, settings: Settings) -> None:
        super().__init__(self.NAME, settings)
        self.hardware_encoders: dict[str, str] = {}  # codec -> encoder that opened here (h264_nvenc, ...)

    @property
    def settings(self) -> Settings:
        return self.data

    def hardware_encoder_for(self, codec: str) -> str | None:
        """The hardware encoder the startup probe found for ``codec``; None: software."""
        return self.hardware_encoders.get(codec)

    @property
    def hardware_encoder_in_use(self) -> str:
        """For /healthz and the log: the hardware encoders in use, or ``none``."""
        return ", ".join(self.hardware_encoders.values()) or "none"

    def accepts_token(self, token: object) -> bool:
        """True when no token is configured, or ``token`` is one of them (compared in constant time)."""
        if not self.settings.token:
            return True
        if not isinstance(token, str):
            return False
        offered = token.encode("utf-8", "surrogatepass")  # a lone surrogate is a wrong token, not a crash
        return any(hmac.compare_digest(offered, known.encode()) for known in self.settings.token)
