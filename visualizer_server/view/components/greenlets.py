"""Small greenlet helpers shared by the components: a task with its own greenlet, a task that
ticks every N seconds, and a repeatable wake-up."""

from __future__ import annotations

import logging
from typing import Callable

import eventlet
import eventlet.event

log = logging.getLogger(__name__)


class BackgroundTask:
    """A piece of work that runs in its own greenlet until it ends or is stopped."""

    _thread: eventlet.greenthread.GreenThread | None = None

    def start(self) -> None:
        self._thread = eventlet.spawn(self._run)

    def stop(self) -> None:
        """End its greenlet; called from that greenlet itself (a callback of its own), it ends when the
        call returns to it instead of being killed half-way through the caller's work."""
        if self._thread is not None and self._thread is not eventlet.getcurrent():
            self._thread.kill()

    def _run(self) -> None:
        raise NotImplementedError


class Ticker(BackgroundTask):
    """Calls a function every N seconds in a background greenlet, until stopped."""

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


class Pulse:
    """A repeatable wake-up: eventlet's Event fires once; this hands waiters a fresh one each time it fires."""

    def __init__(self) -> None:
        self._event = eventlet.event.Event()

    def wait(self, timeout_s: float | None = None) -> None:
        """Until the next ``fire``, or at most ``timeout_s``."""
        self._event.wait(timeout_s)

    def fire(self) -> None:
        event, self._event = self._event, eventlet.event.Event()
        event.send()
