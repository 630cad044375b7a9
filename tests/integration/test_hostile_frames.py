"""Frames built to stall a structure check: each is refused quickly, and /healthz answers meanwhile.

Before the checks searched in windows off the loop, one H.264 frame with a huge POC cycle in its
SPS held every client for 15-27 s, a JPEG of fill bytes 10-18 s, a PNG of empty chunks 4.8 s.
The frame builders are shared with the unit tests of the checks.
"""

from __future__ import annotations

from typing import Callable

from ..hostile_media import huge_poc_cycle_sps, key_unit_with, png_of_empty_chunks
from .client import RecordingClient
from .healthz_poller import HealthzPoller

HEALTHZ_BUDGET_S = 0.1


def _send_while_polling(
    connect: Callable[..., RecordingClient], url: str, spec: dict, frame: bytes
) -> tuple[dict, float]:
    """Frame 0 of a new session, sent while /healthz is asked over and over: its ack and the slowest answer."""
    client = connect(url)
    session_id = client.start(**spec)["session_id"]
    with HealthzPoller(url) as poller:
        ack = client.send_frame(session_id, 0, frame)
    return ack, poller.worst_s


# A small frame: receiving it costs the loop nothing, so what /healthz shows is the check's (15-27 s
# before). Big frames are measured in tests/unit/test_frame_check_off_loop.py: receiving megabytes
# over a websocket stalls the loop by itself (about 0.03 s a MB here), whatever the check does.
def test_an_h264_sps_claiming_a_poc_cycle_of_four_billion_entries_is_refused_at_once(server, connect):
    frame = key_unit_with(huge_poc_cycle_sps(8 * 65_000))
    ack, worst_s = _send_while_polling(connect, server.url, {"width": 96, "height": 64, "format": "h264"}, frame)
    assert ack["ok"] is False and ack["error"]["code"] == "bad_frame", ack
    assert "num_ref_frames_in_pic_order_cnt_cycle" in ack["error"]["message"]
    assert worst_s < HEALTHZ_BUDGET_S, f"/healthz took {worst_s:.3f} s while the frame was checked"


def test_a_png_of_millions_of_empty_chunks_is_refused(server, connect):
    frame = png_of_empty_chunks(7680, 4320, 2_000_000)
    client = connect(server.url)
    session_id = client.start(width=7680, height=4320, format="png")["session_id"]
    ack = client.send_frame(session_id, 0, frame)
    assert ack["ok"] is False and ack["error"]["code"] == "bad_frame", ack
    assert "more than" in ack["error"]["message"] and "chunks" in ack["error"]["message"]
    status = client.call("session_status", {"session_id": session_id})
    assert status["ok"] and status["frame_ranges"] == [], status
