"""test_client.html in a real headless Chromium (WebGL through SwiftShader), against a real server."""

from __future__ import annotations

from pathlib import Path

import av
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


def _render(page: Page, seconds: int = 3, resolution: str = "640x360", encode: bool = False) -> None:
    page.fill("#seconds", str(seconds))
    page.select_option("#resolution", resolution)
    page.fill("#fps", "30")
    page.select_option("#format", "jpeg")
    page.wait_for_function("window.visualizer.encoder !== undefined")
    page.set_checked("#browser-encode", encode)
    page.click("#render")


def _session_video(server) -> Path:
    [video] = list(server.output_dir.glob("*.mp4"))
    return video


def _assert_rendered_video(path: Path, size: tuple[int, int] = (640, 360)) -> None:
    facts = probe(path)
    assert (facts.frames, facts.width, facts.height) == (90, *size)
    assert facts.video_duration_s == pytest.approx(3.0, abs=1e-3)
    assert facts.audio_codec == "aac"
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


def _wait_until_done(page: Page) -> None:
    page.wait_for_function("document.getElementById('state').textContent === 'done'", timeout=RENDER_TIMEOUT_MS)


def _key_frames(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        return [number for number, packet in enumerate(container.demux(video=0)) if packet.size and packet.is_keyframe]


def test_the_page_encodes_720p_with_webcodecs_and_the_server_only_copies_it(page, server):
    """Slow (a real Chromium renders and encodes 720p): the WebCodecs path can only be shown by a browser."""
    _render(page, resolution="1280x720", encode=True)
    _wait_until_done(page)
    encoder = page.inner_text("#encoder")
    assert encoder.startswith("H.264 ") and ("software encoder" in encoder or "hardware encoder" in encoder)
    assert any("(1280x720 h264 @" in line for line in server.lines), "the page sent images, not H.264"
    video = _session_video(server)
    _assert_rendered_video(video, (1280, 720))
    assert _key_frames(video) == [0, 30, 60], "a key frame every second"
    with av.open(str(video)) as container:
        assert f"H.264 {container.streams.video[0].codec_context.profile} (" in encoder, "the page shows the stream's profile"


def test_a_dropped_websocket_mid_encode_is_resumed(page, server):
    _render(page, encode=True)
    page.wait_for_function("document.getElementById('send-bar').value >= 20", timeout=RENDER_TIMEOUT_MS)
    page.evaluate("window.visualizer.socket.io.engine.close()")
    _wait_until_done(page)
    log = page.inner_text("#log")
    assert "DISCONNECTED" in log and "RESUMED" in log
    _assert_rendered_video(_session_video(server))


def test_a_reloaded_page_continues_with_a_fresh_encoder_at_the_first_missing_frame(page, server):
    _render(page, encode=True)
    page.wait_for_function("document.getElementById('send-bar').value >= 40", timeout=RENDER_TIMEOUT_MS)
    page.reload()
    page.click("#continue")
    _wait_until_done(page)
    resumed = page.inner_text("#log")
    assert "RESUMED: the server holds 0-" in resumed
    held_until = int(resumed.split("RESUMED: the server holds 0-")[1].split()[0])
    video = _session_video(server)
    _assert_rendered_video(video)
    assert held_until + 1 in _key_frames(video), "the reloaded page's encoder starts with a key frame"
