"""Turns the passing of time into SWEEP notifications (expiry, retention)."""

from __future__ import annotations

from puremvc.patterns.mediator import Mediator

from .. import notifications as n
from ..settings import Settings
from .components.greenlets import Ticker


class HousekeepingMediator(Mediator):
    NAME = "HousekeepingMediator"

    def __init__(self, settings: Settings) -> None:
        super().__init__(self.NAME, Ticker(settings.sweep_interval_s, lambda: self.send_notification(n.SWEEP)))

    def on_register(self) -> None:
        self.view_component.start()

    def on_remove(self) -> None:
        self.view_component.stop()
