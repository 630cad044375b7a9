"""The page at / (index.html) in a real headless Chromium, against a real server: its form and deep
links, its styles drawn from the take's levels, the videos it renders (decoded), and the bugs a
musician found in the page before it (each test named after what was broken)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Iterator

import av
import numpy as np
import pytest
from playwright.sync_api import Page, sync_playwright

from ..conftest import ServerProcess
from ..media import probe

CHROMIUM_ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--autoplay-policy=no-user-gesture-required"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-output"
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
RENDER_TIMEOUT_MS = 240_000
STYLES = ["spectrum", "waveform", "tunnel", "cover"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageUnderTest:
    """A fresh page (its own storage) on the server, with the page's errors and failed requests kept."""

    def __init__(self, browser, server: ServerProcess) -> None:
        self.context = browser.new_context(viewport={"width": 1200, "height": 1300})
        self.page: Page = self.context.new_page()
        self.server = server
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("response", lambda response: response.status >= 400 and self.failed.append(f"{response.status} {response.url}"))

    def open(self, query: str = "") -> Page:
        self.page.goto(f"{self.server.url}/{query}")
        self.page.wait_for_function("document.body.dataset.ready === 'true' || document.body.dataset.state === 'failed'")
        return self.page

    def state(self) -> str:
        return self.page.inner_text("#state")


@pytest.fixture
def visit(browser, server) -> Iterator[PageUnderTest]:
    visitor = PageUnderTest(browser, server)
    yield visitor
    visitor.context.close()
    assert visitor.errors == [], f"the page threw: {visitor.errors}"


def _field(page: Page, element_id: str) -> str:
    return page.evaluate(f"(e => e.type === 'checkbox' ? String(e.checked) : e.value)(document.getElementById('{element_id}'))")


# --- the page itself ---------------------------------------------------------------------------------

def test_the_page_loads_without_a_single_failed_request_not_even_the_favicon(visit):
    visit.open()
    visit.page.wait_for_function("window.visualizer.socket.connected")
    icon = visit.page.evaluate("document.querySelector('link[rel=icon]').href")
    assert icon.endswith("/favicon.svg")
    assert visit.page.request.get(icon).headers["content-type"].startswith("image/svg+xml")
    assert visit.failed == [], f"requests that failed: {visit.failed}"


def test_the_echo_shows_cheers_for_its_own_socket_id_below_the_form(visit):
    page = visit.open()
    page.wait_for_function("window.visualizer && window.visualizer.socket.connected")
    sid = page.evaluate("window.visualizer.socket.id")
    page.wait_for_selector(f"#log :text('RESPONSE: Cheers, {sid}')")
    below = page.evaluate("document.getElementById('form').compareDocumentPosition(document.getElementById('echo'))")
    assert below & 4, "the echo comes after the form (DOCUMENT_POSITION_FOLLOWING)"


def test_every_form_value_comes_from_the_query_string(visit):
    query = ("?style=tunnel&palette=sunset&aspect=9:16&resolution=1080p&fps=60&seconds=12&title=Night%20Drive"
             "&artist=The%20Kicks&audio=http://127.0.0.1:1/track.mp3&encode=server&privacy=unlisted&description=hi")
    page = visit.open(query)
    expected = {"style": "tunnel", "palette": "sunset", "aspect": "9:16", "resolution": "1080p", "fps": "60",
                "seconds": "12", "title": "Night Drive", "artist": "The Kicks", "audio-url": "http://127.0.0.1:1/track.mp3",
                "encode": "server", "privacy": "unlisted", "description": "hi"}  # fmt: skip
    assert {name: _field(page, name) for name in expected} == expected
    assert page.inner_text("#size-note").startswith("1080 x 1920 pixels.")
    assert "YouTube Short" in page.inner_text("#size-note")


@pytest.mark.parametrize(("aspect", "resolution", "size"), [("16:9", "360p", "640 x 360"), ("1:1", "720p", "720 x 720"),
                                                             ("9:16", "360p", "360 x 640"), ("16:9", "1080p", "1920 x 1080")])  # fmt: skip
def test_the_size_is_the_short_side_for_every_aspect(visit, aspect, resolution, size):
    page = visit.open(f"?aspect={aspect}&resolution={resolution}")
    assert page.inner_text("#size-note").startswith(f"{size} pixels.")


def test_fps_0_is_refused_as_a_frame_rate_not_blamed_on_webcodecs(visit):
    page = visit.open("?fps=0&autostart=1")
    page.wait_for_function("document.getElementById('state').textContent === 'failed'")
    error = page.inner_text("#error")
    assert "fps must be 30 or 60" in error and "no H.264 encoder" not in page.inner_text("body")


def test_without_youtube_credentials_the_upload_controls_are_off_and_say_why(visit):
    page = visit.open("?upload=1")
    assert json.loads(page.request.get(visit.server.url + "/healthz").text())["youtube"] is False
    assert page.is_disabled("#upload") and not page.is_checked("#upload")
    assert "no YouTube credentials" in page.inner_text("#upload-note")


