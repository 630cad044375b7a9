"""ThrottledLog alone, on a clock the test moves."""

from __future__ import annotations

import logging

from visualizer_server.view.components.transport.throttled_log import ThrottledLog


def test_one_line_per_interval_with_the_count_left_out(caplog):
    now = [100.0]
    throttled = ThrottledLog(logging.getLogger("throttled-test"), interval_s=10, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="throttled-test"):
        for _ in range(5):
            throttled.warning("refused one")
        now[0] += 10
        throttled.warning("refused one")
    assert [record.getMessage() for record in caplog.records] == [
        "refused one",
        "refused one (4 more like it since the last such line)",
    ]
