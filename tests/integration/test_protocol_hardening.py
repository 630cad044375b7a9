"""Misbehaving Socket.IO clients are closed; everybody else goes on."""

from __future__ import annotations

import pytest
import websocket

from ..conftest import ServerProcess


@pytest.fixture
def impatient(start_server):
    return start_server("--connect-timeout-s", "1")


def _raw_client(server: ServerProcess, connect_namespace: bool = True) -> websocket.WebSocket:
    """An Engine.IO websocket speaking the protocol by hand (so it can misbehave)."""
    raw = websocket.create_connection(server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", timeout=10)
    assert raw.recv().startswith("0{")  # Engine.IO open
    if connect_namespace:
        raw.send("40")
        assert raw.recv().startswith("40{")  # Socket.IO connect ack
    return raw


def _closed_by_server(raw: websocket.WebSocket) -> bool:
    """Read until the server closes the connection; pings are answered on the way."""
    try:
        for _ in range(100):
            message = raw.recv()
            if message in ("", "1"):  # close frame, or Engine.IO close packet
                return True
            if message == "2":
                raw.send("3")
    except (websocket.WebSocketConnectionClosedException, ConnectionResetError):
        return True
    finally:
        raw.close()
    return False


@pytest.mark.parametrize(
    "packet",
    [
        # Engine.IO message ("4") carrying a Socket.IO packet:
        '42["test", "unterminated',  # an event whose JSON does not parse
        "4Z",  # an unknown packet type
        '452-["frame",{"data":{"_placeholder":true,"num":0}}]',  # two attachments announced
        '459999999999-["frame",{}]',  # the unbounded-buffer attack: a header announcing ~10^10 attachments
    ],
)
def test_malformed_packets_close_only_that_connection(impatient, packet, connect):
    bystander = connect(impatient.url)
    raw = _raw_client(impatient)
    raw.send(packet)
    assert _closed_by_server(raw)
    assert bystander.call("test", "still here") == {"ok": True}
    bystander.close()


def test_a_transport_that_never_connects_a_namespace_is_closed(impatient):
    raw = _raw_client(impatient, connect_namespace=False)
    assert _closed_by_server(raw)
    assert "no namespace connected" in "\n".join(impatient.lines)
