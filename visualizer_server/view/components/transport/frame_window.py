"""How many flow-controlled events each connection has in progress, and a wait for room."""

from __future__ import annotations

import threading

from .connection_stats import ConnectionStats


class FrameWindow:
    """At most ``size`` events in progress per connection; the reader waits for room.

    The count goes up in the greenlet that reads the connection (synchronously, before the
    event's handler is even spawned) and down when the handler has queued its ack. The
    reader that finds the window full stops until an ack goes out: it stops reading its
    socket, so the client is slowed by TCP instead of being buffered by the server.
    Under eventlet's monkey patching the condition is a green one.
    """

    def __init__(self, size: int, stats: ConnectionStats) -> None:
        self.size = size
        self.stats = stats
        self._in_progress: dict[str, int] = {}
        self._changed = threading.Condition()

    def in_progress(self, key: str) -> int:
        return self._in_progress.get(key, 0)

    def wait_for_room(self, key: str) -> None:
        """Block until ``key`` has fewer than ``size`` events in progress."""
        with self._changed:
            if self.in_progress(key) < self.size:
                return
            self.stats.window_pauses += 1
            self._changed.wait_for(lambda: self.in_progress(key) < self.size)

    def enter(self, key: str) -> None:
        with self._changed:
            self._in_progress[key] = self.in_progress(key) + 1

    def leave(self, key: str) -> None:
        """One event of ``key`` is done; a connection with none in progress is forgotten."""
        with self._changed:
            remaining = self.in_progress(key) - 1
            if remaining > 0:
                self._in_progress[key] = remaining
            else:
                self._in_progress.pop(key, None)
            self._changed.notify_all()
