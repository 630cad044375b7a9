"""The websocket transport as a raw client sees it: no deflate, a cap per message (not per frame).

Both tests fail against stock eventlet, which accepts permessage-deflate and buffers a
message of continuation frames without limit.
"""

from __future__ import annotations

import socket
import urllib.parse

import pytest
import websocket


def _engineio_url(server_url: str) -> str:
    return server_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"


def test_permessage_deflate_is_declined(server):
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    request = (
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += connection.recv(4096)
    head = response.split(b"\r\n\r\n")[0].decode().lower()
    assert head.startswith("http/1.1 101")
    assert "sec-websocket-extensions" not in head


@pytest.fixture
def small_cap_server(start_server):
    # A 64 KiB frame limit makes the transport cap 64 KiB + 1 MiB.
    return start_server("--max-frame-bytes", "65536")


def test_a_message_of_continuation_frames_beyond_the_cap_closes_only_that_connection(small_cap_server, connect):
    bystander = connect(small_cap_server.url)
    attacker = websocket.create_connection(_engineio_url(small_cap_server.url), timeout=10)
    attacker.recv()  # the Engine.IO open packet
    chunk = b"4" + b"x" * (256 * 1024 - 1)
    attacker.send_frame(websocket.ABNF.create_frame(chunk, websocket.ABNF.OPCODE_TEXT, fin=0))
    closed_with = None
    try:
        for _ in range(16):  # 4 MiB at most, each frame well under the cap
            attacker.send_frame(websocket.ABNF.create_frame(b"x" * 256 * 1024, websocket.ABNF.OPCODE_CONT, fin=0))
        frame = attacker.recv_frame()
        closed_with = frame.opcode, int.from_bytes(frame.data[:2], "big")
    except (BrokenPipeError, ConnectionResetError, websocket.WebSocketConnectionClosedException):
        closed_with = "reset"
    finally:
        attacker.close()
    assert closed_with in ((websocket.ABNF.OPCODE_CLOSE, 1009), "reset")
    # The other connection did not notice.
    assert bystander.call("test", "still there?") == {"ok": True}
    bystander.close()
