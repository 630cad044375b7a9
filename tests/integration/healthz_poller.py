"""A thread that asks ``/healthz`` over and over while an attack runs, and keeps the slowest answer."""

from __future__ import annotations

import threading
import time
import urllib.request
from types import TracebackType


class HealthzPoller:
    """``with HealthzPoller(url) as poller: attack()``, then ``poller.worst_s``: the event loop's longest stall seen."""

    def __init__(self, url: str) -> None:
        self.url = url + "/healthz"
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    @property
    def worst_s(self) -> float:
        return max(self.latencies)

    def __enter__(self) -> "HealthzPoller":
        self._thread.start()
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            with urllib.request.urlopen(self.url, timeout=60) as response:
                response.read()
            self.latencies.append(time.monotonic() - started)
