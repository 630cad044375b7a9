"""Access tokens on Socket.IO and on the video route; no exposed server without one."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import socketio

from ..media import encode_frame

TOKEN = "s3cret-token"


@pytest.fixture
def guarded(start_server):
    return start_server("--token", TOKEN, "--token", "other")


def test_a_connection_without_the_token_is_refused_as_unauthorized(guarded):
    for auth in (None, {"token": "wrong"}, {"nothing": 1}):
        client = socketio.Client(reconnection=False)
        errors = []
        client.on("connect_error", lambda data: errors.append(data))
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(guarded.url, transports=["websocket"], auth=auth, wait_timeout=10)
        assert errors and "unauthorized" in str(errors[-1])


def test_the_token_opens_the_socket_and_the_video_route(guarded, connect):
    client = connect(guarded.url, auth={"token": TOKEN})
    ack = client.start(width=64, height=32, format="jpeg", fps=10)
    for index in range(5):
        assert client.send_frame(ack["session_id"], index, encode_frame(index, 64, 32, "jpeg"))["ok"]
    assert client.call("end_session", {"session_id": ack["session_id"], "frame_count": 5})["ok"]
    video = guarded.url + client.wait_for("video_ready")["url"]
    whole = (guarded.output_dir / f"{ack['session_id']}.mp4").read_bytes()

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(video)
    assert refused.value.code == 401
    with pytest.raises(urllib.error.HTTPError) as wrong:
        urllib.request.urlopen(urllib.request.Request(video, headers={"Authorization": "Bearer nope"}))
    assert wrong.value.code == 401
    with urllib.request.urlopen(urllib.request.Request(video, headers={"Authorization": f"Bearer {TOKEN}"})) as response:
        assert response.status == 200 and response.read() == whole
    with urllib.request.urlopen(video + "?token=other") as response:
        assert response.status == 200


def test_an_exposed_server_without_a_token_refuses_to_start(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "visualizer_server", "--host", "0.0.0.0", "--port", "0",
         "--work-dir", str(tmp_path / "w"), "--output-dir", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "--insecure-no-auth" in result.stderr and "--token" in result.stderr


def _polling_handshake(url: str, origin: str) -> tuple[int, str | None]:
    request = urllib.request.Request(url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers.get("Access-Control-Allow-Origin")
    except urllib.error.HTTPError as error:
        return error.code, None


def test_configured_origins_join_the_servers_own(start_server):
    allowed = "http://visualizer.example"
    process = start_server("--cors-origin", allowed)
    assert _polling_handshake(process.url, allowed) == (200, allowed)
    assert _polling_handshake(process.url, process.url) == (200, process.url)  # its own page keeps working
    assert _polling_handshake(process.url, "http://elsewhere.example")[0] == 400
    # python-socketio's websocket client sends the server's own origin by itself.
    client = socketio.Client(reconnection=False)
    client.connect(process.url, transports=["websocket"], wait_timeout=10)
    client.disconnect()


def test_by_default_only_the_servers_own_origin_may_connect(server):
    assert _polling_handshake(server.url, server.url)[0] == 200
    assert _polling_handshake(server.url, "http://elsewhere.example")[0] == 400
