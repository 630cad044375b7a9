"""The limits of the Socket.IO transport and of the connections that carry it."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class TransportLimits:
    window: int  # frame events a connection may have in progress before the server stops reading it
    max_connections: int  # open connections in all: the size of eventlet's pool
    max_connections_per_address: int  # open connections from one client address; 0 is no cap
    header_timeout_s: float  # a request's line and headers must arrive within this
    ping_interval_s: float  # Engine.IO pings a client this often...
    ping_timeout_s: float  # ...and closes it when no answer comes within this

    @classmethod
    def from_settings(cls, settings: Any) -> TransportLimits:
        """The same-named fields of the server's settings."""
        return cls(**{field.name: getattr(settings, field.name) for field in dataclasses.fields(cls)})

    @property
    def silence_s(self) -> float:
        """How long a socket may stay silent: a live Socket.IO client answers a ping within it."""
        return self.ping_interval_s + self.ping_timeout_s
