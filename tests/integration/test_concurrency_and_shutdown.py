"""Several sessions at once, encoder slots, and a graceful SIGTERM."""

from __future__ import annotations

import json
import threading
from typing import Callable

from ..conftest import ServerProcess
from ..media import encode_frame, make_wav, probe
from .client import RecordingClient

WIDTH, HEIGHT, FRAMES = 320, 180, 45


def _session(server: ServerProcess, connect: Callable[..., RecordingClient], results: dict, key: int, tmp_path) -> None:
    client = connect(server.url)
    audio = make_wav(tmp_path / f"tone{key}.wav", 1.5)
    session_id = client.start(width=WIDTH, height=HEIGHT, fps=30, format=["jpeg", "png", "rgba", "webp"][key],
                              audio={"filename": "a.wav", "size": len(audio)})["session_id"]  # fmt: skip
    client.send_audio(session_id, audio)
    for index in range(FRAMES):
        frame = encode_frame(index + 100 * key, WIDTH, HEIGHT, ["jpeg", "png", "rgba", "webp"][key])
        assert client.send_frame(session_id, index, frame)["ok"]
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]
    client.wait_for("video_ready")
    results[key] = (session_id, client.events["progress"])


def test_four_sessions_from_four_connections_each_make_their_own_video(tmp_path, start_server, connect):
    """Slow (four whole sessions with audio, two at a time): concurrency is shown by doing it."""
    # Two encoder slots for four sessions: two wait their turn, and say so.
    server = start_server("--max-concurrent-encodes", "2")
    results: dict = {}
    threads = [threading.Thread(target=_session, args=(server, connect, results, key, tmp_path)) for key in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(results) == [0, 1, 2, 3]
    for key, (session_id, _) in results.items():
        facts = probe(tmp_path / "output" / f"{session_id}.mp4")
        assert facts.frame_indexes == [(index + 100 * key) % 256 for index in range(FRAMES)]
        assert facts.audio_codec == "aac"


def test_sigterm_lets_an_ending_encode_finish_and_keeps_other_sessions_resumable(tmp_path, start_server, connect):
    server = start_server()
    client = connect(server.url)
    ended = client.start(width=WIDTH, height=HEIGHT, fps=30, format="png")["session_id"]
    open_session = client.start(width=WIDTH, height=HEIGHT, fps=30, format="png")
    for index in range(FRAMES):
        client.send_frame(ended, index, encode_frame(index, WIDTH, HEIGHT, "png"))
        client.send_frame(open_session["session_id"], index, encode_frame(index, WIDTH, HEIGHT, "png"))
    assert client.call("end_session", {"session_id": ended, "frame_count": FRAMES})["ok"]
    assert server.stop() == 0  # SIGTERM, right after the end was acknowledged
    client.close()

    assert probe(tmp_path / "output" / f"{ended}.mp4").frame_indexes == list(range(FRAMES))
    manifest = json.loads((tmp_path / "work" / ended / "manifest.json").read_text())
    assert manifest["state"] == "done"

    restarted = start_server()
    again = connect(restarted.url)
    resumed = again.call("resume_session", {"session_id": open_session["session_id"],
                                            "resume_token": open_session["resume_token"]})  # fmt: skip
    assert resumed["frames_received"] == [[0, FRAMES - 1]]
