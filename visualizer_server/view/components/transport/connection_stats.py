"""What the connection guards did, read by ``/metrics`` at scrape time."""

from __future__ import annotations

import dataclasses
from collections import Counter


@dataclasses.dataclass
class ConnectionStats:
    """Counts kept by the pool, the header deadline and the frame window of one server."""

    open: int = 0
    refused: Counter[str] = dataclasses.field(default_factory=Counter)  # by cap: "per_address", "total"
    header_timeouts: int = 0
    window_pauses: int = 0  # times a connection's reading stopped because its window was full
