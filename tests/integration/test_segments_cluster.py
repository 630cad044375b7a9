"""A takeover mid-session encodes only the unfinished segment: the kept ones are the new node's."""

from __future__ import annotations

from ..media import encode_frame
from ..processes import wait_until
from .client import RecordingClient
from .test_cluster import FPS, H, W, _assert_exact, _built, _ffmpeg_children, _send, node, redis_server  # noqa: F401

SEGMENT_FLAGS = ["--segment-seconds", "1", "--encoder-idle-ms", "60000"]  # 30-frame segments, closed only when full


def test_a_takeover_mid_session_encodes_one_segment_again(node, tmp_path):
    # A long lease: the session moves because the first node lets go when asked.
    first, second = node("a", "--lease-ttl-s", "60", *SEGMENT_FLAGS), node("b", "--lease-ttl-s", "60", *SEGMENT_FLAGS)
    client = RecordingClient(first.url)
    started = client.start(width=W, height=H, fps=FPS, format="jpeg")
    session_id = started["session_id"]
    _send(client, session_id, {index: encode_frame(index, W, H, "jpeg") for index in range(75)})
    segments = tmp_path / "work" / session_id / "segments"
    wait_until(lambda: len(list(segments.glob("000*.mp4"))) == 2, what="two segments kept by the first node")
    moved = RecordingClient(second.url)
    resumed = moved.call("resume_session", {"session_id": session_id, "resume_token": started["resume_token"]})
    assert resumed["ok"] and resumed["frames_received"] == [[0, 74]], resumed
    wait_until(lambda: not _ffmpeg_children(first), what="the first node's encoder to stop")
    _send(moved, session_id, {index: encode_frame(index, W, H, "jpeg") for index in range(75, 100)})
    assert moved.call("end_session", {"session_id": session_id, "frame_count": 100})["ok"]
    moved.wait_for("video_ready")
    _assert_exact(tmp_path / "output" / f"{session_id}.mp4", 100, audio=False)
    assert any(session_id in line and "2 already made), it starts on frame 60" in line for line in second.lines), \
        "\n".join(line for line in second.lines if session_id in line)
    assert _built([first, second], session_id) == 1
    client.close()
    moved.close()
