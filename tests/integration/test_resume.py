"""Sessions outlive their connection and the server process: resume with the token, lose nothing."""

from __future__ import annotations

import pytest

from ..media import encode_frame, encode_frames, make_wav, probe

WIDTH, HEIGHT, FPS, FRAMES = 320, 180, 30, 60


def _assert_complete(path) -> None:
    facts = probe(path)
    assert facts.frame_indexes == list(range(FRAMES))
    assert facts.audio_codec == "aac" and facts.video_duration_s == pytest.approx(FRAMES / FPS, abs=1e-3)


def test_a_disconnect_does_not_cancel_and_only_the_token_resumes(server, tmp_path, connect):
    audio = make_wav(tmp_path / "tone.wav", 2.0)
    first = connect(server.url)
    started = first.start(width=WIDTH, height=HEIGHT, fps=FPS, format="jpeg",
                          audio={"filename": "tone.wav", "size": len(audio)})  # fmt: skip
    session_id = started["session_id"]
    first.send_frames(session_id, encode_frames(0, 25, WIDTH, HEIGHT))
    first.send_audio(session_id, audio[:30_000])
    first.close()

    second = connect(server.url)
    # Without the token, another connection cannot touch the session.
    assert second.send_frame(session_id, 25, encode_frame(25, WIDTH, HEIGHT, "jpeg"))["error"]["code"] == "unauthorized"
    wrong = second.call("resume_session", {"session_id": session_id, "resume_token": "guess"})
    assert wrong["error"]["code"] == "unauthorized"
    assert second.call("cancel_session", {"session_id": session_id})["error"]["code"] == "unauthorized"

    resumed = second.call("resume_session", {"session_id": session_id, "resume_token": started["resume_token"]})
    assert resumed["ok"] and resumed["state"] == "receiving"
    assert resumed["frames_received"] == [[0, 24]] and resumed["audio_received_bytes"] == 30_000
    second.send_frames(session_id, encode_frames(25, FRAMES, WIDTH, HEIGHT))
    second.send_audio(session_id, audio)
    assert second.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]
    assert second.wait_for("video_ready")["frames"] == FRAMES
    _assert_complete(server.output_dir / f"{session_id}.mp4")


def test_killed_server_mid_session_and_mid_encode_resumes_from_the_spool(tmp_path, start_server, connect):
    output = tmp_path / "output"  # where the harness's servers put their videos
    audio = make_wav(tmp_path / "tone.wav", 2.0)
    server = start_server()
    client = connect(server.url)
    started = client.start(width=WIDTH, height=HEIGHT, fps=FPS, format="jpeg",
                           audio={"filename": "tone.wav", "size": len(audio)})  # fmt: skip
    session_id, token = started["session_id"], started["resume_token"]
    client.send_frames(session_id, encode_frames(0, 40, WIDTH, HEIGHT))
    client.send_audio(session_id, audio)

    # 1. kill -9 mid-session: every acknowledged frame is still there after the restart.
    server.kill()
    client.close()
    server = start_server()
    client = connect(server.url)
    resumed = client.call("resume_session", {"session_id": session_id, "resume_token": token})
    assert resumed["frames_received"] == [[0, 39]] and resumed["audio_received_bytes"] == len(audio)
    client.send_frames(session_id, encode_frames(40, FRAMES, WIDTH, HEIGHT))
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]

    # 2. kill -9 right after the end was acknowledged, while ffmpeg runs: the restart rebuilds
    #    the video from the spool by itself, and never serves a half-written file.
    server.kill()
    client.close()
    server = start_server()
    client = connect(server.url)
    client.resume_until(session_id, token, "video_ready")
    assert not list(output.glob("*.part"))
    _assert_complete(output / f"{session_id}.mp4")
