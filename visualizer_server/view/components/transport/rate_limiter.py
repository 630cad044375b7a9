"""A token bucket per connection: at most ``rate`` events a second, with bursts up to ``rate``."""

from __future__ import annotations

import time
from typing import Callable


class RateLimiter:
    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.rate, now))
        tokens = min(self.rate, tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        self._buckets[key] = (tokens - 1 if allowed else tokens, now)
        return allowed

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)
