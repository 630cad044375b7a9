"""A session's life under faults, against the real server and the real ffmpeg: faults are
injected for real (kill -9 of ffmpeg, a stopped process, a closed port, a full file system)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import ServerProcess
from ..media import encode_frame, encode_frames, make_wav, probe
from ..processes import catch_stopped, cpu_seconds, ffmpeg_stopping_once, kill_ffmpeg, pids_with, wait_until
from .client import RecordingClient
from .small_disk import fill_inodes, small_disk, tiny_output  # noqa: F401 - fixtures

W, H, FPS = 320, 180, 30


def _assert_exact(path: Path, count: int, audio: bool = True) -> None:
    facts = probe(path)
    assert facts.frame_indexes == [index % 256 for index in range(count)]  # frames spell their index in 8 bits
    assert facts.video_duration_s == pytest.approx(count / FPS, abs=1e-3)
    assert (facts.audio_codec == "aac") == audio


@pytest.fixture
def mux_stops_at_birth(tmp_path: Path) -> dict[str, str]:
    """A server's environment whose first audio mux waits, stopped, for the test (``_catch_mux``)."""
    return ffmpeg_stopping_once(tmp_path, ".mp4.part")


def _catch_mux(session_id: str) -> int:
    return catch_stopped(session_id, ".mp4.part")


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


def test_killed_ffmpeg_is_restarted_from_the_spool_and_the_server_stays_idle(start_server, connect, tmp_path,
                                                                            mux_stops_at_birth):  # fmt: skip
    """Slow (about 15 s): three encoder restarts, then a 3 s window of the server's CPU time."""
    # The open segment's ffmpeg waits a minute for its next frame, so the kills below find it: with the
    # default 3 s it closed early under load before the scan, and a segment sent up to its last frame
    # (60 at 30 fps) was made and gone before the scan (1 run in ~6 on two workers).
    server = start_server("--encoder-idle-ms", "60000", env=mux_stops_at_birth)
    client = connect(server.url)
    session_id = _start_with_audio(client, tmp_path, 3.0)
    marker = str(server.work_dir / session_id)
    # 1. Twice during the first segment, while its ffmpeg waits for the frames still to come.
    for first, last in ((0, 30), (30, 50)):
        client.send_frames(session_id, encode_frames(first, last, W, H))
        kill_ffmpeg(marker)
    client.send_frames(session_id, encode_frames(50, 90, W, H))
    # 2. Once during the audio mux.
    client.end(session_id, 90)
    os.kill(_catch_mux(session_id), signal.SIGKILL)
    ready = client.wait_for("video_ready")
    assert ready["frames"] == 90
    _assert_exact(server.output_dir / f"{session_id}.mp4", 90)
    # Two restarts of the segment being fed, one of the join (the finish's ffmpeg is tried again too).
    restarts = [line for line in server.lines if "again from the spool (restart" in line or "failed joining" in line]
    assert len(restarts) == 3, [line for line in server.lines if "WARNING" in line]
    assert "session_failed" not in client.events
    # 3. Nothing spins afterwards: a dead ffmpeg once kept a writer retrying EPIPE at 85 % CPU. The window
    # opens once the session's work is over (under load its last steps came late, into the window).
    wait_until(lambda: _healthz(server)["encoders"] == 0, what="the encoder slot's release")
    assert client.call("session_status", {"session_id": session_id})["state"] == "done"
    before = cpu_seconds(server.process.pid)
    time.sleep(3)  # a measurement window, not a synchronisation
    assert cpu_seconds(server.process.pid) - before < 0.3
    assert _healthz(server)["encoders"] == 0


def test_an_encoder_that_keeps_dying_fails_the_session_and_frees_its_slot(start_server, connect):
    # A minute's idle close: the restarted ffmpeg waits for frame 10 until the second kill finds it.
    server = start_server("--encoder-restarts", "1", "--max-concurrent-encodes", "1", "--encoder-idle-ms", "60000")
    client = connect(server.url)
    session_id = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    client.send_frames(session_id, encode_frames(0, 10, W, H))
    kill_ffmpeg(str(server.work_dir / session_id))
    wait_until(lambda: any("restart 1 of 1" in line for line in server.lines), what="the restart")
    kill_ffmpeg(str(server.work_dir / session_id))
    failure = client.wait_for("session_failed")
    assert failure["error"]["code"] == "encode_failed" and "2 times" in failure["error"]["message"]
    # The slot is free: the next session is built.
    next_id = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    client.send_frames(next_id, encode_frames(0, 10, W, H))
    client.end(next_id, 10)
    assert client.wait_for("video_ready")["session_id"] == next_id


