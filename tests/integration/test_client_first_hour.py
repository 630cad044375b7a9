"""``visualizer-client`` as a new user meets it: Ctrl-C, addresses, folders, help, YouTube, sessions left.

Every test runs the real command in a subprocess against a real server over loopback, with a
real SIGINT or ``kill -9`` where a user would press Ctrl-C or close the terminal.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest

from ..conftest import ServerProcess
from ..media import encode_frame, make_wav, probe
from ..processes import wait_until
from .client import RecordingClient
from .test_youtube_upload import CHUNKED

WIDTH, HEIGHT = 64, 36
CLIENT = (sys.executable, "-m", "visualizer_server.client")


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """This test's session book (the client's local state file), never the user's."""
    return tmp_path / "state" / "sessions.json"


def _env(state: Path) -> dict[str, str]:
    return {**os.environ, "VISUALIZER_CLIENT_STATE": str(state), "PYTHONWARNINGS": "ignore"}


def _client(state: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([*CLIENT, *args], capture_output=True, text=True, timeout=timeout, env=_env(state))


@pytest.fixture
def start_client() -> Iterator[Callable[..., subprocess.Popen]]:
    """``start_client(state, *args)``: the real command left running (to be signalled, or read line by line),
    killed after the test whatever it did."""
    started: list[subprocess.Popen] = []

    def start(state: Path, *args: str) -> subprocess.Popen:
        started.append(subprocess.Popen([*CLIENT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env=_env(state)))  # fmt: skip
        return started[-1]

    yield start
    for process in started:
        process.kill()
        process.wait()


def _frames(folder: Path, numbers, image_format: str = "jpeg", name: str = "{:04d}") -> Path:
    folder.mkdir(parents=True)
    suffix = {"jpeg": "jpg", "png": "png"}[image_format]
    for number in numbers:
        (folder / f"{name.format(number)}.{suffix}").write_bytes(encode_frame(number, WIDTH, HEIGHT, image_format))
    return folder


def _book(state: Path) -> list[dict]:
    try:
        return json.loads(state.read_text())["sessions"]
    except FileNotFoundError:
        return []


def _session_folders(server: ServerProcess) -> list[Path]:
    return [path for path in server.work_dir.iterdir() if path.is_dir()] if server.work_dir.is_dir() else []


def _interrupted_send(start_client: Callable[..., subprocess.Popen], server: ServerProcess, state: Path, frames: Path,
                      stop: signal.Signals, *extra: str) -> subprocess.Popen:  # fmt: skip
    """Start ``send`` (with the ``start_client`` fixture) and stop it with ``stop`` mid-session; return the process.

    SIGKILL waits until the client has noted the session (what it left is the point);
    SIGINT only until the server has the session's folder, as a user would press Ctrl-C.
    """
    client = start_client(state, "send", str(frames), "--server", server.url, *extra)
    started = (lambda: _book(state)) if stop == signal.SIGKILL else (lambda: _session_folders(server))
    wait_until(lambda: started() or client.poll() is not None, 60, "the session's start")
    assert client.poll() is None, client.communicate()
    client.send_signal(stop)
    client.wait(timeout=60)
    return client


@pytest.fixture(scope="module")
def many_frames(tmp_path_factory) -> Path:
    """Enough frames that a send sent one at a time is still going when it is interrupted."""
    return _frames(tmp_path_factory.mktemp("many") / "frames", range(1500))


@pytest.fixture
def slow_server(start_server) -> ServerProcess:
    """One frame in flight at a time: a send of ``many_frames`` takes seconds."""
    return start_server("--window", "1")


class BusySession:
    """A session that keeps an encoder busy: a thread sends it a frame every few milliseconds until ``stop``."""

    def __init__(self, client: RecordingClient) -> None:
        self.client = client
        self.session_id = client.start(width=WIDTH, height=HEIGHT, fps=30, format="jpeg")["session_id"]
        self._stopped = threading.Event()
        self._feeder = threading.Thread(target=self._feed, daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        index = 0
        while not self._stopped.is_set():
            assert self.client.send_frame(self.session_id, index, encode_frame(index, WIDTH, HEIGHT, "jpeg"))["ok"]
            index += 1

    def stop(self) -> None:
        self._stopped.set()
        self._feeder.join(timeout=30)


@pytest.fixture
def busy_session(connect) -> Iterator[Callable[[ServerProcess], BusySession]]:
    """``busy_session(server)``: a BusySession on its own client, stopped after the test (before the client closes)."""
    started: list[BusySession] = []

    def start(server: ServerProcess) -> BusySession:
        started.append(BusySession(connect(server.url)))
        return started[-1]

    yield start
    for session in started:
        session.stop()


def test_ctrl_c_cancels_the_session_on_the_server(slow_server, start_client, many_frames, state):
    client = _interrupted_send(start_client, slow_server, state, many_frames, signal.SIGINT)
    said = client.stderr.read()
    assert client.returncode == 130, said
    assert "removed from the server" in said and "could not be told" not in said, said
    assert "Traceback" not in said
    wait_until(lambda: not _session_folders(slow_server), 30, "the session's files removed")
    assert _book(state) == []  # nothing left to resume


def test_server_addresses_without_a_scheme_work_and_other_schemes_are_a_sentence(server, state):
    port = server.url.rsplit(":", 1)[1]
    for address in (f"127.0.0.1:{port}", f"localhost:{port}"):
        result = _client(state, "ping", address)
        assert result.returncode == 0 and result.stdout.startswith("Cheers, "), (address, result.stderr)
    for address in (f"ftp://127.0.0.1:{port}", "127.0.0.1:port"):
        result = _client(state, "ping", address)
        assert result.returncode == 2 and "not a server address" in result.stderr, (address, result.stderr)
        assert "Traceback" not in result.stderr


def test_send_takes_a_server_address_without_a_scheme(server, state, tmp_path):
    frames = _frames(tmp_path / "frames", range(10))
    result = _client(state, "send", str(frames), "--server", "localhost:" + server.url.rsplit(":", 1)[1])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("http://localhost:")


def test_an_empty_folder_says_which_files_are_expected(state, tmp_path):
    (tmp_path / "empty").mkdir()
    result = _client(state, "send", str(tmp_path / "empty"), "--server", "127.0.0.1:9")
    assert result.returncode == 1
    assert "holds no frames" in result.stderr and "0001.png" in result.stderr and ".jpg" in result.stderr


def test_gaps_in_the_numbering_are_refused_unless_asked(server, state, tmp_path):
    frames = _frames(tmp_path / "frames", (1, 2, 3, 7))
    refused = _client(state, "send", str(frames), "--server", server.url)
    assert refused.returncode == 1 and "frames 4 to 6 are missing" in refused.stderr and "--allow-gaps" in refused.stderr
    assert not _session_folders(server)  # refused before anything was sent
    output = tmp_path / "video.mp4"
    allowed = _client(state, "send", str(frames), "--server", server.url, "--allow-gaps", "--output", str(output))
    assert allowed.returncode == 0, allowed.stderr
    assert "frames 4 to 6 are missing" in allowed.stderr  # said, though sent
    assert probe(output).frame_indexes == [1, 2, 3, 7]


def test_frames_go_in_number_order_not_name_order(server, state, tmp_path):
    frames = _frames(tmp_path / "frames", range(1, 13), name="{}")  # 1.jpg ... 12.jpg: "10" sorts before "2"
    output = tmp_path / "video.mp4"
    result = _client(state, "send", str(frames), "--server", server.url, "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert probe(output).frame_indexes == list(range(1, 13))


def test_every_argument_has_help_and_its_default(state):
    send = _client(state, "send", "--help").stdout
    for words in ("numbered images", "frames per second of the video (default 30)", "access token",
                  "YouTube title", "(default http://127.0.0.1:3000", "--allow-gaps", "--resume SESSION"):  # fmt: skip
        assert words in " ".join(send.split()), words
    ping = " ".join(_client(state, "ping", "--help").stdout.split())
    assert "host:port (default: http://127.0.0.1:3000)" in ping and "access token" in ping
    top = _client(state, "--help").stdout
    for command in ("ping", "send", "list", "status", "cancel"):
        assert f"    {command} " in top, command


def test_upload_without_youtube_says_drop_upload(server, state, tmp_path):
    frames = _frames(tmp_path / "frames", range(5))
    result = _client(state, "send", str(frames), "--server", server.url, "--upload")
    assert result.returncode == 1
    assert "drop --upload" in result.stderr and "upload: false" not in result.stderr, result.stderr
    assert _book(state) == []


def test_a_failed_upload_prints_the_kept_video_and_the_server_logs_why(state, tmp_path, youtube, start_youtube_server):
    frames = _frames(tmp_path / "frames", range(15))
    youtube.faults.quota_on_insert = True
    server = start_youtube_server(*CHUNKED)
    result = _client(state, "send", str(frames), "--server", server.url, "--upload", "--output",
                     str(tmp_path / "unused.mp4"))  # fmt: skip
    server.stop()  # its log is read below: whole once it has exited
    assert result.returncode == 1 and "upload_quota" in result.stderr, result.stderr
    [url] = result.stdout.split()
    session_id = url.rsplit("/", 1)[1].split(".")[0]
    assert url == f"{server.url}/videos/{session_id}.mp4"
    assert probe(server.output_dir / f"{session_id}.mp4").frame_indexes == list(range(15))
    [logged] = [line for line in server.lines if "upload failed" in line]
    assert session_id in logged and "(upload_quota)" in logged and "quota" in logged.split("(upload_quota)")[1]


def test_a_send_waiting_for_an_encoder_says_why(tmp_path, state, start_server, busy_session, start_client):
    server = start_server("--max-concurrent-encodes", "1")
    # Another session keeps the only encoder busy: it sends a frame every few milliseconds.
    busy = busy_session(server)
    wait_until(lambda: any(p["frames_encoded"] for p in busy.client.events.get("progress", [])), 60,
               "the busy session holding the encoder")
    frames = _frames(tmp_path / "frames", range(10))
    client = start_client(state, "send", str(frames), "--server", server.url)
    lines: list[str] = []
    waiting = threading.Event()

    def read() -> None:
        for line in client.stderr:
            lines.append(line)
            if "waiting for a free encoder" in line:
                waiting.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert waiting.wait(60), "".join(lines)
    busy.stop()
    busy.client.call("cancel_session", {"session_id": busy.session_id})
    assert client.wait(timeout=120) == 0, "".join(lines)
    reader.join(timeout=10)
    assert client.stdout.read().strip().startswith(server.url + "/videos/")


def test_a_send_cut_short_is_listed_resumed_and_finished(slow_server, start_client, many_frames, state, tmp_path):
    """Slow (about 20 s): runs the client four times, each a fresh Python process; the last sends nearly all
    of 1,500 frames, one round trip at a time (the server's --window 1)."""
    make_wav(tmp_path / "tone.wav", 1.0)
    client = _interrupted_send(start_client, slow_server, state, many_frames, signal.SIGKILL,
                               "--audio", str(tmp_path / "tone.wav"))  # fmt: skip
    assert client.returncode == -signal.SIGKILL
    [left] = _book(state)
    assert os.stat(state).st_mode & 0o777 == 0o600  # it holds resume tokens
    short = left["session_id"][:8]
    listed = _client(state, "list")
    assert listed.returncode == 0 and left["session_id"] in listed.stdout and str(many_frames) in listed.stdout
    status = _client(state, "status", short)
    assert status.returncode == 0 and "receiving" in status.stdout, status.stderr
    output = tmp_path / "video.mp4"
    resumed = _client(state, "send", "--resume", short, "--output", str(output))
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip() == f"{slow_server.url}/videos/{left['session_id']}.mp4"
    facts = probe(output)
    assert facts.frame_indexes == [index % 256 for index in range(1500)]  # the frames spell 8 bits
    assert facts.audio_codec == "aac"
    assert _book(state) == []


def test_a_send_cut_short_can_be_cancelled_later(slow_server, start_client, many_frames, state):
    _interrupted_send(start_client, slow_server, state, many_frames, signal.SIGKILL)
    [left] = _book(state)
    wait_until(lambda: _session_folders(slow_server), 30, "the session's folder")
    cancelled = _client(state, "cancel", left["session_id"][:6])
    assert cancelled.returncode == 0 and "removed from the server" in cancelled.stderr, cancelled.stderr
    wait_until(lambda: not _session_folders(slow_server), 30, "the session's files removed")
    assert _book(state) == []
    again = _client(state, "cancel", left["session_id"][:6])
    assert again.returncode == 1 and "no session" in again.stderr and "'visualizer-client list'" in again.stderr


def test_the_client_says_only_what_is_wrong(tmp_path, state):
    # With Python's default warnings (no PYTHONWARNINGS): no notice of the server's libraries reaches the user.
    (tmp_path / "empty").mkdir()
    env = {key: value for key, value in _env(state).items() if key != "PYTHONWARNINGS"}
    result = subprocess.run([*CLIENT, "send", str(tmp_path / "empty"), "--server", "127.0.0.1:9"],
                            capture_output=True, text=True, timeout=60, env=env)  # fmt: skip
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
