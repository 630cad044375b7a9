"""Real full disks for the tests: small tmpfs mounts, filled for real.

A tmpfs with few inodes, filled with empty files until it refuses: the free-space check passes
(bytes are plenty) and the write itself fails with ENOSPC, as on a disk that filled between the
check and the write. A tmpfs of a few KiB: too small for a video. Mounting needs root, as on this
project's machines. Each fixture is asked for before the server, so it is unmounted after the
server has stopped.
"""

from __future__ import annotations

import contextlib
import errno
import subprocess
from pathlib import Path
from typing import Iterator

import pytest


def fill_inodes(folder: Path) -> list[Path]:
    """Create empty files until the file system refuses: full, though bytes are still free."""
    folder.mkdir()
    made = []
    while True:
        try:
            path = folder / str(len(made))
            path.touch()
            made.append(path)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
            return made


@contextlib.contextmanager
def _tmpfs(folder: Path, options: str) -> Iterator[Path]:
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """64 inodes and 32 MiB: a few files fill it (``fill_inodes``)."""
    with _tmpfs(tmp_path / "small", "size=32m,nr_inodes=64") as folder:
        yield folder


@pytest.fixture
def tiny_output(tmp_path: Path) -> Iterator[Path]:
    """16 KiB: too small for a video and its index's room (``mount -o remount,size=...`` grows it)."""
    with _tmpfs(tmp_path / "tiny-output", "size=16k") as folder:
        yield folder
