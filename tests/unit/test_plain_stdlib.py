"""The test process keeps the plain standard library however much of the product it imports
(tests/plain_stdlib.py says why this broke the browser tests)."""

from __future__ import annotations

import http.server
import importlib
import pkgutil
import sys
import threading
import urllib.request

import visualizer_server

from .. import plain_stdlib


def _import_every_product_module() -> None:
    for module in pkgutil.walk_packages(visualizer_server.__path__, "visualizer_server."):
        if not module.name.endswith(".__main__"):  # entry points: they run (and the server's monkey-patches)
            importlib.import_module(module.name)


def test_after_importing_the_whole_product_the_packages_still_hold_the_standard_modules():
    _import_every_product_module()
    assert plain_stdlib.rebound() == []
    assert http.server is sys.modules["http.server"] and urllib.request is sys.modules["urllib.request"]
    assert http.server.ThreadingHTTPServer.process_request.__globals__["threading"] is threading


def test_an_http_server_built_through_the_package_attribute_answers_from_real_threads():
    _import_every_product_module()
    handler = type("Answer", (http.server.BaseHTTPRequestHandler,), {
        "do_GET": lambda self: (self.send_response(204), self.end_headers()),
        "log_message": lambda self, *args: None,
    })  # fmt: skip
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/", timeout=10) as response:
            assert response.status == 204
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
