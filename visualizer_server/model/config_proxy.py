"""Holds the settings the server was started with, for the commands that need them."""

from __future__ import annotations

import hmac

from puremvc.patterns.proxy import Proxy

from ..settings import Settings


class ConfigProxy(Proxy):
    NAME = "ConfigProxy"

    def __init__(self, settings: Settings) -> None:
        super().__init__(self.NAME, settings)

    @property
    def settings(self) -> Settings:
        return self.data

    def accepts_token(self, token: object) -> bool:
        """True when no token is configured, or ``token`` is one of them (compared in constant time)."""
        if not self.settings.token:
            return True
        if not isinstance(token, str):
            return False
        offered = token.encode()
        return any(hmac.compare_digest(offered, known.encode()) for known in self.settings.token)
