"""Holds the settings the server was started with, for the commands that need them."""

from __future__ import annotations

from puremvc.patterns.proxy import Proxy

from ..settings import Settings


class ConfigProxy(Proxy):
    NAME = "ConfigProxy"

    def __init__(self, settings: Settings) -> None:
        super().__init__(self.NAME, settings)

    @property
    def settings(self) -> Settings:
        return self.data
