"""``visualizer-client`` against a real server over loopback, as a user runs it."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ..media import encode_frame, make_wav, probe

WIDTH, HEIGHT, FRAMES = 320, 180, 60


def _client(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "visualizer_server.client", *args],
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("frames")
    for index in range(FRAMES):
        (folder / f"{index:04d}.png").write_bytes(encode_frame(index, WIDTH, HEIGHT, "png"))
    return folder


def test_ping_prints_the_echo_and_the_round_trip(server):
    result = _client("ping", server.url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Cheers, ") and result.stdout.strip().endswith("ms)")


def test_ping_errors_say_what_is_wrong(start_server, refused_port):
    down = _client("ping", f"http://127.0.0.1:{refused_port}")
    assert down.returncode == 1 and "cannot connect" in down.stderr and "is the server running" in down.stderr
    guarded = start_server("--token", "right")
    wrong = _client("ping", guarded.url, "--token", "wrong")
    assert wrong.returncode == 1 and "unauthorized" in wrong.stderr
    assert _client("ping", guarded.url, "--token", "right").returncode == 0


def test_send_a_folder_with_audio_makes_the_video(server, frames, tmp_path):
    make_wav(tmp_path / "tone.wav", 2.0)
    output = tmp_path / "video.mp4"
    result = _client("send", str(frames), "--server", server.url, "--audio", str(tmp_path / "tone.wav"),
                     "--output", str(output))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(server.url + "/videos/")
    facts = probe(output)
    assert facts.frame_indexes == list(range(FRAMES)) and facts.audio_codec == "aac"
    assert facts.video_duration_s == pytest.approx(2.0, abs=1e-3)


def test_send_encode_sends_h264_the_server_only_muxes(server, frames, tmp_path):
    make_wav(tmp_path / "tone.wav", 2.0)
    output = tmp_path / "video.mp4"
    result = _client("send", str(frames), "--encode", "--server", server.url, "--audio", str(tmp_path / "tone.wav"),
                     "--output", str(output))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"{FRAMES} h264 frames of {WIDTH}x{HEIGHT}" in result.stderr
    facts = probe(output)
    assert facts.frame_indexes == list(range(FRAMES)) and facts.audio_codec == "aac"
    assert facts.video_duration_s == pytest.approx(2.0, abs=1e-3)
    assert (facts.pix_fmt, facts.color_range, facts.colour_tags) == ("yuv420p", 1, (1, 1, 1))
    assert any(f"({WIDTH}x{HEIGHT} h264 @" in line for line in server.lines), "the server was sent images"


def test_send_survives_a_dropped_connection(server, frames, tmp_path, cutting_proxy):
    port = int(server.url.rsplit(":", 1)[1])
    proxy = cutting_proxy(port, cut_after_bytes=len((frames / "0000.png").read_bytes()) * 20)
    result = _client("send", str(frames), "--server", proxy.url, "--output", str(tmp_path / "v.mp4"))
    assert result.returncode == 0, result.stderr
    assert proxy.cuts == 1 and proxy.connections >= 2
    assert "session resumed" in result.stderr
    assert probe(tmp_path / "v.mp4").frame_indexes == list(range(FRAMES))


def test_send_upload_prints_the_youtube_watch_url(frames, youtube, start_youtube_server):
    server = start_youtube_server()
    result = _client("send", str(frames), "--server", server.url, "--upload", "--title", "From the CLI")
    assert result.returncode == 0, result.stderr
    [upload] = youtube.uploads.values()
    assert upload.metadata["snippet"]["title"] == "From the CLI"
    video_url, watch_url = result.stdout.split()
    assert video_url.startswith(server.url + "/videos/")
    assert watch_url == f"https://www.youtube.com/watch?v={upload.video_id}"


def test_send_finishes_when_the_connection_drops_after_end_session(server, frames, tmp_path, cutting_proxy):
    port = int(server.url.rsplit(":", 1)[1])
    proxy = cutting_proxy(port, cut_at_reply=b"video_ready")  # the session ends while the client is away
    result = _client("send", str(frames), "--server", proxy.url, "--output", str(tmp_path / "v.mp4"), timeout=120)
    assert result.returncode == 0, result.stderr
    assert proxy.cuts == 1 and "session resumed" in result.stderr
    assert result.stdout.strip().startswith(proxy.url + "/videos/")
    assert probe(tmp_path / "v.mp4").frame_indexes == list(range(FRAMES))


def _read_until(process: subprocess.Popen, text: str, timeout_s: float) -> tuple[list[str], threading.Thread]:
    """Read the process's stderr in a thread until it ends; return once a line holds ``text``."""
    lines: list[str] = []
    seen = threading.Event()

    def read() -> None:
        for line in process.stderr:
            lines.append(line)
            if text in line:
                seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert seen.wait(timeout_s), f"no {text!r} within {timeout_s} s: {lines}"
    return lines, reader


