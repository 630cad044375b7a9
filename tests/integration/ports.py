"""A loopback port where nothing listens, held so that nothing else can take it while the test uses it.

A port found free and then closed can be bound by any process before the test uses it ("free,
closed, then used"). A socket bound without ``listen()`` keeps the port: a connection to it is
refused, as on a closed port, for as long as the test holds it.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Iterator


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """A port whose connections are refused, kept for the ``with`` block."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]
