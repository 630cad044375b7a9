"""The integration tests' one harness: servers, clients and the fake YouTube, each stopped whatever the test did.

A test asks for what it needs (``server``, ``start_server(*flags)``, ``connect(url)``, ``youtube``,
``start_youtube_server(*flags)``) and never stops or closes anything itself: the fixture that made
a thing ends it, after a failed assert as after a passing one. ``no_leaks`` then checks, as Flask's
leak detector checks its context stack, that nothing a test started outlived it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from ..conftest import ServerProcess
from .client import RecordingClient
from .fake_youtube import FakeYouTube
from .harness import ServerFactory, Snapshot
from .ports import refusing_port
from .tcp_proxy import CuttingProxy


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[ServerFactory]:
    """``start_server(*flags, env=...)``: a server for this test, stopped after it."""
    factory = ServerFactory(tmp_path)
    yield factory
    factory.stop_all()


@pytest.fixture(scope="module")
def start_module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerFactory]:
    """Like ``start_server``, for a server that the tests of one module share; stopped after the module."""
    factory = ServerFactory(tmp_path_factory.mktemp("module-server"))
    yield factory
    factory.stop_all()


@pytest.fixture
def server(start_server: ServerFactory) -> ServerProcess:
    """A server with the default settings."""
    return start_server()


@pytest.fixture
def connect() -> Iterator[Callable[..., RecordingClient]]:
    """``connect(url, auth=None)``: a recording Socket.IO client, closed after the test."""
    clients: list[RecordingClient] = []

    def open_client(url: str, auth: dict | None = None) -> RecordingClient:
        clients.append(RecordingClient(url, auth))
        return clients[-1]

    yield open_client
    for client in clients:
        client.close()


@pytest.fixture
def cutting_proxy() -> Iterator[Callable[..., CuttingProxy]]:
    """``cutting_proxy(port, **faults)``: a CuttingProxy (tcp_proxy.py) in front of ``port``, closed after the test."""
    proxies: list[CuttingProxy] = []

    def open_proxy(port: int, **faults: object) -> CuttingProxy:
        proxies.append(CuttingProxy(port, **faults))
        return proxies[-1]

    yield open_proxy
    for proxy in proxies:
        proxy.close()


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port where connections are refused, held for the test (ports.py)."""
    with refusing_port() as port:
        yield port


@pytest.fixture
def youtube(tmp_path: Path) -> Iterator[FakeYouTube]:
    """The local TLS fake of YouTube's upload and OAuth2 endpoints (fake_youtube.py), shut after the test."""
    fake = FakeYouTube(tmp_path)
    yield fake
    fake.close()


@pytest.fixture
def start_youtube_server(
    start_server: ServerFactory, youtube: FakeYouTube, tmp_path: Path
) -> Callable[..., ServerProcess]:
    """``start_youtube_server(*flags, expired_token=False, token_uri=None)``: a server that uploads to ``youtube``.

    The token file is written once, so a restarted server finds the one its predecessor refreshed.
    """

    def start(*args: str, expired_token: bool = False, token_uri: str | None = None) -> ServerProcess:
        token_file = tmp_path / "token.json"
        if not token_file.exists():
            youtube.write_token_file(token_file, expired=expired_token)
        return start_server("--youtube-token-file", str(token_file), "--youtube-api-endpoint", youtube.endpoint,
                            "--youtube-token-uri", token_uri or youtube.endpoint + "/token", *args,
                            env={"HTTPLIB2_CA_CERTS": str(youtube.cert)})  # fmt: skip

    return start


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    """Fail a test that leaves a server running or a client connected (after every fixture's teardown)."""
    before = Snapshot()
    yield
    servers, clients = before.leaks()
    assert not servers and not clients, (f"the test left {len(servers)} server(s) running and {len(clients)} "
                                         "client(s) connected: start them with the harness's fixtures")  # fmt: skip
