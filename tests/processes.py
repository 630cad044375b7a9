"""Finding and killing real child processes, for the fault-injection tests."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Callable


def pids_with(*markers: str) -> list[int]:
    """ffmpeg processes whose command line contains every one of ``markers`` (e.g. a session's folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if all(marker in cmdline for marker in markers) and "ffmpeg" in cmdline:
            found.append(int(entry.name))
    return found


def wait_until(condition: Callable[[], object], timeout: float = 60, what: str = "the condition",
               pause: Callable[[float], None] = time.sleep) -> object:
    """Poll ``condition`` until it is truthy (returning its value), or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        pause(0.01)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def kill_ffmpeg(marker: str, pause: Callable[[float], None] = time.sleep) -> int:
    """``kill -9`` the ffmpeg working on ``marker``, once there is one; returns its pid."""
    [pid] = wait_until(lambda: pids_with(marker), what=f"an ffmpeg for {marker}", pause=pause)
    os.kill(pid, signal.SIGKILL)
    return pid


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
