"""The server answers only the host names it serves, and its own origin is built from them.

Before, any ``Host`` was answered and the own origin was read from the request, so a page on a
rebinding domain (``evil.example`` resolving to 127.0.0.1) could open a Socket.IO connection.
"""

from __future__ import annotations

import http.client

import pytest
import websocket

from ..conftest import ServerProcess


def _port(server: ServerProcess) -> int:
    return int(server.url.rsplit(":", 1)[1])


def _get(server: ServerProcess, path: str, host: str, origin: str | None = None) -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host)
        if origin is not None:
            connection.putheader("Origin", origin)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.headers)
    finally:
        connection.close()


def _websocket_status(server: ServerProcess, host: str, origin: str) -> int:
    """The status of a websocket handshake to the Socket.IO endpoint (101 when it opens)."""
    url = f"ws://127.0.0.1:{_port(server)}/socket.io/?EIO=4&transport=websocket"
    try:
        opened = websocket.create_connection(url, host=host, origin=origin, timeout=10)
    except websocket.WebSocketBadStatusException as error:
        return error.status_code
    opened.close()
    return 101


HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def test_a_rebinding_page_can_open_no_socket_and_gets_no_page(server):
    evil = f"evil.example:{_port(server)}"
    assert _websocket_status(server, evil, f"http://{evil}") == 421
    assert _get(server, HANDSHAKE, evil, f"http://{evil}")[0] == 421
    assert _get(server, "/", evil)[0] == 421
    assert _get(server, "/healthz", evil)[0] == 421


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]", "LOCALHOST."])
def test_the_loopback_names_are_answered_and_are_the_servers_own_origin(server, name):
    host = f"{name}:{_port(server)}"
    assert _get(server, "/", host)[0] == 200
    assert _websocket_status(server, host, f"http://{host}") == 101
    status, headers = _get(server, HANDSHAKE, host, f"http://{host}")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == f"http://{host}"


def test_the_own_origin_is_not_taken_from_the_host_header(server):
    """A served Host with a foreign Origin is still refused: the origin is the served names', on this port."""
    host = f"127.0.0.1:{_port(server)}"
    assert _get(server, HANDSHAKE, host, "http://evil.example")[0] == 400
    assert _get(server, HANDSHAKE, host, f"http://127.0.0.1:{_port(server) + 1}")[0] == 400


def test_configured_names_are_answered_and_the_public_url_is_an_own_origin(start_server):
    process = start_server("--allowed-host", "viz.internal", "--public-url", "https://viz.example.com")
    assert _get(process, "/", f"viz.internal:{_port(process)}")[0] == 200
    assert _get(process, "/", "viz.example.com")[0] == 200  # behind a proxy: the public name, its port
    assert _websocket_status(process, "viz.example.com", "https://viz.example.com") == 101
    assert _get(process, "/", "other.example.com")[0] == 421
