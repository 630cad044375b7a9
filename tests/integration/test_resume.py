"""Sessions outlive their connection and the server process: resume with the token, lose nothing."""

from __future__ import annotations

import pytest

from ..conftest import ServerProcess
from ..media import encode_frame, make_wav, probe
from .client import RecordingClient

WIDTH, HEIGHT, FPS, FRAMES = 320, 180, 30, 60


def _frames(first: int, last: int) -> dict[int, bytes]:
    return {index: encode_frame(index, WIDTH, HEIGHT, "jpeg") for index in range(first, last)}


def _send(client: RecordingClient, session_id: str, frames: dict[int, bytes]) -> None:
    for index, data in frames.items():
        assert client.send_frame(session_id, index, data)["ok"]


def _assert_complete(path) -> None:
    facts = probe(path)
    assert facts.frame_indexes == list(range(FRAMES))
    assert facts.audio_codec == "aac" and facts.video_duration_s == pytest.approx(FRAMES / FPS, abs=1e-3)


def test_a_disconnect_does_not_cancel_and_only_the_token_resumes(server, tmp_path):
    audio = make_wav(tmp_path / "tone.wav", 2.0)
    first = RecordingClient(server.url)
    started = first.start(width=WIDTH, height=HEIGHT, fps=FPS, format="jpeg",
                          audio={"filename": "tone.wav", "size": len(audio)})  # fmt: skip
    session_id = started["session_id"]
    _send(first, session_id, _frames(0, 25))
    first.send_audio(session_id, audio[:30_000])
    first.close()

    second = RecordingClient(server.url)
    # Without the token, another connection cannot touch the session.
    assert second.send_frame(session_id, 25, encode_frame(25, WIDTH, HEIGHT, "jpeg"))["error"]["code"] == "unauthorized"
    wrong = second.call("resume_session", {"session_id": session_id, "resume_token": "guess"})
    assert wrong["error"]["code"] == "unauthorized"
    assert second.call("cancel_session", {"session_id": session_id})["error"]["code"] == "unauthorized"

    resumed = second.call("resume_session", {"session_id": session_id, "resume_token": started["resume_token"]})
    assert resumed["ok"] and resumed["state"] == "receiving"
    assert resumed["frames_received"] == [[0, 24]] and resumed["audio_received_bytes"] == 30_000
    _send(second, session_id, _frames(25, FRAMES))
    second.send_audio(session_id, audio)
    assert second.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]
    assert second.wait_for("video_ready")["frames"] == FRAMES
    _assert_complete(server.output_dir / f"{session_id}.mp4")
    second.close()


def test_killed_server_mid_session_and_mid_encode_resumes_from_the_spool(tmp_path):
    work, output = tmp_path / "work", tmp_path / "output"
    audio = make_wav(tmp_path / "tone.wav", 2.0)
    server = ServerProcess(work, output)
    client = RecordingClient(server.url)
    started = client.start(width=WIDTH, height=HEIGHT, fps=FPS, format="jpeg",
                           audio={"filename": "tone.wav", "size": len(audio)})  # fmt: skip
    session_id, token = started["session_id"], started["resume_token"]
    _send(client, session_id, _frames(0, 40))
    client.send_audio(session_id, audio)

    # 1. kill -9 mid-session: every acknowledged frame is still there after the restart.
    server.kill()
    client.close()
    server = ServerProcess(work, output)
    client = RecordingClient(server.url)
    resumed = client.call("resume_session", {"session_id": session_id, "resume_token": token})
    assert resumed["frames_received"] == [[0, 39]] and resumed["audio_received_bytes"] == len(audio)
    _send(client, session_id, _frames(40, FRAMES))
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]

    # 2. kill -9 right after the end was acknowledged, while ffmpeg runs: the restart rebuilds
    #    the video from the spool by itself, and never serves a half-written file.
    server.kill()
    client.close()
    server = ServerProcess(work, output)
    try:
        client = RecordingClient(server.url)
        client.resume_until(session_id, token, "video_ready")
        assert not list(output.glob("*.part"))
        _assert_complete(output / f"{session_id}.mp4")
        client.close()
    finally:
        server.stop()
