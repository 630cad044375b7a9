"""Finding and killing real child processes, for the fault-injection tests."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Callable

import imageio_ffmpeg


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
    """``kill -9`` the ffmpeg encoding frames for ``marker`` (fed on its stdin: not the one that
    prepares the audio beside it), once there is one; returns its pid."""
    [pid] = wait_until(lambda: pids_with(marker, "pipe:0"), what=f"an ffmpeg encoding for {marker}", pause=pause)
    os.kill(pid, signal.SIGKILL)
    return pid


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stopped(pid: int) -> bool:
    """The process is stopped (SIGSTOP): its state in /proc is ``T``."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
    except OSError:
        return False


def ffmpeg_stopping_once(folder: Path, arguments: str) -> dict[str, str]:
    """A server's environment whose ffmpeg, the first time its arguments hold ``arguments``,
    stops itself (SIGSTOP) before it runs, to wait for the test; every other run is the real ffmpeg.

    A test that must act while a short ffmpeg pass runs cannot win a race with it (a /proc scan
    sometimes found it gone), nor measure the server beside a busy encoder: this one waits.
    """
    wrapper = folder / "stopping-bin" / "ffmpeg"  # "ffmpeg" in its command line, as pids_with looks for
    wrapper.parent.mkdir()
    once = folder / "stopping-bin" / "stopped-once"
    wrapper.write_text(f"""#!/bin/sh
case "$*" in *"{arguments}"*) mkdir {once} 2>/dev/null && kill -STOP $$ ;; esac
exec {imageio_ffmpeg.get_ffmpeg_exe()} "$@"
""")
    wrapper.chmod(0o755)
    return {"IMAGEIO_FFMPEG_EXE": str(wrapper)}


def catch_stopped(*markers: str) -> int:
    """The pid of the ffmpeg with ``markers`` that ``ffmpeg_stopping_once`` stopped, once it has."""
    [pid] = wait_until(lambda: [pid for pid in pids_with(*markers) if stopped(pid)], what=f"a stopped ffmpeg {markers}")
    return pid


def stand_in_ffmpeg(folder: Path, opens: set[str], fallback: str | None = None) -> Path:
    """A program in ffmpeg's place that answers a hardware encode as a machine with exactly the encoders
    ``opens`` would: those succeed, any other ``*_nvenc``/``*_vaapi``/``*_qsv`` fails with ffmpeg's two
    complaints ("Cannot load libcuda.so.1", then "Could not open encoder"). Anything else runs ``fallback``
    (the real ffmpeg, for a server's sessions), or fails without it.
    """
    program = folder / "stand-in-bin" / "ffmpeg"
    program.parent.mkdir(exist_ok=True)
    cases = "".join(f'  *" -c:v {encoder} "*) exit 0 ;;\n' for encoder in sorted(opens))
    rest = f'exec {fallback} "$@"' if fallback else "exit 1"
    program.write_text(f"""#!/bin/sh
case "$* " in
{cases}  *_nvenc\\ *|*_vaapi\\ *|*_qsv\\ *)
    echo "[$(echo "$*" | grep -o '[a-z0-9]*_\\(nvenc\\|vaapi\\|qsv\\)' | head -1) @ 0x55d0c0ffee00] Cannot load libcuda.so.1" >&2
    echo "[vost#0:0 @ 0x55d0c0ffee01] Could not open encoder before EOF" >&2
    exit 1 ;;
esac
{rest}
""")
    program.chmod(0o755)
    return program
