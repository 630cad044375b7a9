"""A set of frame indexes kept as sorted inclusive ranges, the shape the contract reports."""

from __future__ import annotations

import bisect
from typing import Iterable


class IndexRanges:
    """Which frame indexes are present.

    Frames mostly arrive in order, so the list stays one range long and every
    operation is cheap however long the video is.
    """

    def __init__(self, ranges: Iterable[Iterable[int]] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._count = 0
        for start, end in ranges:
            for index in range(start, end + 1):
                self.add(index)

    def __contains__(self, index: int) -> bool:
        position = bisect.bisect_right(self._starts, index) - 1
        return position >= 0 and index <= self._ends[position]

    def __len__(self) -> int:
        return self._count

    def add(self, index: int) -> bool:
        """Add ``index``; False when it was already there."""
        if index in self:
            return False
        position = bisect.bisect_right(self._starts, index)
        joins_left = position > 0 and self._ends[position - 1] == index - 1
        joins_right = position < len(self._starts) and self._starts[position] == index + 1
        if joins_left and joins_right:
            self._ends[position - 1] = self._ends[position]
            del self._starts[position], self._ends[position]
        elif joins_left:
            self._ends[position - 1] = index
        elif joins_right:
            self._starts[position] = index
        else:
            self._starts.insert(position, index)
            self._ends.insert(position, index)
        self._count += 1
        return True

    def ranges(self) -> list[list[int]]:
        return [[start, end] for start, end in zip(self._starts, self._ends)]

    def missing(self, total: int) -> list[list[int]]:
        """The ranges of ``0..total-1`` that are absent."""
        gaps: list[list[int]] = []
        expected = 0
        for start, end in zip(self._starts, self._ends):
            if start >= total:
                break
            if start > expected:
                gaps.append([expected, start - 1])
            expected = max(expected, end + 1)
        if expected < total:
            gaps.append([expected, total - 1])
        return gaps

    def run_end(self, start: int) -> int:
        """The last index of the unbroken run that begins at ``start`` (``start - 1`` if it is absent)."""
        position = bisect.bisect_right(self._starts, start) - 1
        if position < 0 or start > self._ends[position]:
            return start - 1
        return self._ends[position]

    def highest(self) -> int:
        """The largest index present, or -1."""
        return self._ends[-1] if self._ends else -1
