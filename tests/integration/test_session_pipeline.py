"""Whole sessions over loopback: real python-socketio client, real server process, real ffmpeg."""

from __future__ import annotations

import random
import urllib.request
from pathlib import Path

import av
import numpy as np
import pytest

from ..media import encode_frame, make_wav, probe
from .client import RecordingClient

WIDTH, HEIGHT, FPS, FRAMES = 640, 360, 30, 60


@pytest.fixture
def client(server, connect) -> RecordingClient:
    return connect(server.url)


def _start_with_audio(client: RecordingClient, tmp_path: Path, image_format: str) -> tuple[str, bytes]:
    audio = make_wav(tmp_path / "tone.wav", seconds=2.5)
    ack = client.start(width=WIDTH, height=HEIGHT, fps=FPS, format=image_format,
                       audio={"filename": "tone.wav", "size": len(audio)})  # fmt: skip
    return ack["session_id"], audio


def _assert_video(path: Path, frames: int = FRAMES) -> None:
    facts = probe(path)
    assert (facts.video_codec, facts.width, facts.height) == ("h264", WIDTH, HEIGHT)
    assert facts.pix_fmt == "yuv420p" and facts.color_range == 1  # 1: MPEG, limited (tv) range
    assert facts.colour_tags == (1, 1, 1), "BT.709 matrix, primaries and transfer"
    assert facts.frames == frames
    assert facts.video_duration_s == pytest.approx(frames / FPS, abs=1e-3)
    assert facts.frame_indexes == list(range(frames)), "frames are out of order or missing"
    assert (facts.audio_codec, facts.audio_rate, facts.audio_profile) == ("aac", 48000, "LC")
    # Audio (2.5 s sent) is trimmed to the video, within one AAC frame.
    assert facts.audio_duration_s == pytest.approx(frames / FPS, abs=0.03)


@pytest.mark.parametrize("image_format", ["jpeg", "png", "rgba"])
def test_session_makes_a_correct_video(server, client, tmp_path, image_format):
    session_id, audio = _start_with_audio(client, tmp_path, image_format)
    client.send_audio(session_id, audio)
    for index in range(FRAMES):
        ack = client.send_frame(session_id, index, encode_frame(index, WIDTH, HEIGHT, image_format))
        assert ack == {"ok": True, "index": index, "frames_received": [[0, index]]}
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]

    ready = client.wait_for("video_ready")
    assert ready == {"session_id": session_id, "url": f"/videos/{session_id}.mp4", "frames": FRAMES,
                     "duration_s": 2.0, "width": WIDTH, "height": HEIGHT,
                     "bytes": (server.output_dir / f"{session_id}.mp4").stat().st_size}  # fmt: skip
    _assert_video(server.output_dir / f"{session_id}.mp4")
    # Frames and audio are gone once the video is built; the video stays.
    assert not (server.work_dir / session_id / "frames").exists()
    assert not (server.work_dir / session_id / "audio.bin").exists()
    status = client.call("session_status", {"session_id": session_id})
    assert status["state"] == "done" and status["frames_encoded"] == FRAMES


def test_shuffled_and_resent_frames_come_out_in_order(server, client, tmp_path):
    session_id, audio = _start_with_audio(client, tmp_path, "jpeg")
    order = list(range(FRAMES))
    random.Random(7).shuffle(order)
    frames = {index: encode_frame(index, WIDTH, HEIGHT, "jpeg") for index in order}
    for index in order:
        assert client.send_frame(session_id, index, frames[index])["ok"]
    # A resend (even with other bytes) is acknowledged and changes nothing.
    resend = client.send_frame(session_id, 5, frames[6])
    assert resend == {"ok": True, "index": 5, "frames_received": [[0, FRAMES - 1]]}
    client.send_audio(session_id, audio)
    client.send_audio(session_id, audio[:1000])  # resending stored audio bytes is harmless too
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]
    client.wait_for("video_ready")
    _assert_video(server.output_dir / f"{session_id}.mp4")


def test_incomplete_session_says_what_is_missing_and_can_still_finish(server, client, tmp_path):
    session_id, audio = _start_with_audio(client, tmp_path, "png")
    held_back = {10, 11, 12, 40}
    for index in range(FRAMES):
        if index not in held_back:
            assert client.send_frame(session_id, index, encode_frame(index, WIDTH, HEIGHT, "png"))["ok"]
    client.send_audio(session_id, audio[:50_000])

    ack = client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})
    assert ack["ok"] is False
    assert ack["error"]["code"] == "incomplete"
    assert ack["error"]["missing_frames"] == [[10, 12], [40, 40]]
    assert ack["error"]["missing_audio_bytes"] == len(audio) - 50_000

    for index in sorted(held_back):
        assert client.send_frame(session_id, index, encode_frame(index, WIDTH, HEIGHT, "png"))["ok"]
    gap = client.call("audio_chunk", {"session_id": session_id, "offset": 60_000, "data": audio[60_000:]})
    assert gap["error"]["code"] == "conflict" and gap["error"]["received_bytes"] == 50_000
    client.send_audio(session_id, audio)
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]
    client.wait_for("video_ready")
    _assert_video(server.output_dir / f"{session_id}.mp4")


