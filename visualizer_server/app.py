"""``visualizer-server``: settings -> facade -> startup -> serve until SIGTERM or Ctrl-C."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from typing import Sequence

import eventlet
import eventlet.event

from .facade import get_facade
from .settings import Settings, describe, load_settings

log = logging.getLogger("visualizer_server")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def serve(settings: Settings) -> None:
    """Run one server until a signal asks it to stop."""
    facade = get_facade(f"visualizer-server-{os.getpid()}-{settings.port}")
    facade.startup(settings)
    stopping = eventlet.event.Event()

    def stop(signum: int, _frame: object) -> None:
        log.info("received %s, shutting down", signal.Signals(signum).name)
        if not stopping.ready():
            stopping.send()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    stopping.wait()
    facade.shutdown()


def main(argv: Sequence[str] | None = None) -> int:
    settings, args = load_settings(argv)
    if args.print_config:
        print(json.dumps(describe(settings), indent=2))
        return 0
    configure_logging(settings.log_level)
    serve(settings)
    return 0