def test_an_unreachable_token_endpoint_holds_no_encoder(start_youtube_server, connect, youtube, refused_port):
    dead_port = refused_port
    # An expired token: the upload must reach the token endpoint first.
    server = start_youtube_server("--max-concurrent-encodes", "1", token_uri=f"https://127.0.0.1:{dead_port}/token",
                                  expired_token=True)  # fmt: skip
    client = connect(server.url)
    first = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    client.send_frames(first, encode_frames(0, 15, W, H))
    client.end(first, 15)
    assert client.wait_for("video_ready")["session_id"] == first
    client.wait_for_stage("uploading")
    assert _healthz(server)["encoders"] == 0
    second = client.start(width=W, height=H, fps=FPS, format="jpeg", upload=False)["session_id"]
    client.send_frames(second, encode_frames(0, 15, W, H))
    client.end(second, 15)
    wait_until(lambda: len(client.events.get("video_ready", [])) == 2, what="the second video")
    _assert_exact(server.output_dir / f"{second}.mp4", 15, audio=False)
    assert youtube.inserts == 0


def test_a_resume_during_the_upload_changes_nothing(start_youtube_server, connect, youtube):
    youtube.faults.pause_at_put = 1
    server = start_youtube_server("--max-concurrent-encodes", "1")
    client = connect(server.url)
    started = client.start(width=W, height=H, fps=FPS, format="jpeg")
    session_id = started["session_id"]
    client.send_frames(session_id, encode_frames(0, 15, W, H))
    client.end(session_id, 15)
    assert youtube.paused.wait(60)
    other = connect(server.url)
    resumed = other.call("resume_session", {"session_id": session_id, "resume_token": started["resume_token"]})
    assert resumed["ok"] and resumed["state"] == "uploading"
    assert _healthz(server)["encoders"] == 0
    youtube.release.set()
    assert other.wait_for("upload_complete")["session_id"] == session_id
    assert youtube.inserts == 1 and other.call("session_status", {"session_id": session_id})["state"] == "done"
    assert sum("encoder ready" in line and session_id in line for line in server.lines) == 1


def test_six_sessions_in_a_row_on_one_connection(server, connect):
    client = connect(server.url)
    for number in range(6):
        ack = client.call("start_session", {"width": W, "height": H, "fps": FPS, "format": "jpeg"})
        assert ack["ok"], f"render {number + 1}: {ack}"
        client.send_frames(ack["session_id"], encode_frames(0, 3, W, H))
        client.end(ack["session_id"], 3)
        wait_until(lambda: len(client.events.get("video_ready", [])) == number + 1, what=f"video {number + 1}")


def test_the_frame_that_fills_a_gap_is_acknowledged_at_once(start_server, connect, tmp_path):
    """The frame that fills the gap starts the encode of the whole backlog; its ack must not wait for it.

    The encoder is stopped at its start (once it has the backlog to take): an ack or a resume that
    waited for it would never come, and the bounds measure the server alone. Under a busy ``slow``
    preset they measured the machine's load too.
    """
    server = start_server(env=ffmpeg_stopping_once(tmp_path, "-i pipe:0"))
    client = connect(server.url)
    started = client.start(width=640, height=360, fps=FPS, format="jpeg")
    session_id = started["session_id"]
    client.send_frames(session_id, encode_frames(1, 300, 640, 360))
    gap = encode_frame(0, 640, 360, "jpeg")
    began = time.monotonic()
    assert client.send_frame(session_id, 0, gap)["frames_received"] == [[0, 299]]
    elapsed = time.monotonic() - began
    assert elapsed < 1.0, f"the gap-filling ack took {elapsed:.2f} s"
    encoder = catch_stopped(str(server.work_dir / session_id))
    # A resume on another connection is answered at once too, while the backlog waits to be encoded.
    client.close()
    other = connect(server.url)
    began = time.monotonic()
    assert other.call("resume_session", {"session_id": session_id, "resume_token": started["resume_token"]})["ok"]
    assert time.monotonic() - began < 1.0
    os.kill(encoder, signal.SIGCONT)
    other.end(session_id, 300)
    other.wait_for("video_ready", timeout=180)
    _assert_exact(server.output_dir / f"{session_id}.mp4", 300, audio=False)


