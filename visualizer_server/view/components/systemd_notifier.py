"""systemd's readiness protocol (``sd_notify``): READY, STOPPING and the watchdog's ping.

Under ``Type=notify`` systemd passes a unix datagram socket in ``NOTIFY_SOCKET`` and, with
``WatchdogSec=``, the ping interval it expects in ``WATCHDOG_USEC``. The pings come from a
greenlet of the event loop: a server whose loop is wedged (a blocking call, a busy loop)
stops pinging, and systemd kills and restarts it. Outside systemd (no ``NOTIFY_SOCKET``)
every call does nothing. The protocol is one datagram of ``KEY=value`` lines; see
sd_notify(3). No client library is needed for that, and none is pulled in.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Mapping

from .greenlets import Ticker

log = logging.getLogger(__name__)


class SystemdNotifier:
    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        path = environ.get("NOTIFY_SOCKET", "")
        self.address = "\0" + path[1:] if path.startswith("@") else path  # "@name": the abstract namespace
        self.watchdog_interval_s = self._watchdog_interval(environ)
        self._ticker: Ticker | None = None

    @staticmethod
    def _watchdog_interval(environ: Mapping[str, str]) -> float | None:
        """Half of systemd's ``WatchdogSec`` (its advice), if the watchdog is meant for this process."""
        if environ.get("WATCHDOG_PID") not in (None, str(os.getpid())):
            return None
        try:
            usec = int(environ.get("WATCHDOG_USEC", "0"))
        except ValueError:
            return None
        return usec / 2 / 1e6 if usec > 0 else None

    def ready(self, status: str) -> None:
        """The server listens and has restored its sessions; start pinging if systemd watches."""
        self._send(f"READY=1\nSTATUS={status}\nMAINPID={os.getpid()}")
        if self.watchdog_interval_s and self._ticker is None:
            self._ticker = Ticker(self.watchdog_interval_s, lambda: self._send("WATCHDOG=1"))
            self._ticker.start()

    def stopping(self, status: str) -> None:
        """Shutting down (grace for ending encodes): systemd waits instead of calling it a hang."""
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self._send(f"STOPPING=1\nSTATUS={status}")

    def _send(self, message: str) -> None:
        if not self.address:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
                notify.sendto(message.encode(), self.address)
        except OSError as error:  # systemd gone or a wrong socket: serving matters more than telling it
            log.warning("cannot notify systemd at %s: %s", self.address.replace("\0", "@"), error)