def test_with_youtube_credentials_the_upload_controls_are_on(browser, tmp_path):
    token_file = tmp_path / "token.json"
    token_file.write_text(json.dumps({"token": "t", "refresh_token": "r", "client_id": "c", "client_secret": "s",
                                      "token_uri": "https://127.0.0.1:1/token"}))  # fmt: skip
    server = ServerProcess(tmp_path / "work", tmp_path / "output", ["--youtube-token-file", str(token_file)])
    visitor = PageUnderTest(browser, server)
    try:
        page = visitor.open("?upload=1")
        assert json.loads(page.request.get(server.url + "/healthz").text())["youtube"] is True
        assert page.is_enabled("#upload") and page.is_checked("#upload")
        assert "no YouTube credentials" not in page.inner_text("#upload-note")
    finally:
        visitor.context.close()
        server.stop()
    assert visitor.errors == []


# --- the styles, drawn in the page from levels with a kick every 0.5 s ------------------------------

DRAW_STYLE = """async ([style, width, height, frames]) => {
  const { Visual } = await import('/page/visual.js');
  const canvas = document.createElement('canvas');
  const visual = new Visual(canvas, { style, palette: 'neon', width, height, fps: 30,
                                      track: { title: '', artist: '', artwork: null } });
  const ctx = canvas.getContext('2d'), changes = [];
  let previous = null, last = null;
  for (let i = 0; i < frames; i++) {
    const t = i / 30, sinceKick = t % 0.5, kick = Math.exp(-sinceKick * 14);
    const bands = Float32Array.from({ length: 32 }, (_, b) => (b < 8 ? 0.8 * kick : 0.25 + 0.1 * Math.sin(t * 3 + b)));
    visual.draw({ bands, rms: 0.2 + 0.5 * kick, onset: sinceKick < 1 / 30 ? 1 : 0 });
    last = ctx.getImageData(0, 0, width, height).data;
    if (previous) {
      let sum = 0;
      for (let k = 0; k < last.length; k++) if (k % 4 !== 3) sum += Math.abs(last[k] - previous[k]);
      changes.push(sum / (width * height * 3));
    }
    previous = last;
  }
  return { changes, last: Array.from(last.filter((_, k) => k % 4 !== 3)) };
}"""


def _draw(page: Page, style: str, frames: int = 90, width: int = 96, height: int = 54) -> tuple[np.ndarray, np.ndarray]:
    """Frame-to-frame change of `frames` frames drawn at 30 fps with a kick every 0.5 s, and the last frame."""
    drawn = page.evaluate(DRAW_STYLE, [style, width, height, frames])
    return np.array(drawn["changes"]), np.array(drawn["last"], dtype=np.int16).reshape(height, width, 3)


def _beat_line(change: np.ndarray, fps: float = 30) -> float:
    """How far the 2 Hz line stands out of the spectrum of the frame-to-frame change (1: not at all)."""
    spectrum = np.abs(np.fft.rfft(change - change.mean()))
    frequencies = np.fft.rfftfreq(len(change), 1 / fps)
    at = int(np.argmin(np.abs(frequencies - 2.0)))
    others = np.delete(spectrum[1:], [at - 2, at - 1, at])  # leave out the line and its two neighbours
    return float(spectrum[at] / np.median(others))


@pytest.mark.parametrize("style", STYLES)
def test_each_style_changes_with_the_beat(visit, style):
    page = visit.open()
    change, last = _draw(page, style)
    assert last.std() > 10, "the frame is blank"
    assert _beat_line(change) > 5, "no 2 Hz line in the frame-to-frame change"


def test_the_styles_differ_from_each_other(visit):
    page = visit.open()
    drawn = {style: _draw(page, style, frames=20)[1] for style in STYLES}
    for a in STYLES:
        for b in STYLES[STYLES.index(a) + 1:]:
            assert np.abs(drawn[a] - drawn[b]).mean() > 12, f"{a} and {b} look alike"


@pytest.mark.parametrize("style", ["spectrum", "waveform", "cover"])  # the tunnel's rings pass the edge by design
def test_a_loud_track_stays_inside_the_frame(visit, style):
    """Levels far above 1 (a clipping master) bend at the limiter: the top row stays background-dark."""
    page = visit.open()
    pixels = page.evaluate("""async (style) => {
      const { Visual } = await import('/page/visual.js');
      const canvas = document.createElement('canvas');
      const visual = new Visual(canvas, { style, palette: 'mono', width: 160, height: 90, fps: 30,
                                          track: { title: '', artist: '', artwork: null } });
      for (let i = 0; i < 30; i++) visual.draw({ bands: new Float32Array(32).fill(5), rms: 5, onset: 0 });
      return Array.from(canvas.getContext('2d').getImageData(0, 0, 160, 1).data);
    }""", style)
    top_row = np.array(pixels).reshape(160, 4)[:, :3]
    assert (top_row.max(axis=1) > 200).mean() < 0.5, "the visual fills the top edge: it left the frame"
