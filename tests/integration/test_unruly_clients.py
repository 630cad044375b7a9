"""Clients that do not play by the rules: a flood past the window, slowloris, a client that stops reading.

Each fails against the server before flow control and connection hygiene: the flood grew
the server by the size of everything sent, and 1,100 half-open connections filled eventlet's
pool of 1,024, so /healthz and new Socket.IO clients waited until the attacker let go.
"""

from __future__ import annotations

import re
import resource
import selectors
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

import pytest
import websocket

from ..media import encode_frame
from ..processes import wait_until
from .client import RecordingClient
from .metrics import read_metrics

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
HALF_OPEN = 1100
HALF_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: visualizer\r\n"  # a request line and one header, never finished


def _status_mb(pid: int, field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of a process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) / 1024


def _run_session(connect: Callable[..., RecordingClient], url: str, frames: int = 30) -> dict:
    """A whole small session from 127.0.0.1; returns its video_ready."""
    client = connect(url)
    session_id = client.start(width=320, height=180, fps=30, format="jpeg")["session_id"]
    for index in range(frames):
        assert client.send_frame(session_id, index, encode_frame(index, 320, 180, "jpeg"))["ok"]
    assert client.call("end_session", {"session_id": session_id, "frame_count": frames})["ok"]
    return client.wait_for("video_ready")


