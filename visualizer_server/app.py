"""``visualizer-server``: settings -> facade -> startup -> serve until SIGTERM or Ctrl-C."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import sys
from typing import Sequence

import eventlet
import eventlet.hubs
from pythonjsonlogger.json import JsonFormatter

from . import authorize
from .dependency_check import check_patches
from .errors import CredentialsError
from .facade import get_facade
from .model.youtube_credentials_proxy import YouTubeCredentialsProxy
from .settings import Settings, check_settings, describe, load_settings
from .settings_error import SettingsError
from .view.components.systemd_notifier import SystemdNotifier

log = logging.getLogger("visualizer_server")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def configure_logging(level: str, log_format: str) -> None:
    """Lines for people by default; one JSON object a line for log collectors."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler])


def catch_stop_signals() -> int:
    """From now on SIGTERM and SIGINT are only noted; returns the fd that carries their numbers.

    Installed before STARTUP, so a signal during the restore of many sessions is kept and
    handled as soon as the server runs, instead of killing the process half-way.
    A Python signal handler does not wake eventlet's hub, which may sleep for the whole
    ping interval (25 s); the wakeup fd does.
    """
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda *_: None)
    signal.set_wakeup_fd(write_fd)
    return read_fd


def wait_for_stop_signal(read_fd: int) -> signal.Signals:
    """Block this greenlet until SIGTERM or SIGINT (or return at once if one came already)."""
    while True:
        eventlet.hubs.trampoline(read_fd, read=True)
        for signum in os.read(read_fd, 64):
            if signum in STOP_SIGNALS:
                return signal.Signals(signum)


def keep_files_private(settings: Settings) -> None:
    """Everything the server (and its ffmpeg) makes from now on withholds ``--umask``'s bits; so do the
    work and output folders themselves, which list the session ids (files already there keep their modes)."""
    os.umask(settings.umask_bits)
    for folder in (settings.work_dir, settings.output_dir):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o777 & ~settings.umask_bits)


def serve(settings: Settings) -> None:
    """Run one server until a signal asks it to stop."""
    keep_files_private(settings)
    signals = catch_stop_signals()
    facade = get_facade(f"visualizer-server-{os.getpid()}-{settings.port}")
    try:
        facade.startup(settings)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        raise SettingsError(f"port {settings.port} on {settings.host} is already in use (another visualizer-server?): "
                            "stop that process or pass another --port") from None  # fmt: skip
    systemd = SystemdNotifier()
    systemd.ready("serving")
    received = wait_for_stop_signal(signals)
    log.info("received %s: no new connections; ending encodes get %d s to finish", received.name,
             settings.shutdown_grace_s)
    systemd.stopping(f"stopping: ending encodes get {settings.shutdown_grace_s} s to finish")
    facade.shutdown(settings.shutdown_grace_s)
    log.info("stopped; unfinished sessions are resumed from %s at the next start", settings.work_dir)


def print_to_pipe(text: str) -> int:
    """Print for a pipe that may close early (``--print-config | head``): no BrokenPipeError traceback."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Python's own advice: point stdout at /dev/null so the flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def check_youtube_token(settings: Settings) -> None:
    """A token file that cannot serve an upload stops the server now, not at the first upload."""
    if settings.youtube_token_file is None:
        return
    try:
        YouTubeCredentialsProxy(settings.youtube_token_file, settings.youtube_token_uri).check()
    except CredentialsError as error:
        raise SettingsError(f"--youtube-token-file: {error}") from None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["authorize"]:
        return authorize.main(argv[1:])
    try:
        settings, sources, args = load_settings(argv)
        if args.print_config:
            return print_to_pipe(json.dumps(describe(settings, sources), indent=2))
        check_settings(settings)
        check_youtube_token(settings)
    except SettingsError as error:
        print(f"visualizer-server: {error}", file=sys.stderr)
        return SettingsError.EXIT_CODE
    check_patches()
    configure_logging(settings.log_level, settings.log_format)
    try:
        serve(settings)
    except SettingsError as error:
        print(f"visualizer-server: {error}", file=sys.stderr)
        return SettingsError.EXIT_CODE
    return 0
