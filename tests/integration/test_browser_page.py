"""test_client.html in a real headless Chromium (WebGL through SwiftShader), against a real server."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, sync_playwright

from ..media import probe

CHROMIUM_ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-output"
RENDER_TIMEOUT_MS = 240_000


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/")
    yield page
    page.close()
    assert errors == [], f"the page threw: {errors}"


def _render(page: Page, seconds: int = 3) -> None:
    page.fill("#seconds", str(seconds))
    page.select_option("#resolution", "640x360")
    page.fill("#fps", "30")
    page.select_option("#format", "jpeg")
    page.click("#render")


def _session_video(server) -> Path:
    [video] = list(server.output_dir.glob("*.mp4"))
    return video


def _assert_rendered_video(path: Path) -> None:
    facts = probe(path)
    assert (facts.frames, facts.width, facts.height) == (90, 640, 360)
    assert facts.video_duration_s == pytest.approx(3.0, abs=1e-3)
    assert facts.audio_codec == "aac"
    import av

    with av.open(str(path)) as container:
        pixels = [frame.to_ndarray(format="rgb24").astype(np.int16) for frame in container.decode(video=0)]
    assert max(int(p.std()) for p in pixels) > 10, "frames are blank"
    differences = [np.abs(a - b).mean() for a, b in zip(pixels, pixels[1:])]
    assert sum(d > 1 for d in differences) > 60, "the frames do not move"


def test_the_echo_shows_cheers_for_its_own_socket_id(page):
    page.wait_for_function("window.visualizer && window.visualizer.socket.connected")
    sid = page.evaluate("window.visualizer.socket.id")
    page.wait_for_selector(f"#log :text('RESPONSE: Cheers, {sid}')")
    log = page.inner_text("#log")
    assert "CONNECTED" in log and "SENT" in log


def test_a_rendered_track_becomes_a_video_that_plays(page, server):
    _render(page)
    page.wait_for_function("document.getElementById('state').textContent === 'done'", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function("document.getElementById('result').readyState >= 1")
    assert page.evaluate("document.getElementById('result').duration") == pytest.approx(3.0, abs=0.05)
    _assert_rendered_video(_session_video(server))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "test_client_done.png"), full_page=True)


def test_a_dropped_connection_mid_send_is_resumed(page, server):
    _render(page)
    page.wait_for_function("document.getElementById('send-bar').value >= 20", timeout=RENDER_TIMEOUT_MS)
    page.evaluate("window.visualizer.socket.io.engine.close()")  # the websocket goes away
    page.wait_for_function("document.getElementById('state').textContent === 'done'", timeout=RENDER_TIMEOUT_MS)
    log = page.inner_text("#log")
    assert "DISCONNECTED" in log and "RESUMED" in log
    _assert_rendered_video(_session_video(server))