def test_video_without_audio_has_no_audio_track(server, client):
    ack = client.start(width=WIDTH, height=HEIGHT, fps=FPS, format="jpeg", frame_count=30)
    for index in range(30):
        assert client.send_frame(ack["session_id"], index, encode_frame(index, WIDTH, HEIGHT, "jpeg"))["ok"]
    assert client.call("end_session", {"session_id": ack["session_id"], "frame_count": 30})["ok"]
    client.wait_for("video_ready")
    facts = probe(server.output_dir / f"{ack['session_id']}.mp4")
    assert facts.frames == 30 and facts.audio_codec is None
    assert facts.video_duration_s == pytest.approx(1.0, abs=1e-3)


def test_progress_reports_receiving_encoding_and_done(server, client):
    ack = client.start(width=WIDTH, height=HEIGHT, fps=FPS, format="jpeg")
    for index in range(FRAMES):
        client.send_frame(ack["session_id"], index, encode_frame(index, WIDTH, HEIGHT, "jpeg"))
    client.call("end_session", {"session_id": ack["session_id"], "frame_count": FRAMES})
    client.wait_for("video_ready")
    client.wait_for_stage("done")
    reports = client.events["progress"]
    stages = [report["stage"] for report in reports]
    assert stages[-1] == "done" and reports[-1]["percent"] == 100.0
    assert "receiving" in stages and "encoding" in stages
    encoded = [report["frames_encoded"] for report in reports]
    assert encoded == sorted(encoded) and encoded[-1] == FRAMES


def test_echo_answers_cheers_with_the_socket_id(server, client):
    assert client.call("test", "Allo?") == {"ok": True}
    assert client.wait_for("test") == f"Cheers, {client.sio.get_sid()}"


def test_video_route_serves_byte_ranges(server, client):
    ack = client.start(width=WIDTH, height=HEIGHT, fps=FPS, format="jpeg")
    for index in range(30):
        client.send_frame(ack["session_id"], index, encode_frame(index, WIDTH, HEIGHT, "jpeg"))
    client.call("end_session", {"session_id": ack["session_id"], "frame_count": 30})
    url = server.url + client.wait_for("video_ready")["url"]
    whole = (server.output_dir / f"{ack['session_id']}.mp4").read_bytes()

    request = urllib.request.Request(url, headers={"Range": "bytes=100-1099"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 206
        assert response.headers["Content-Range"] == f"bytes 100-1099/{len(whole)}"
        assert response.read() == whole[100:1100]
    with urllib.request.urlopen(url) as response:
        assert response.status == 200 and response.read() == whole
    # +faststart: the moov atom comes before the media data.
    assert whole.index(b"moov") < whole.index(b"mdat")


def test_short_audio_is_padded_with_silence_to_the_video(server, client, tmp_path):
    audio = make_wav(tmp_path / "short.wav", seconds=0.8)
    ack = client.start(width=WIDTH, height=HEIGHT, fps=FPS, format="jpeg", audio={"filename": "s.wav", "size": len(audio)})
    client.send_audio(ack["session_id"], audio)
    for index in range(FRAMES):
        assert client.send_frame(ack["session_id"], index, encode_frame(index, WIDTH, HEIGHT, "jpeg"))["ok"]
    assert client.call("end_session", {"session_id": ack["session_id"], "frame_count": FRAMES})["ok"]
    client.wait_for("video_ready")
    facts = probe(server.output_dir / f"{ack['session_id']}.mp4")
    assert facts.audio_duration_s == pytest.approx(FRAMES / FPS, abs=0.03)
    assert facts.container_duration_s == pytest.approx(FRAMES / FPS, abs=0.03)
    with av.open(str(server.output_dir / f"{ack['session_id']}.mp4")) as container:
        samples = np.concatenate([frame.to_ndarray().ravel() for frame in container.decode(audio=0)])
    tone, tail = samples[: int(0.6 * 48000)], samples[int(1.0 * 48000) :]
    assert np.sqrt(np.mean(tone**2)) > 0.1 and np.sqrt(np.mean(tail**2)) < 0.001, "not the tone, then silence"
