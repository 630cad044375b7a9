"""A session's life under faults, against the real server and the real ffmpeg: faults are
injected for real (kill -9 of ffmpeg, a stopped process, a closed port, a full file system)."""

from __future__ import annotations

import errno
import json
import os
import socket
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import ServerProcess
from ..media import encode_frame, make_wav, probe
from ..processes import cpu_seconds, kill_ffmpeg, pids_with, wait_until
from .client import RecordingClient
from .fake_youtube import FakeYouTube

W, H, FPS = 320, 180, 30


def _frames(first: int, last: int, image_format: str = "jpeg", width: int = W, height: int = H) -> dict[int, bytes]:
    return {index: encode_frame(index, width, height, image_format) for index in range(first, last)}


def _send(client: RecordingClient, session_id: str, frames: dict[int, bytes]) -> None:
    for index, data in frames.items():
        ack = client.send_frame(session_id, index, data)
        assert ack["ok"], ack


def _end(client: RecordingClient, session_id: str, count: int) -> None:
    ack = client.call("end_session", {"session_id": session_id, "frame_count": count})
    assert ack["ok"], ack


def _assert_exact(path: Path, count: int, audio: bool = True) -> None:
    facts = probe(path)
    assert facts.frame_indexes == [index % 256 for index in range(count)]  # frames spell their index in 8 bits
    assert facts.video_duration_s == pytest.approx(count / FPS, abs=1e-3)
    assert (facts.audio_codec == "aac") == audio


