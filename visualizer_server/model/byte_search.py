"""Searches over a client's bytes in windows of ``WINDOW`` bytes: C speed, and never one long call.

A frame may be 64 MiB or more. One ``bytes.find`` over all of it holds the interpreter lock
for a quarter of a second on a loaded machine, even in a native thread; a window of 1 MiB
holds it for a few milliseconds, after which the event loop's thread may run. The frame
checks walk structure only through these, so their cost is linear with a small constant.
"""

from __future__ import annotations

import re

WINDOW = 1024 * 1024
_ALL_FF = b"\xff" * WINDOW
_NOT_FF = re.compile(b"[^\xff]")


def _may_hold(data: bytes, needle: bytes, position: int, end: int) -> bool:
    """Whether ``data[position:end]`` holds ``needle``'s last byte: one ``memchr``, several times faster
    than a search for the whole needle over data that nearly matches it everywhere (a run of zeros
    for ``00 00 01``)."""
    return data.find(needle[-1:], position + len(needle) - 1, end) >= 0


def find(data: bytes, needle: bytes, start: int = 0) -> int:
    """The first index of ``needle`` at or after ``start``, or -1 (``bytes.find``, window by window)."""
    for position in range(start, len(data), WINDOW):
        end = position + WINDOW + len(needle) - 1
        found = data.find(needle, position, end) if _may_hold(data, needle, position, end) else -1
        if found >= 0:
            return found
    return -1


def count_exceeds(data: bytes, needle: bytes, limit: int) -> bool:
    """Whether ``needle`` occurs more than ``limit`` times, without counting past the window that tells."""
    seen = 0
    for position in range(0, len(data), WINDOW):
        end = position + WINDOW + len(needle) - 1
        seen += data.count(needle, position, end) if _may_hold(data, needle, position, end) else 0
        if seen > limit:
            return True
    return False


def skip_ff(data: bytes, start: int) -> int:
    """The index of the first byte at or after ``start`` that is not 0xFF, or ``len(data)``.

    Whole windows of 0xFF (a JPEG's fill bytes) are recognised by one comparison each.
    """
    position = start
    while position < len(data):
        window = data[position : position + WINDOW]
        if window != _ALL_FF[: len(window)]:
            found = _NOT_FF.search(window)
            assert found is not None
            return position + found.start()
        position += len(window)
    return len(data)
