"""The resident memory of the Chromium renderers this process started, read from /proc.

`performance.memory` counts the JavaScript heap only, not what a page's decoded audio or canvases
hold; the renderer's RSS counts everything the tab costs. Only renderers descending from this
Python process are counted: other people's browsers on a shared machine are not ours to measure.
Shared by the long-track test and benchmarks/sdk_audio_memory.py.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

SAMPLE_EVERY_S = 0.05


def _parent(pid: str) -> str | None:
    try:
        stat = (Path("/proc") / pid / "stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[1]  # the command name in parentheses may hold spaces


def _descends_from(pid: str, ancestor: str) -> bool:
    seen = 0
    while pid and pid not in ("0", "1") and seen < 64:
        if pid == ancestor:
            return True
        pid, seen = _parent(pid) or "", seen + 1
    return False


def renderer_rss_mb(ancestor: int | None = None) -> float:
    """The summed VmRSS, in MB, of the Chromium renderer processes under `ancestor` (default: this process)."""
    root = str(ancestor or os.getpid())
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if b"--type=renderer" not in (entry / "cmdline").read_bytes():
                continue
            status = (entry / "status").read_text()
        except OSError:
            continue
        if "VmRSS:" in status and _descends_from(entry.name, root):
            total_kb += int(status.split("VmRSS:")[1].split()[0])
    return total_kb / 1024


class PeakRendererMemory:
    """`with PeakRendererMemory() as memory: ...` then `memory.peak_mb`: the highest renderer RSS seen
    while the block ran (sampled every 50 ms by a thread), above `memory.baseline_mb`, its value on entry."""

    def __init__(self) -> None:
        self.baseline_mb = 0.0
        self.peak_mb = 0.0
        self._highest = 0.0
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakRendererMemory:
        self.baseline_mb = self._highest = renderer_rss_mb()
        self._sampler.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._done.set()
        self._sampler.join()
        self.peak_mb = max(self._highest, renderer_rss_mb()) - self.baseline_mb

    def _sample(self) -> None:
        while not self._done.wait(SAMPLE_EVERY_S):
            self._highest = max(self._highest, renderer_rss_mb())
