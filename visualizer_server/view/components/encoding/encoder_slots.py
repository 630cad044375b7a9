"""The encoder slots: how many ffmpeg encodes run at once, handed out first come, first served.

eventlet's Semaphore is not fair: a released slot is only marked free, and a greenlet that asks
again before the woken waiter runs takes it back. A session that encodes segment after segment
would then keep its slot while others wait for ever. Here a released slot goes straight to the
longest waiter, and a new request queues behind everyone already waiting, so sessions take
turns segment by segment. Knows nothing of PureMVC.
"""

from __future__ import annotations

import collections

import eventlet.event


class EncoderSlots:
    def __init__(self, count: int) -> None:
        self._free = count
        self._queue: collections.deque[eventlet.event.Event] = collections.deque()

    @property
    def contended(self) -> bool:
        """Someone waits for a slot: whoever holds one should give it back at its next boundary."""
        return bool(self._queue)

    def try_take(self) -> bool:
        """A slot at once, if one is free and nobody is ahead in the queue."""
        if self._free and not self._queue:
            self._free -= 1
            return True
        return False

    def take(self) -> None:
        """Wait in turn for a slot. A waiter killed meanwhile leaves the queue, or passes on the
        slot that was handed to it just before."""
        if self.try_take():
            return
        handed = eventlet.event.Event()
        self._queue.append(handed)
        try:
            handed.wait()
        except BaseException:
            if handed.ready():
                self.give_back()
            else:
                self._queue.remove(handed)
            raise

    def give_back(self) -> None:
        if self._queue:
            self._queue.popleft().send()
        else:
            self._free += 1