def test_cancel_during_the_mux_leaves_no_file_behind(start_server, connect, tmp_path, mux_stops_at_birth):
    server = start_server(env=mux_stops_at_birth)
    client = connect(server.url)
    session_id = _start_with_audio(client, tmp_path, 1.0)
    client.send_frames(session_id, encode_frames(0, 30, W, H))
    client.end(session_id, 30)
    mux = _catch_mux(session_id)
    assert client.call("cancel_session", {"session_id": session_id})["ok"]
    try:
        os.kill(mux, signal.SIGCONT)  # if it still lived, it would now write its file again
    except ProcessLookupError:
        pass  # killed by the cancel, as it should be
    wait_until(lambda: not pids_with(session_id), what=f"the end of the mux (log: {server.lines[-5:]})")
    assert not list(server.output_dir.glob(f"{session_id}*")) and not (server.work_dir / session_id).exists()


def test_a_full_disk_answers_server_busy_and_loses_nothing(small_disk, start_server, connect):
    work = small_disk
    server = start_server("--min-free-disk-bytes", "0", work=work)
    client = connect(server.url)
    session_id = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    frames = encode_frames(0, 12, W, H)
    client.send_frames(session_id, {index: frames[index] for index in range(4)})
    fillers = fill_inodes(work / "filler")
    refused = [client.send_frame(session_id, index, frames[index]) for index in range(4, 8)]
    assert {answer["error"]["code"] for answer in refused} == {"server_busy"}, refused
    assert "disk is full" in refused[0]["error"]["message"]
    assert not list(work.glob(f"{session_id}/frames/*.tmp")), "no half-written frame is left"
    for path in fillers:
        path.unlink()
    client.send_frames(session_id, {index: frames[index] for index in range(4, 12)})
    assert client.call("end_session", {"session_id": session_id, "frame_count": 12})["ok"]
    client.wait_for("video_ready")
    _assert_exact(server.output_dir / f"{session_id}.mp4", 12, audio=False)


def test_an_encoder_that_finds_the_disk_full_waits_for_room_and_loses_nothing(small_disk, start_server, connect):
    """Once frame 0 is stored the disk has no inode left: the segment's ffmpeg cannot make its file.
    That is no crash (before, four at once failed the session): the encode waits, the client is told,
    and once there is room the video is made, no restart counted."""
    work = small_disk
    server = start_server("--min-free-disk-bytes", "0", work=work)
    client = connect(server.url)
    session_id = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    frames = encode_frames(0, 12, W, H)
    fillers = fill_inodes(work / "filler")
    for path in fillers[-2:]:  # room for frame 0 and its folder, none for ffmpeg's segment
        path.unlink()
    client.send_frames(session_id, {0: frames[0]})
    waiting = client.wait_for_progress(lambda report: report["waiting_for_disk"], "waiting for disk space")
    assert waiting["frames_encoded"] == 0
    assert client.send_frame(session_id, 1, frames[1])["error"]["code"] == "server_busy"
    for path in fillers[:-2]:
        path.unlink()
    client.send_frames(session_id, {index: frames[index] for index in range(1, 12)})
    assert client.call("end_session", {"session_id": session_id, "frame_count": 12})["ok"]
    client.wait_for("video_ready")
    _assert_exact(server.output_dir / f"{session_id}.mp4", 12, audio=False)
    assert not client.events["progress"][-1]["waiting_for_disk"]
    assert "restart" not in "".join(server.lines), "waiting for room is not a restart"


