"""A piece of work that runs in its own greenlet until it ends or is stopped."""

from __future__ import annotations

import eventlet


class BackgroundTask:
    _thread: eventlet.greenthread.GreenThread | None = None

    def start(self) -> None:
        self._thread = eventlet.spawn(self._run)

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.kill()

    def _run(self) -> None:
        raise NotImplementedError
