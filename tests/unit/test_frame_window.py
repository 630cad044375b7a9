"""FrameWindow alone, with real threads: the reader waits while its connection's window is full."""

from __future__ import annotations

import threading

from visualizer_server.view.components.transport.connection_stats import ConnectionStats
from visualizer_server.view.components.transport.frame_window import FrameWindow


def _waiter(window: FrameWindow, key: str) -> threading.Thread:
    thread = threading.Thread(target=window.wait_for_room, args=(key,), daemon=True)
    thread.start()
    return thread


def test_a_full_window_holds_its_reader_until_an_event_leaves():
    stats = ConnectionStats()
    window = FrameWindow(2, stats)
    window.enter("a")
    window.enter("a")
    reader = _waiter(window, "a")
    reader.join(timeout=0.2)
    assert reader.is_alive(), "the reader went on with the window full"
    window.leave("a")
    reader.join(timeout=5)
    assert not reader.is_alive()
    assert (window.in_progress("a"), stats.window_pauses) == (1, 1)


def test_other_connections_are_not_held():
    stats = ConnectionStats()
    window = FrameWindow(1, stats)
    window.enter("a")
    other = _waiter(window, "b")
    other.join(timeout=5)
    assert not other.is_alive()
    assert stats.window_pauses == 0


def test_a_connection_with_nothing_in_progress_is_forgotten():
    window = FrameWindow(4, ConnectionStats())
    window.enter("a")
    window.leave("a")
    assert window._in_progress == {}