@pytest.fixture
def many_files() -> Iterator[None]:
    """Room for 1,100 client sockets in this process (the server lifts its own limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# --- a client that ignores the window -------------------------------------------------------

FLOOD_FRAMES, FLOOD_WINDOW, ENCODER_BUFFER = 60, 4, 16 * MIB
WIDTH, HEIGHT = 1920, 1080
FRAME_BYTES = WIDTH * HEIGHT * 4  # 8.3 MB of raw RGBA


@pytest.fixture
def flood_server(start_server):
    return start_server("--window", str(FLOOD_WINDOW), "--encoder-buffer-bytes", str(ENCODER_BUFFER),
                        "--x264-preset", "ultrafast", "--log-level", "INFO")  # fmt: skip


def test_a_client_that_ignores_the_window_is_slowed_by_tcp_not_buffered(flood_server, tmp_path, connect):
    """The official JS client emits 60 frames of 1080p RGBA (500 MB) at once; the server's memory stays bounded."""
    frames = tmp_path / "frames"
    frames.mkdir()
    (frames / "0.rgba").write_bytes(bytes(range(256)) * (FRAME_BYTES // 256))
    baseline = _status_mb(flood_server.process.pid, "VmRSS")
    command = ["node", str(ROOT / "benchmarks" / "node_sender.mjs"), flood_server.url, str(frames), "rgba",
               str(WIDTH), str(HEIGHT), "30", "-", "--repeat", str(FLOOD_FRAMES), "--flood"]  # fmt: skip
    flood = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # While the flood is held back, another connection is served as usual.
        wait_until(lambda: read_metrics(flood_server.url)[("visualizer_window_pauses_total", ())] > 0, 60,
                    "the server pausing the flooding connection")  # fmt: skip
        bystander = connect(flood_server.url)
        assert bystander.call("test", "still served?") == {"ok": True}
        bystander.close()
        out, err = flood.communicate(timeout=180)
    finally:
        flood.kill()
    assert flood.returncode == 0, err
    assert '"frames":60' in out  # every frame acknowledged, the video built
    growth = _status_mb(flood_server.process.pid, "VmHWM") - baseline
    # The window's frames (twice: a message is joined from its websocket chunks), the encoder's
    # buffer, and 64 MiB for the rest. Without flow control it grew by all 500 MB sent.
    bound = (2 * FLOOD_WINDOW * FRAME_BYTES + ENCODER_BUFFER) / MIB + 64
    assert growth < bound, f"the server grew by {growth:.0f} MB (bound {bound:.0f} MB)"


# --- slowloris -------------------------------------------------------------------------------


@pytest.fixture
def guarded_server(start_server):
    return start_server("--header-timeout-s", "4", "--log-level", "INFO")


def _half_open(port: int, sources: list[str], count: int) -> list[socket.socket]:
    """``count`` connections from the loopback ``sources`` in turn, each sending an unfinished request."""
    opened = []
    for number in range(count):
        connection = socket.socket()
        connection.settimeout(2)
        connection.bind((sources[number % len(sources)], 0))
        try:
            connection.connect(("127.0.0.1", port))
            connection.sendall(HALF_REQUEST)
        except OSError:  # the listen backlog is full: the server has stopped accepting
            connection.close()
            break
        opened.append(connection)
    return opened


def _wait_all_closed(connections: list[socket.socket], timeout: float) -> None:
    """Read every connection until the server closes it (a 503 may come first)."""
    with selectors.DefaultSelector() as selector:
        for connection in connections:
            connection.setblocking(False)
            selector.register(connection, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while selector.get_map():
            ready = selector.select(timeout=max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"{len(selector.get_map())} half-open connections still open after {timeout} s")
            for key, _ in ready:
                try:
                    closed = not key.fileobj.recv(65536)
                except ConnectionResetError:
                    closed = True
                if closed:
                    selector.unregister(key.fileobj)
                    key.fileobj.close()


def _healthz_seconds(url: str) -> float:
    """How long /healthz took. The timeout is well past the bound, so a slow answer fails the bound with its
    figure (a timeout equal to the bound raised an error at 2 s instead, or passed at 1.99 s)."""
    started = time.monotonic()
    with urllib.request.urlopen(url + "/healthz", timeout=30) as response:
        assert response.status == 200
    return time.monotonic() - started


@pytest.mark.parametrize("sources", [["127.0.0.2"], [f"127.0.0.{host}" for host in range(2, 42)]],
                         ids=["one address", "forty addresses"])  # fmt: skip
def test_slowloris_leaves_healthz_and_real_sessions_alone(guarded_server, many_files, sources, connect):
    """Slow (1,100 half-open connections, then the 4 s header deadline): an attack is shown at its size."""
    server = guarded_server
    port = int(server.url.rsplit(":", 1)[1])
    half_open = _half_open(port, sources, HALF_OPEN)
    try:
        assert _healthz_seconds(server.url) < 2
        assert len(half_open) == HALF_OPEN  # the server kept accepting
        ready = _run_session(connect, server.url)  # a new Socket.IO client, a whole session
        assert ready["frames"] == 30
        assert _healthz_seconds(server.url) < 2
        # The header deadline (4 s here) closes what the per-address cap let in.
        _wait_all_closed(half_open, timeout=15)
    finally:
        for connection in half_open:
            connection.close()
    metrics = read_metrics(server.url)
    refused = metrics[("visualizer_connections_refused_total", (("cap", "per_address"),))]
    timed_out = metrics[("visualizer_header_timeouts_total", ())]
    if len(sources) == 1:  # at most 64 from one address; the rest refused at once, with a line in the log
        assert (refused, timed_out) == (HALF_OPEN - 64, 64)
        assert any("refused a connection from 127.0.0.2" in line for line in server.lines)
    else:  # 27 or 28 from each address: all admitted, all closed at the deadline
        assert (refused, timed_out) == (0, HALF_OPEN)


def test_a_refused_connection_gets_a_sentence(start_server):
    server = start_server("--max-connections-per-address", "1")
    port = int(server.url.rsplit(":", 1)[1])
    held = _half_open(port, ["127.0.0.3"], 1)
    refused = _half_open(port, ["127.0.0.3"], 1)[0]
    refused.settimeout(10)
    answer = refused.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 503")
    assert "Too many open connections from your address; close some and try again." in answer
    held[0].close()
    refused.close()


# --- a client that stops reading -------------------------------------------------------------


@pytest.fixture
def quick_ping_server(start_server):
    return start_server("--ping-interval-s", "1", "--ping-timeout-s", "1")


def test_a_client_that_stops_reading_is_closed_and_nobody_else_waits(quick_ping_server, connect):
    server = quick_ping_server
    stalled = websocket.WebSocket()
    stalled.sock_opt.sockopt = [(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)]  # a small window fills fast
    stalled.connect(server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", timeout=10)
    assert stalled.recv().startswith("0{")  # Engine.IO open
    stalled.send("40")
    sid = re.search(r'"sid":"([^"]+)"', stalled.recv()).group(1)  # Socket.IO connect ack
    # Requests whose answers it never reads, until the server's writes to it block; no pongs either.
    for number in range(3000):
        stalled.send(f'42{number}["session_status",{{"session_id":"none-{number}"}}]')
    ready = _run_session(connect, server.url)
    assert ready["frames"] == 30
    wait_until(lambda: any(f"client {sid} disconnected" in line for line in server.lines), 20,
                "the server closing the stalled connection at its ping timeout")  # fmt: skip
    stalled.close()


# --- /metrics ---------------------------------------------------------------------------------


@pytest.mark.parametrize("extra, open_without_token", [([], False), (["--metrics-without-token"], True)])
def test_metrics_need_the_token_when_tokens_are_configured(extra, open_without_token, start_server):
    server = start_server("--token", "t0ken", *extra)
    assert ("visualizer_connections_open", ()) in read_metrics(server.url, token="t0ken")
    if open_without_token:
        assert read_metrics(server.url)
    else:
        with pytest.raises(urllib.error.HTTPError) as refused:
            read_metrics(server.url)
        assert refused.value.code == 401