def _catch_mux(session_id: str) -> int:
    """The pid of the session's audio-mux ffmpeg, stopped (SIGSTOP) as soon as it appears."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # a tight scan: the mux pass is short
        for pid in pids_with(session_id, ".mp4.part"):
            os.kill(pid, signal.SIGSTOP)
            return pid
    raise AssertionError("the audio mux never started")


def _start_with_audio(client: RecordingClient, tmp_path: Path, seconds: float) -> str:
    """A session with its audio complete from the start."""
    audio = make_wav(tmp_path / "tone.wav", seconds)
    session_id = client.start(width=W, height=H, fps=FPS, format="jpeg",
                              audio={"filename": "tone.wav", "size": len(audio)})["session_id"]  # fmt: skip
    client.send_audio(session_id, audio)
    return session_id


def _healthz(server: ServerProcess) -> dict:
    with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:
        return json.load(response)


def test_killed_ffmpeg_is_restarted_from_the_spool_and_the_server_stays_idle(server, tmp_path):
    client = RecordingClient(server.url)
    session_id = _start_with_audio(client, tmp_path, 3.0)
    marker = str(server.work_dir / session_id)
    # 1. Twice during the first pass, while frames still arrive.
    for first, last in ((0, 30), (30, 60)):
        _send(client, session_id, _frames(first, last))
        kill_ffmpeg(marker)
    _send(client, session_id, _frames(60, 90))
    # 2. Once during the audio mux.
    mux = threading.Thread(target=lambda: os.kill(_catch_mux(session_id), signal.SIGKILL))
    mux.start()
    _end(client, session_id, 90)
    mux.join()
    ready = client.wait_for("video_ready")
    assert ready["frames"] == 90
    _assert_exact(server.output_dir / f"{session_id}.mp4", 90)
    assert sum("starting the encoder again" in line for line in server.lines) == 3
    assert "session_failed" not in client.events
    # 3. Nothing spins afterwards: a dead ffmpeg once kept a writer retrying EPIPE at 85 % CPU.
    before = cpu_seconds(server.process.pid)
    time.sleep(3)  # a measurement window, not a synchronisation
    assert cpu_seconds(server.process.pid) - before < 0.3
    assert _healthz(server)["encoders"] == 0
    client.close()


@pytest.fixture
def start_server(tmp_path):
    """Start a server with extra flags; every one started is stopped after the test, pass or fail."""
    started: list[ServerProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> ServerProcess:
        started.append(ServerProcess(tmp_path / "work", tmp_path / "output", list(args), env=env))
        return started[-1]

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def youtube(tmp_path):
    fake = FakeYouTube(tmp_path)
    yield fake
    fake.close()


def _with_youtube(start_server, tmp_path, youtube: FakeYouTube, token_uri: str, expired: bool) -> ServerProcess:
    token_file = tmp_path / "token.json"
    youtube.write_token_file(token_file, expired=expired)
    return start_server("--youtube-token-file", str(token_file), "--youtube-api-endpoint", youtube.endpoint,
                        "--youtube-token-uri", token_uri, "--max-concurrent-encodes", "1",
                        env={"HTTPLIB2_CA_CERTS": str(youtube.cert)})  # fmt: skip


def test_an_encoder_that_keeps_dying_fails_the_session_and_frees_its_slot(start_server):
    server = start_server("--encoder-restarts", "1", "--max-concurrent-encodes", "1")
    client = RecordingClient(server.url)
    session_id = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    _send(client, session_id, _frames(0, 10))
    kill_ffmpeg(str(server.work_dir / session_id))
    wait_until(lambda: any("restart 1 of 1" in line for line in server.lines), what="the restart")
    kill_ffmpeg(str(server.work_dir / session_id))
    failure = client.wait_for("session_failed")
    assert failure["error"]["code"] == "encode_failed" and "2 times" in failure["error"]["message"]
    # The slot is free: the next session is built.
    next_id = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    _send(client, next_id, _frames(0, 10))
    _end(client, next_id, 10)
    assert client.wait_for("video_ready")["session_id"] == next_id
    client.close()


def test_an_unreachable_token_endpoint_holds_no_encoder(start_server, tmp_path, youtube):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]  # nothing listens there once this closes
    # An expired token: the upload must reach the token endpoint first.
    server = _with_youtube(start_server, tmp_path, youtube, f"https://127.0.0.1:{dead_port}/token", expired=True)
    client = RecordingClient(server.url)
    first = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    _send(client, first, _frames(0, 15))
    _end(client, first, 15)
    assert client.wait_for("video_ready")["session_id"] == first
    client.wait_for_stage("uploading")
    assert _healthz(server)["encoders"] == 0
    second = client.start(width=W, height=H, fps=FPS, format="jpeg", upload=False)["session_id"]
    _send(client, second, _frames(0, 15))
    _end(client, second, 15)
    wait_until(lambda: len(client.events.get("video_ready", [])) == 2, what="the second video")
    _assert_exact(server.output_dir / f"{second}.mp4", 15, audio=False)
    assert youtube.inserts == 0
    client.close()


def test_a_resume_during_the_upload_changes_nothing(start_server, tmp_path, youtube):
    youtube.faults.pause_at_put = 1
    server = _with_youtube(start_server, tmp_path, youtube, youtube.endpoint + "/token", expired=False)
    client = RecordingClient(server.url)
    started = client.start(width=W, height=H, fps=FPS, format="jpeg")
    session_id = started["session_id"]
    _send(client, session_id, _frames(0, 15))
    _end(client, session_id, 15)
    assert youtube.paused.wait(60)
    other = RecordingClient(server.url)
    resumed = other.call("resume_session", {"session_id": session_id, "resume_token": started["resume_token"]})
    assert resumed["ok"] and resumed["state"] == "uploading"
    assert _healthz(server)["encoders"] == 0
    youtube.release.set()
    assert other.wait_for("upload_complete")["session_id"] == session_id
    assert youtube.inserts == 1 and other.call("session_status", {"session_id": session_id})["state"] == "done"
    assert sum("encoder ready" in line and session_id in line for line in server.lines) == 1
    other.close()
    client.close()


def test_six_sessions_in_a_row_on_one_connection(server):
    client = RecordingClient(server.url)
    for number in range(6):
        ack = client.call("start_session", {"width": W, "height": H, "fps": FPS, "format": "jpeg"})
        assert ack["ok"], f"render {number + 1}: {ack}"
        _send(client, ack["session_id"], _frames(0, 3))
        _end(client, ack["session_id"], 3)
        wait_until(lambda: len(client.events.get("video_ready", [])) == number + 1, what=f"video {number + 1}")
    client.close()


def test_the_frame_that_fills_a_gap_is_acknowledged_at_once(start_server):
    server = start_server("--x264-preset", "slow")
    client = RecordingClient(server.url)
    started = client.start(width=640, height=360, fps=FPS, format="jpeg")
    session_id = started["session_id"]
    _send(client, session_id, _frames(1, 300, width=640, height=360))
    gap = encode_frame(0, 640, 360, "jpeg")
    began = time.monotonic()
    assert client.send_frame(session_id, 0, gap)["frames_received"] == [[0, 299]]
    elapsed = time.monotonic() - began
    assert elapsed < 1.0, f"the gap-filling ack took {elapsed:.2f} s"
    # A resume on another connection is answered at once too, while the backlog is encoded.
    client.close()
    other = RecordingClient(server.url)
    began = time.monotonic()
    assert other.call("resume_session", {"session_id": session_id, "resume_token": started["resume_token"]})["ok"]
    assert time.monotonic() - began < 1.0
    _end(other, session_id, 300)
    other.wait_for("video_ready", timeout=180)
    _assert_exact(server.output_dir / f"{session_id}.mp4", 300, audio=False)
    other.close()


def test_cancel_during_the_mux_leaves_no_file_behind(server, tmp_path):
    client = RecordingClient(server.url)
    session_id = _start_with_audio(client, tmp_path, 1.0)
    _send(client, session_id, _frames(0, 30))
    caught: list[int] = []
    catcher = threading.Thread(target=lambda: caught.append(_catch_mux(session_id)))
    catcher.start()
    _end(client, session_id, 30)
    catcher.join()
    assert client.call("cancel_session", {"session_id": session_id})["ok"]
    try:
        os.kill(caught[0], signal.SIGCONT)  # if it still lived, it would now write its file again
    except ProcessLookupError:
        pass  # killed by the cancel, as it should be
    wait_until(lambda: not pids_with(session_id), what=f"the end of the mux (log: {server.lines[-5:]})")
    assert not list(server.output_dir.glob(f"{session_id}*")) and not (server.work_dir / session_id).exists()
    client.close()


def _fill_inodes(folder: Path) -> list[Path]:
    """Create empty files until the file system refuses: full, though bytes are still free."""
    folder.mkdir()
    made = []
    while True:
        try:
            path = folder / str(len(made))
            path.touch()
            made.append(path)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
            return made


def test_a_full_disk_answers_server_busy_and_loses_nothing(tmp_path):
    work = tmp_path / "small"
    work.mkdir()
    # Few inodes and plenty of bytes: the free-space check passes, the write itself fails.
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m,nr_inodes=64", "tmpfs", str(work)], check=True)
    server = None
    try:
        server = ServerProcess(work, tmp_path / "output", ["--min-free-disk-bytes", "0"])
        client = RecordingClient(server.url)
        session_id = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
        frames = _frames(0, 12)
        _send(client, session_id, {index: frames[index] for index in range(4)})
        fillers = _fill_inodes(work / "filler")
        refused = [client.send_frame(session_id, index, frames[index]) for index in range(4, 8)]
        assert {answer["error"]["code"] for answer in refused} == {"server_busy"}, refused
        assert "disk is full" in refused[0]["error"]["message"]
        assert not list(work.glob(f"{session_id}/frames/*.tmp")), "no half-written frame is left"
        for path in fillers:
            path.unlink()
        _send(client, session_id, {index: frames[index] for index in range(4, 12)})
        assert client.call("end_session", {"session_id": session_id, "frame_count": 12})["ok"]
        client.wait_for("video_ready")
        _assert_exact(server.output_dir / f"{session_id}.mp4", 12, audio=False)
        client.close()
    finally:
        if server is not None:
            server.stop()
        subprocess.run(["umount", "-l", str(work)], check=True)


def test_sigterm_during_the_restore_of_many_sessions_exits_cleanly(tmp_path):
    work, output = tmp_path / "work", tmp_path / "output"
    server = ServerProcess(work, output)
    client = RecordingClient(server.url)
    session_id = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    client.close()
    server.stop()
    manifest = (work / session_id / "manifest.json").read_text()
    for number in range(3000):  # enough sessions that the restore takes a while
        copy = work / f"{number:032x}"
        copy.mkdir()
        (copy / "manifest.json").write_text(manifest.replace(session_id, copy.name))
    command = [sys.executable, "-m", "visualizer_server", "--port", "0", "--work-dir", str(work), "--output-dir",
               str(output)]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(120, process.kill)  # a server that never logs the restore still ends the test
    watchdog.start()
    lines = []
    for line in process.stderr:
        lines.append(line)
        if "took in session" in line:  # the restore is under way
            process.send_signal(signal.SIGTERM)
            break
    lines.extend(process.stderr)
    watchdog.cancel()
    assert process.wait(timeout=60) == 0, "".join(lines[-20:])
    assert any("received SIGTERM" in line for line in lines)


def test_encoding_starts_while_small_frames_still_arrive(server):
    client = RecordingClient(server.url)
    session_id = client.start(width=640, height=360, fps=FPS, format="jpeg")["session_id"]
    _send(client, session_id, _frames(0, 60, width=640, height=360))
    encoded = wait_until(lambda: max((p["frames_encoded"] for p in client.events.get("progress", [])), default=0),
                         what="a frame encoded before the end")  # fmt: skip
    assert encoded > 0 and "video_ready" not in client.events
    _end(client, session_id, 60)
    client.wait_for("video_ready")
    client.close()
