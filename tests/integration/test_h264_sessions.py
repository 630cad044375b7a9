"""Sessions of format h264: the client's access units are checked, copied into the MP4 as sent, never
re-encoded. Real server process, python-socketio over loopback, the real ffmpeg and x264."""

from __future__ import annotations

import random
from pathlib import Path

import av
import pytest

from ..media import h264_units, make_wav, probe
from .client import RecordingClient

WIDTH, HEIGHT, FPS, FRAMES = 320, 180, 30, 60


@pytest.fixture(scope="module")
def units() -> list[bytes]:
    """Made by x264 in Constrained Baseline, as a browser's encoder makes them."""
    return h264_units(WIDTH, HEIGHT, FRAMES, FPS, profile="baseline")


def _slices(nal_stream: list[bytes]) -> list[bytes]:
    return [nal for nal in nal_stream if nal[0] & 0x1F in (1, 5)]


def _mp4_slices(path: Path) -> list[list[bytes]]:
    """The slice NAL units of each video packet (MP4 stores them length-prefixed)."""
    packets = []
    with av.open(str(path)) as container:
        for packet in container.demux(video=0):
            data, nals = bytes(packet), []
            while data:
                length = int.from_bytes(data[:4], "big")
                nals.append(data[4 : 4 + length])
                data = data[4 + length :]
            if nals:
                packets.append(_slices(nals))
    return packets


def _start(client: RecordingClient, audio: bytes) -> dict:
    return client.start(width=WIDTH, height=HEIGHT, fps=FPS, format="h264",
                        audio={"filename": "tone.wav", "size": len(audio)})  # fmt: skip


def _assert_copied(path: Path, units: list[bytes]) -> None:
    from visualizer_server.model.h264 import nal_units

    facts = probe(path)
    assert (facts.video_codec, facts.width, facts.height, facts.pix_fmt) == ("h264", WIDTH, HEIGHT, "yuv420p")
    assert facts.frame_indexes == list(range(FRAMES)), "frames are out of order or missing"
    assert facts.video_duration_s == pytest.approx(FRAMES / FPS, abs=1e-3)
    assert (facts.audio_codec, facts.audio_rate, facts.audio_profile) == ("aac", 48000, "LC")
    assert facts.audio_duration_s == pytest.approx(FRAMES / FPS, abs=0.03)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.profile == "Constrained Baseline", "the stream was re-encoded"
        assert stream.average_rate == FPS
    # Not re-encoded: each packet holds exactly the slices the client sent for that index.
    assert _mp4_slices(path) == [_slices(nal_units(unit)) for unit in units]


def test_an_h264_session_is_muxed_as_sent_in_index_order_with_its_audio(server, units, tmp_path, connect):
    client = connect(server.url)
    audio = make_wav(tmp_path / "tone.wav", seconds=2.5)
    session_id = _start(client, audio)["session_id"]
    # Bad units change nothing: a unit that is not a key frame as frame 0, one of another size.
    refused = client.send_frame(session_id, 0, units[1])
    assert refused["error"]["code"] == "bad_frame" and "key frame" in refused["error"]["message"]
    [other_size] = h264_units(WIDTH + 16, HEIGHT, 1, FPS)
    refused = client.send_frame(session_id, 0, other_size)
    assert refused["error"]["code"] == "bad_frame" and f"the session is {WIDTH}x{HEIGHT}" in refused["error"]["message"]
    assert client.call("session_status", {"session_id": session_id})["frames_received"] == 0
    client.send_audio(session_id, audio)
    order = list(range(FRAMES))
    random.Random(3).shuffle(order)  # gaps that fill later: the copy still takes them in index order
    for index in order:
        assert client.send_frame(session_id, index, units[index])["ok"]
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]

    ready = client.wait_for("video_ready")
    assert (ready["frames"], ready["width"], ready["height"], ready["duration_s"]) == (FRAMES, WIDTH, HEIGHT, 2.0)
    _assert_copied(server.output_dir / f"{session_id}.mp4", units)


def test_an_h264_session_outlives_a_killed_server_and_its_copy_needs_no_encoder_slot(
    tmp_path, units, start_server, connect
):
    output = tmp_path / "output"  # where the harness's servers put their videos
    audio = make_wav(tmp_path / "tone.wav", seconds=2.0)
    # The only encoder slot is taken by an image session that never ends: a copy does not wait for it.
    server = start_server("--max-concurrent-encodes", "1")
    blocker = connect(server.url)
    image = blocker.start(width=WIDTH, height=HEIGHT, fps=FPS, format="rgba")["session_id"]
    assert blocker.send_frame(image, 0, bytes(WIDTH * HEIGHT * 4))["ok"]
    client = connect(server.url)
    started = _start(client, audio)
    session_id, token = started["session_id"], started["resume_token"]
    client.send_audio(session_id, audio)
    for index in range(40):
        assert client.send_frame(session_id, index, units[index])["ok"]
    assert not any(p["waiting_for_encoder"] for p in client.events.get("progress", []))
    server.kill()
    server = start_server("--max-concurrent-encodes", "1")
    client = connect(server.url)
    resumed = client.call("resume_session", {"session_id": session_id, "resume_token": token})
    assert resumed["frames_received"] == [[0, 39]]
    for index in range(40, FRAMES):
        assert client.send_frame(session_id, index, units[index])["ok"]
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]
    client.wait_for("video_ready")
    _assert_copied(output / f"{session_id}.mp4", units)
