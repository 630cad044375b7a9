"""Shared by both kinds of test: a real server process on loopback (the integration harness in
integration/conftest.py starts and stops it), and fresh PureMVC cores for unit tests."""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

from . import plain_stdlib

plain_stdlib.import_eventlet_modules()
plain_stdlib.restore()

LISTENING = re.compile(r"listening on (http://[\d.]+:\d+)")
FROM_SOURCE = (sys.executable, "-m", "visualizer_server")
STARTUP_TIMEOUT_S = 120  # waits for "listening": a busy machine (two cores, many suites) took more than 30 s


class ServerProcess:
    """``python -m visualizer_server`` on a free loopback port, with its log kept for assertions.

    ``launcher`` and ``cwd`` run another installation instead (an installed wheel's script).
    Every one made is in ``made``, so the integration harness can tell one that outlived its test.
    """

    made: set[ServerProcess] = set()

    def __init__(
        self, work: Path, output: Path, extra_args: list[str] | None = None, env: dict[str, str] | None = None,
        launcher: tuple[str, ...] = FROM_SOURCE, cwd: Path | None = None,
    ) -> None:  # fmt: skip
        self.work_dir, self.output_dir = work, output
        self.lines: list[str] = []
        self.url: str = ""
        self._ready = threading.Event()
        command = [*launcher, "--port", "0", "--work-dir", str(work),
                   "--output-dir", str(output), "--log-level", "DEBUG", *(extra_args or [])]  # fmt: skip
        self.process = subprocess.Popen(
            command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=cwd,
            env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})},
        )  # fmt: skip
        ServerProcess.made.add(self)
        threading.Thread(target=self._read_log, daemon=True).start()
        if not self._ready.wait(STARTUP_TIMEOUT_S) or not self.url:
            self.stop()
            raise RuntimeError("server did not start:\n" + "\n".join(self.lines))

    def _read_log(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip())
            match = LISTENING.search(line)
            if match:
                self.url = match.group(1)
                self._ready.set()
        self._ready.set()  # exited: unblock the waiter

    def kill(self) -> None:
        """``kill -9``: a crash, with no chance to clean up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout=30)


_core_keys = itertools.count()


@pytest.fixture
def core_key() -> Iterator[str]:
    """A unique multiton key; the core is removed after the test."""
    from puremvc.patterns.facade import Facade

    key = f"test-core-{os.getpid()}-{next(_core_keys)}"
    yield key
    Facade.remove_core(key)