def test_a_join_that_finds_its_disk_full_removes_its_partial_file_and_waits_for_room(tiny_output, start_server,
                                                                                    connect):  # fmt: skip
    """The join's ffmpeg runs out of room in the output folder: the partial video it wrote is removed
    (it may be what fills the disk), the client is told, and once the file system grows the video is made."""
    server = start_server("--min-free-disk-bytes", "0", output=tiny_output)
    client = connect(server.url)
    session_id = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    client.send_frames(session_id, encode_frames(0, 12, W, H))
    client.end(session_id, 12)
    client.wait_for_progress(lambda report: report["waiting_for_disk"], "waiting for disk space")
    assert not list(tiny_output.glob("*.part")), "the join's partial file is removed while it waits"
    subprocess.run(["mount", "-o", "remount,size=32m", str(tiny_output)], check=True)
    client.wait_for("video_ready")
    _assert_exact(tiny_output / f"{session_id}.mp4", 12, audio=False)


def test_a_session_that_expires_on_a_full_disk_is_told_and_recorded_once_there_is_room(small_disk, start_server,
                                                                                       connect):  # fmt: skip
    """The server's own moves happen on a full disk: before, the expiry's manifest could not be written,
    so the move did not happen, and the session waited, unexpired and untold, for ever."""
    work = small_disk
    server = start_server("--idle-timeout-s", "1", "--sweep-interval-s", "1", "--min-free-disk-bytes", "0", work=work)
    client = connect(server.url)
    session_id = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    fillers = fill_inodes(work / "filler")
    assert client.wait_for("session_failed")["error"]["code"] == "expired"
    manifest = work / session_id / "manifest.json"
    assert json.loads(manifest.read_text())["state"] == "receiving", "the disk was full: nothing was written"
    for path in fillers:
        path.unlink()
    wait_until(lambda: json.loads(manifest.read_text())["state"] == "expired", what="the sweep's save of the manifest")


def test_a_restart_that_finds_the_video_published_but_not_recorded_announces_it(start_server, connect):
    """What a full disk through both saves of ``done`` leaves, then a kill before the next sweep: the
    video published, the spool removed (the cleanup's first step, to make room), the manifest still
    at ``muxing``. Before, the restart took that for an encode to do again, from a spool that is gone,
    and the session waited in ``encoding`` for frames that would never come."""
    server = start_server()
    client = connect(server.url)
    started = client.start(width=W, height=H, fps=FPS, format="jpeg")
    session_id, token = started["session_id"], started["resume_token"]
    client.send_frames(session_id, encode_frames(0, 12, W, H))
    client.end(session_id, 12)
    client.wait_for("video_ready")
    folder = server.work_dir / session_id
    wait_until(lambda: json.loads((folder / "manifest.json").read_text())["state"] == "done", what="the move to done")
    wait_until(lambda: not (folder / "frames").exists(), what="the cleanup of the spool")
    server.kill()
    client.close()
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "state": "muxing"}))
    assert not list(folder.glob("frames/*")) and not list(folder.glob("segments/*")), "the cleanup removed the spool"

    server = start_server()
    client = connect(server.url)
    resumed = client.call("resume_session", {"session_id": session_id, "resume_token": token})
    assert resumed["state"] == "done" and resumed["frames_encoded"] == 12, resumed
    assert json.loads((folder / "manifest.json").read_text())["state"] == "done", "recorded this time"
    _assert_exact(server.output_dir / f"{session_id}.mp4", 12, audio=False)


def test_sigterm_during_the_restore_of_many_sessions_exits_cleanly(start_server, connect):
    """Slow (about 10 s): 3,000 sessions are written for the restart to restore."""
    server = start_server()
    work, output = server.work_dir, server.output_dir
    client = connect(server.url)
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
    try:
        for line in process.stderr:
            lines.append(line)
            if "took in session" in line:  # the restore is under way
                process.send_signal(signal.SIGTERM)
                break
        lines.extend(process.stderr)
        watchdog.cancel()
        assert process.wait(timeout=60) == 0, "".join(lines[-20:])
    finally:
        watchdog.cancel()
        process.kill()
    assert any("received SIGTERM" in line for line in lines)


def test_encoding_starts_while_small_frames_still_arrive(server, connect):
    client = connect(server.url)
    session_id = client.start(width=640, height=360, fps=FPS, format="jpeg")["session_id"]
    client.send_frames(session_id, encode_frames(0, 60, 640, 360))
    encoded = wait_until(lambda: max((p["frames_encoded"] for p in client.events.get("progress", [])), default=0),
                         what="a frame encoded before the end")  # fmt: skip
    assert encoded > 0 and "video_ready" not in client.events
    client.end(session_id, 60)
    client.wait_for("video_ready")
