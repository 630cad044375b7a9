"""The windowed searches agree with one ``bytes`` call, at and across every window's edge."""

import pytest

from visualizer_server.model import byte_search
from visualizer_server.model.byte_search import WINDOW

CODE = b"\x00\x00\x01"


@pytest.mark.parametrize("at", [0, 1, WINDOW - 3, WINDOW - 2, WINDOW - 1, WINDOW, 2 * WINDOW + 5])
def test_find_sees_a_needle_wherever_it_lies(at):
    data = bytes(at) + CODE + bytes(WINDOW)
    assert byte_search.find(data, CODE) == data.find(CODE) == at
    assert byte_search.find(data, CODE, at + 1) == -1


@pytest.mark.parametrize("count", [1, 5, 6])
def test_count_exceeds_counts_across_window_edges_once(count):
    data = bytearray(3 * WINDOW)
    for offset in (WINDOW - 2, 7, 2 * WINDOW - 1, 2 * WINDOW + 3, WINDOW + 100, 3 * WINDOW - 3)[:count]:
        data[offset : offset + 3] = CODE
    data = bytes(data)
    assert data.count(CODE) == count
    assert byte_search.count_exceeds(data, CODE, count - 1) is True
    assert byte_search.count_exceeds(data, CODE, count) is False


@pytest.mark.parametrize("run", [0, 1, WINDOW - 1, WINDOW, WINDOW + 1, 2 * WINDOW])
def test_skip_ff_finds_the_first_other_byte(run):
    data = b"\xff" * run + b"\xd9" + b"\xff" * 10
    assert byte_search.skip_ff(data, 0) == run
    assert byte_search.skip_ff(b"\xff" * run, 0) == run
