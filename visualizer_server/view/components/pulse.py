"""A repeatable wake-up for greenlets: ``wait()`` until the next ``fire()``."""

from __future__ import annotations

import eventlet.event


class Pulse:
    """eventlet's Event fires once; this hands waiters a fresh one each time it fires."""

    def __init__(self) -> None:
        self._event = eventlet.event.Event()

    def wait(self) -> None:
        self._event.wait()

    def fire(self) -> None:
        event, self._event = self._event, eventlet.event.Event()
        event.send()