def test_ctrl_c_without_a_connection_says_the_session_stays(server, frames, cutting_proxy):
    port = int(server.url.rsplit(":", 1)[1])
    frame_bytes = len((frames / "0000.png").read_bytes())
    proxy = cutting_proxy(port, cut_after_bytes=frame_bytes * 20, refuse_after_cut=True)
    client = subprocess.Popen([sys.executable, "-m", "visualizer_server.client", "send", str(frames),
                               "--server", proxy.url], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)  # fmt: skip
    try:
        lines, reader = _read_until(client, "connection lost: reconnecting", 60)
        client.send_signal(signal.SIGINT)
        assert client.wait(timeout=30) == 130
        # Its last words are read once its stderr ends, which its exit brings: wait for that, not for a
        # window (a reader still busy after 10 s on a loaded machine left the sentence unread).
        reader.join(timeout=60)
        assert not reader.is_alive()
    finally:
        client.kill()
    said = "".join(lines)
    assert "could not be told" in said and "removed from the server" not in said
    assert proxy.connections == 1  # it never got back in
    assert [path.name for path in server.work_dir.iterdir()]  # the session is still there


def test_bad_folders_are_refused_before_anything_is_sent(frames, tmp_path, refused_port):
    """Slow (about 12 s): runs the CLI five times (a folder each), each a fresh Python process importing the client."""
    nowhere = f"http://127.0.0.1:{refused_port}"  # nothing listens: the check must come first
    empty = tmp_path / "empty"
    empty.mkdir()
    mixed = tmp_path / "mixed"
    shutil.copytree(frames, mixed)
    (mixed / "9999.jpg").write_bytes(encode_frame(0, WIDTH, HEIGHT, "jpeg"))
    sized = tmp_path / "sized"
    shutil.copytree(frames, sized)
    (sized / "9999.png").write_bytes(encode_frame(0, WIDTH + 2, HEIGHT, "png"))
    odd = tmp_path / "odd"
    shutil.copytree(frames, odd)
    (odd / "notes.txt").write_text("hello")
    for folder, message in ((empty, "holds no frames"), (mixed, "mixes formats"), (sized, "differ in size"),
                            (odd, "notes.txt is not a frame"), (tmp_path / "absent", "is not a folder")):  # fmt: skip
        result = _client("send", str(folder), "--server", nowhere)
        assert result.returncode == 1 and message in result.stderr, (folder, result.stderr)


def test_send_to_a_server_that_is_down_or_guarded_fails_clearly(frames, start_server, refused_port):
    down = _client("send", str(frames), "--server", f"http://127.0.0.1:{refused_port}")
    assert down.returncode == 1 and "cannot connect" in down.stderr
    guarded = start_server("--token", "right")
    wrong = _client("send", str(frames), "--server", guarded.url, "--token", "wrong")
    assert wrong.returncode == 1 and "unauthorized" in wrong.stderr
