"""Calls a function every N seconds in a background greenlet, until stopped."""

from __future__ import annotations

import logging
from typing import Callable

import eventlet

log = logging.getLogger(__name__)


class Ticker:
    def __init__(self, interval_s: float, tick: Callable[[], None]) -> None:
        self.interval_s = interval_s
        self.tick = tick
        self._thread: eventlet.greenthread.GreenThread | None = None

    def start(self) -> None:
        self._thread = eventlet.spawn(self._run)

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.kill()

    def _run(self) -> None:
        while True:
            eventlet.sleep(self.interval_s)
            try:
                self.tick()
            except Exception:
                log.exception("a periodic task failed; it runs again in %s s", self.interval_s)
