"""The top-level test_client.html (the original service's echo client) in a real Chromium.

The page is served as a developer opens it, from another origin (a second local HTTP server on
another port, like an IDE's built-in one), and talks to a real server given by ``?server=``.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Iterator

import pytest

from .test_browser_page import browser  # noqa: F401 - the module's Chromium, shared

pytestmark = pytest.mark.browser

REPOSITORY = Path(__file__).resolve().parents[2]
TOKEN = "echo-token"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def page_origin() -> Iterator[str]:
    """The repository's top level served over HTTP on a port of its own: another origin than the server's.
    A fresh one for each test: in a fresh clone's run the module-wide one served the first test only."""
    handler = functools.partial(_QuietHandler, directory=str(REPOSITORY))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def open_page(browser, page_origin) -> Iterator:  # noqa: F811
    """Opens test_client.html with a query string; every page is closed afterwards, whatever the test asserted."""
    pages = []

    def open_with(query: str):
        page = browser.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        pages.append(page)
        page.goto(f"{page_origin}/test_client.html?{query}")
        return page

    yield open_with
    for page in pages:
        page.close()


def _lines(page) -> list[str]:
    return page.inner_text("#log").splitlines()


def test_served_from_an_allowed_origin_it_shows_the_echo_and_closes(open_page, page_origin, start_server):
    server = start_server("--cors-origin", page_origin)
    page = open_page(f"server={server.url}")
    page.wait_for_selector("#log :text('CLOSED')")
    sid = page.evaluate("window.echoSocketId")
    assert sid and _lines(page) == ["CONNECTED", "SENT: Allo?", f"RESPONSE: Cheers, {sid}", "CLOSED"]
    assert page.errors == []


def test_an_origin_the_server_does_not_allow_shows_the_error(open_page, page_origin, start_server):
    server = start_server()  # allows only its own origin
    page = open_page(f"server={server.url}")
    page.wait_for_selector("#log .error")
    [line] = _lines(page)
    assert line.startswith("ERROR: websocket error") and f"--cors-origin {page_origin}" in line
    assert page.errors == []


def test_a_server_with_a_token_answers_the_page_that_brings_it(open_page, page_origin, start_server):
    server = start_server("--cors-origin", page_origin, "--token", TOKEN)
    page = open_page(f"server={server.url}&token={TOKEN}")
    page.wait_for_selector("#log :text('CLOSED')")
    assert _lines(page)[:2] == ["CONNECTED", "SENT: Allo?"]
    page = open_page(f"server={server.url}")
    page.wait_for_selector("#log .error")
    assert _lines(page) == ["ERROR: unauthorized"]
