"""The recorder SDK (/sdk/recorder.js) in a real headless Chromium, imported by a page of another
origin (a second loopback HTTP server, allowed with --cors-origin), against the real server; every
video is decoded and its frames read back by the index each one spells."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Iterator

import av
import numpy as np
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from ..conftest import ServerProcess
from ..media import make_wav, probe
from .tcp_proxy import CuttingProxy
from .test_browser_page import CHROMIUM_ARGS

TAKE_TIMEOUT_MS = 240_000
WIDTH, HEIGHT = 160, 96

# Draws frame `index` as tests/media.py's frame_pixels does (8 bars spelling the index in binary on a
# colour that moves with it), so media.read_index reads it back from the decoded video.
DRAW_INDEX = """
window.drawIndex = (context, index) => {
  const { width, height } = context.canvas;
  context.fillStyle = `rgb(${(index * 37) % 256}, ${(index * 91) % 256}, 90)`;
  context.fillRect(0, 0, width, height);
  const bar = Math.floor(width / 8);
  for (let bit = 0; bit < 8; bit++) {
    context.fillStyle = (index >> bit) & 1 ? "#fff" : "#000";
    context.fillRect(bit * bar + 2, Math.floor(height / 4), bar - 4, Math.floor(3 * height / 4) - Math.floor(height / 4));
  }
};
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_origin(tmp_path: Path) -> Iterator[str]:
    """A second loopback HTTP server: the page that imports the SDK lives on another origin than the server."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(f"<!doctype html><title>a visualizer</title><script>{DRAW_INDEX}</script>")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def sdk_server(tmp_path: Path, other_origin: str) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "work", tmp_path / "output", ["--cors-origin", other_origin])
    yield process
    process.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, other_origin: str) -> Iterator[Page]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(other_origin + "/")
    yield page
    page.close()
    assert errors == [], f"the page threw: {errors}"


def _video(server: ServerProcess) -> Path:
    [video] = list(server.output_dir.glob("*.mp4"))
    return video


def _assert_frames_in_order(video: Path, frames: int) -> None:
    facts = probe(video)
    assert (facts.width, facts.height) == (WIDTH, HEIGHT)
    assert facts.frame_indexes == list(range(frames))


RECORD_ANIMATION = """async ({ server, encode }) => {
  const { Recorder } = await import(server + "/sdk/recorder.js");
  const recorder = await Recorder.connect(server);
  const canvas = document.createElement("canvas");
  canvas.width = %d; canvas.height = %d;
  const context = canvas.getContext("2d");
  const realRaf = window.requestAnimationFrame;
  const done = recorder.recordAnimation(canvas, { seconds: 2, fps: 30, format: "png", encode });
  const start = performance.now();  // the recording's clock: its start, exactly
  const installed = window.requestAnimationFrame !== realRaf;
  requestAnimationFrame(function draw(time) {
    drawIndex(context, Math.round((time - start) * 30 / 1000));
    requestAnimationFrame(draw);
  });
  const result = await done;
  return { result, installed, restored: window.requestAnimationFrame === realRaf };
}""" % (WIDTH, HEIGHT)


@pytest.mark.parametrize("encode", ["server", "browser"])
def test_record_animation_of_a_raf_only_animation_gives_every_frame_exact_and_in_order(page, sdk_server, encode):
    outcome = page.evaluate(RECORD_ANIMATION, {"server": sdk_server.url, "encode": encode})
    assert outcome["installed"], "the clock was not installed synchronously"
    assert outcome["restored"], "the real clock was not put back"
    result = outcome["result"]
    assert (result["frames"], result["width"], result["height"], result["durationS"]) == (60, WIDTH, HEIGHT, 2.0)
    assert result["url"] == f"{sdk_server.url}/videos/{result['sessionId']}.mp4"
    assert any(f"({WIDTH}x{HEIGHT} {'h264' if encode == 'browser' else 'png'} @" in line for line in sdk_server.lines)
    _assert_frames_in_order(_video(sdk_server), 60)
