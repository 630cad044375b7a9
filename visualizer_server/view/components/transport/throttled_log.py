"""A warning that repeats, logged at most once per interval with a count of the ones left out."""

from __future__ import annotations

import logging
import math
import time
from typing import Callable


class ThrottledLog:
    """An attack can refuse thousands of connections a second: a line for each would fill the disk."""

    def __init__(self, logger: logging.Logger, interval_s: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.logger = logger
        self.interval_s = interval_s
        self.clock = clock
        self._logged_at = -math.inf
        self._left_out = 0

    def warning(self, message: str) -> None:
        now = self.clock()
        if now - self._logged_at < self.interval_s:
            self._left_out += 1
            return
        since = f" ({self._left_out} more like it since the last such line)" if self._left_out else ""
        self.logger.warning("%s%s", message, since)
        self._logged_at, self._left_out = now, 0
