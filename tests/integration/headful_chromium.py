"""A real, windowed Chromium on a private Xvfb display, its tabs in one window, driven by bare CDP.

Why not Playwright here: a headless Chromium never hides a page, and every page Playwright drives
has DevTools' focus emulation on, which keeps it visible (a "capturer" of its contents) even behind
another tab. So for what a user's background tab does, Chromium is started as a user would start
it (one window, the page on the command line, none of Playwright's anti-throttling flags), a tab
is opened in front of the page with `Target.createTarget`, and the page is read only through
`Runtime.evaluate`, which changes nothing of that.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import websocket

from ..processes import wait_until
from .test_browser_page import CHROMIUM_ARGS


class HeadfulChromium:
    """`with HeadfulChromium(url) as chromium: chromium.evaluate(url, "..."); chromium.open_tab_in_front()`"""

    def __init__(self, url: str, extra_args: tuple[str, ...] = ()) -> None:
        self.url = url
        self.extra_args = extra_args
        self.profile = tempfile.TemporaryDirectory(prefix="headful-chromium-", ignore_cleanup_errors=True)
        self.xvfb: subprocess.Popen | None = None
        self.chromium: subprocess.Popen | None = None
        self.sockets: dict[str, websocket.WebSocket] = {}
        self.next_id = 0

    def __enter__(self) -> HeadfulChromium:
        display = self._start_xvfb()
        self.chromium = subprocess.Popen(
            ["/usr/bin/chromium", *CHROMIUM_ARGS, f"--user-data-dir={self.profile.name}", "--remote-debugging-port=0",
             "--remote-allow-origins=*", "--password-store=basic", "--window-size=1200,900", *self.extra_args,
             self.url],
            env={**os.environ, "DISPLAY": display}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # fmt: skip (its own process group: its zygote and renderers end with it)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        for socket in self.sockets.values():
            socket.close()
        if self.chromium:
            os.killpg(self.chromium.pid, signal.SIGKILL)
            self.chromium.wait()
        if self.xvfb:
            self.xvfb.kill()
            self.xvfb.wait()
        self.profile.cleanup()

    def _start_xvfb(self) -> str:
        """A display of its own: Xvfb picks a free number and writes it to a pipe."""
        read_end, write_end = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                                     pass_fds=[write_end], stderr=subprocess.DEVNULL)  # fmt: skip
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start: install it (make browser)")
        return f":{number}"

    def _devtools_port(self) -> int:
        active = Path(self.profile.name) / "DevToolsActivePort"
        wait_until(lambda: active.exists() and active.read_text().strip(), what="Chromium's DevToolsActivePort")
        return int(active.read_text().split()[0])

    def _tab(self, url: str) -> dict | None:
        with urllib.request.urlopen(f"http://127.0.0.1:{self._devtools_port()}/json/list") as response:
            tabs = [tab for tab in json.load(response) if tab["type"] == "page" and tab["url"].startswith(url)]
        return tabs[0] if tabs else None

    def _socket(self, url: str) -> websocket.WebSocket:
        """The CDP connection to the tab that opened `url` (once Chromium lists it)."""
        if url not in self.sockets:
            tab = wait_until(lambda: self._tab(url), what=f"a tab showing {url}")
            self.sockets[url] = websocket.create_connection(tab["webSocketDebuggerUrl"], timeout=60)
        return self.sockets[url]

    def open_tab_in_front(self) -> None:
        """A new tab in the same window, in front: what a user does to look at something else."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self._devtools_port()}/json/version") as response:
            browser = websocket.create_connection(json.load(response)["webSocketDebuggerUrl"], timeout=60)
        try:
            browser.send(json.dumps({"id": 1, "method": "Target.createTarget", "params": {"url": "about:blank"}}))
            answer = json.loads(browser.recv())
            assert "error" not in answer, answer
        finally:
            browser.close()

    def evaluate(self, url: str, expression: str) -> Any:
        """The value of `expression` (awaited if a promise) in the tab of `url`."""
        socket = self._socket(url)
        self.next_id += 1
        socket.send(json.dumps({"id": self.next_id, "method": "Runtime.evaluate",
                                "params": {"expression": expression, "returnByValue": True, "awaitPromise": True}}))  # fmt: skip
        while True:
            answer = json.loads(socket.recv())
            if answer.get("id") == self.next_id:
                break
        if "exceptionDetails" in answer.get("result", {}):
            raise AssertionError(f"{expression} threw: {answer['result']['exceptionDetails']}")
        return answer["result"]["result"].get("value")
