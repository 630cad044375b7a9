"""Calls a function every N seconds in a background greenlet, until stopped."""

from __future__ import annotations

import logging
from typing import Callable

import eventlet

from .background_task import BackgroundTask

log = logging.getLogger(__name__)


class Ticker(BackgroundTask):
    def __init__(self, interval_s: float, tick: Callable[[], None]) -> None:
        self.interval_s = interval_s
        self.tick = tick

    def _run(self) -> None:
        while True:
            eventlet.sleep(self.interval_s)
            try:
                self.tick()
            except Exception:
                log.exception("a periodic task failed; it runs again in %s s", self.interval_s)
