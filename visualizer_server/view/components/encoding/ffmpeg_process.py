"""One ffmpeg child process: input written without eventlet's EPIPE spin, output read in greenlets,
and a no-progress watchdog.

eventlet's green ``os.write`` retries EPIPE forever: once ffmpeg has died, a writer to its
stdin would spin at full CPU and never return. Here the pipe is written with the original,
non-blocking ``os.write``; the hub is asked to wait only when the pipe is full, and a broken
pipe raises ``EncoderDied`` at once.

The watchdog: an ffmpeg that neither reports progress, nor writes a line, nor takes input for
``stall_s`` is killed (``stalled`` says so), and its exit is a failure like a crash. A live but
hung ffmpeg (a decoder stuck on a live playlist, a stopped process, a dead device) would
otherwise hold its encoder slot for ever. While ``idle`` (its feeder has nothing to give it),
silence is not a stall. Knows nothing of PureMVC.
"""

from __future__ import annotations

import collections
import errno
import logging
import os
import time
from typing import Callable, Iterable

import eventlet
import eventlet.hubs
import eventlet.patcher
from eventlet.green import subprocess

log = logging.getLogger(__name__)

ERROR_LINES_KEPT = 20
_original_write = eventlet.patcher.original("os").write


class EncoderDied(Exception):
    """ffmpeg is gone (killed, crashed, or exited early): its input pipe is broken."""


class FfmpegProcess:
    """Start it, ``write`` to it (when it reads stdin), ``wait`` for its exit code; ``kill`` it."""

    def __init__(self, args: list[str], on_frames: Callable[[int], None] | None = None,
                 on_exit: Callable[[], None] | None = None, takes_input: bool = False,
                 lines_kept: int = ERROR_LINES_KEPT, stall_s: float | None = None) -> None:
        """``lines_kept``: the last lines of stderr kept in ``errors`` (more for a pass that reports there);
        ``stall_s``: the watchdog's limit (None: no watchdog)."""
        self.args = args
        self.stall_s = stall_s
        self.stalled = False  # the watchdog killed it
        self.idle = False  # its feeder has nothing for it: silence is no stall
        self._last_sign = time.monotonic()
        self.takes_input = takes_input
        self.frames = 0  # the last ``frame=`` of ``-progress``
        self.out_time_s = 0.0  # the last ``out_time_us=`` of ``-progress``: how long its output is
        self.errors: collections.deque[str] = collections.deque(maxlen=lines_kept)
        self._on_frames = on_frames or (lambda frames: None)
        self._on_exit = on_exit or (lambda: None)
        self._process: subprocess.Popen | None = None
        self._readers: list[eventlet.greenthread.GreenThread] = []

    def start(self) -> None:
        stdin = subprocess.PIPE if self.takes_input else subprocess.DEVNULL
        self._process = subprocess.Popen(self.args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if self.takes_input:
            os.set_blocking(self._process.stdin.fileno(), False)
        self._readers = [
            eventlet.spawn(self._read_progress, self._process.stdout),
            eventlet.spawn(self._read_errors, self._process.stderr),
        ]
        if self.stall_s is not None:
            eventlet.spawn(self._watch)

    @property
    def exited(self) -> bool:
        return self._process is None or self._process.poll() is not None

    def write(self, data: bytes | memoryview) -> None:
        """Write all of ``data`` to ffmpeg's stdin; raises ``EncoderDied`` if it is gone."""
        fd = self._process.stdin.fileno()
        view = memoryview(data)
        while view:
            try:
                view = view[_original_write(fd, view):]
                self._last_sign = time.monotonic()
            except BlockingIOError:
                eventlet.hubs.trampoline(fd, write=True)
            except (BrokenPipeError, ValueError) as error:  # ValueError: the pipe was closed by kill()
                raise EncoderDied(f"ffmpeg stopped reading its input ({error})") from None
            except OSError as error:
                if error.errno in (errno.EPIPE, errno.EBADF):
                    raise EncoderDied(f"ffmpeg stopped reading its input ({error})") from None
                raise

    def last_words(self, count: int = 5) -> str:
        """The last ``count`` lines it wrote to stderr, for a log line or a failure's details."""
        return " | ".join(list(self.errors)[-count:]) or "no output"

    def close_input(self) -> None:
        try:
            self._process.stdin.close()
        except OSError:
            pass  # already broken: wait() tells how it ended

    def wait(self) -> int:
        """The exit code, once ffmpeg has exited and its last words are read."""
        returncode = self._process.wait()
        for reader in self._readers:
            reader.wait()
        return returncode

    def kill(self) -> None:
        """Stop it now and reap it, so it writes nothing after this returns."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()

    def _watch(self) -> None:
        period = min(1.0, self.stall_s / 4)
        while not self.exited:
            eventlet.sleep(period)
            if self.idle:
                self._last_sign = time.monotonic()
            elif time.monotonic() - self._last_sign > self.stall_s and not self.exited:
                log.warning("ffmpeg (pid %d) showed no progress for %g s; killing it: %s", self._process.pid,
                            self.stall_s, " ".join(self.args))  # fmt: skip
                self.stalled = True
                self.kill()
                return

    def _read_progress(self, stream: Iterable[bytes]) -> None:
        """``-progress`` writes key=value blocks ending in ``progress=``; report once per block.
        The end of this stream is the process's end: ``on_exit`` then wakes whoever waits on it."""
        for raw in stream:
            self._last_sign = time.monotonic()
            key, _, value = raw.decode(errors="replace").strip().partition("=")
            if key == "frame" and value.isdigit():
                self.frames = int(value)
            elif key == "out_time_us" and value.isdigit():
                self.out_time_s = int(value) / 1e6
            elif key == "progress":
                self._on_frames(self.frames)
        self._process.wait()  # the pipe can close a moment before the process is gone: wait for both
        self._on_exit()

    def _read_errors(self, stream: Iterable[bytes]) -> None:
        for raw in stream:
            self._last_sign = time.monotonic()
            line = raw.decode(errors="replace").rstrip()
            if line:
                self.errors.append(line)
