"""The page at / (index.html) in a real headless Chromium, against a real server: its form and deep
links, its styles drawn from the take's levels, the videos it renders (decoded), and the bugs a
musician found in the page before it (each test named after what was broken)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

import av
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, sync_playwright

from ..conftest import ServerProcess
from ..media import probe

pytestmark = pytest.mark.browser

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
def open_visitor(browser) -> Iterator[Callable[[ServerProcess], PageUnderTest]]:
    """``open_visitor(server)``: a PageUnderTest on that server, its browser context closed after the test."""
    visitors: list[PageUnderTest] = []

    def open_one(server: ServerProcess) -> PageUnderTest:
        visitors.append(PageUnderTest(browser, server))
        return visitors[-1]

    yield open_one
    for visitor in visitors:
        visitor.context.close()


@pytest.fixture
def visit(open_visitor, server) -> Iterator[PageUnderTest]:
    visitor = open_visitor(server)
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


@pytest.mark.parametrize(("query", "sentence"), [("aspect=4:3", "aspect must be one of 16:9, 1:1, 9:16"),
                                                 ("style=disco", "there is no style \"disco\": choose one of spectrum")])
def test_an_unknown_deep_link_value_is_named_with_the_accepted_ones(visit, query, sentence):
    page = visit.open(f"?{query}&autostart=1")
    page.wait_for_function("document.getElementById('state').textContent === 'failed'")
    assert sentence in page.inner_text("#error")


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


def test_with_youtube_credentials_the_upload_controls_are_on(open_visitor, start_server, tmp_path):
    token_file = tmp_path / "token.json"
    token_file.write_text(json.dumps({"token": "t", "refresh_token": "r", "client_id": "c", "client_secret": "s",
                                      "token_uri": "https://127.0.0.1:1/token"}))  # fmt: skip
    server = start_server("--youtube-token-file", str(token_file))
    visitor = open_visitor(server)
    page = visitor.open("?upload=1")
    assert json.loads(page.request.get(server.url + "/healthz").text())["youtube"] is True
    assert page.is_enabled("#upload") and page.is_checked("#upload")
    assert "no YouTube credentials" not in page.inner_text("#upload-note")
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


# --- renders: a track given by URL becomes a video (decoded here) --------------------------------------

def _kick_track(seconds: float, rate: int = 48000) -> bytes:
    """WAV bytes: a quiet chord and a kick every 0.5 s (a falling 60 Hz burst), the beat the tests look for."""
    t = np.arange(int(seconds * rate)) / rate
    since = t % 0.5
    kick = 0.8 * np.exp(-since * 18) * np.sin(2 * np.pi * (60 - 40 * since) * since)
    chord = 0.05 * (np.sin(2 * np.pi * 220 * t) + np.sin(2 * np.pi * 330 * t))
    samples = (np.clip(kick + chord, -1, 1) * 32767).astype("<i2").tobytes()
    header = (b"RIFF" + (36 + len(samples)).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
              + (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + rate.to_bytes(4, "little")
              + (rate * 2).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
              + b"data" + len(samples).to_bytes(4, "little"))  # fmt: skip
    return header + samples


@pytest.fixture(scope="module")
def track_url() -> Iterator[str]:
    """A 3 s kick track served over HTTP from another origin (with CORS), as a musician's link would be."""
    body = _kick_track(3)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "audio/wav")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/kicks.wav"
    server.shutdown()


def _wait_done(page: Page) -> None:
    page.wait_for_function("['done', 'failed'].includes(document.getElementById('state').textContent)", timeout=RENDER_TIMEOUT_MS)
    assert page.inner_text("#state") == "done", page.inner_text("#error")


def _video_frames(server: ServerProcess) -> tuple[Path, np.ndarray]:
    [video] = list(server.output_dir.glob("*.mp4"))
    with av.open(str(video)) as container:
        frames = np.stack([frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]).astype(np.int16)
    return video, frames


def _save_screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#stage").screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.mark.parametrize("style", STYLES)
def test_each_style_renders_a_track_given_by_url_to_a_video_that_follows_its_beat(visit, track_url, style):
    """Slow (about 20-35 s a style): headless Chromium draws 90 frames of 640x360 (a 3 s track) in software,
    each sent as a JPEG for the server to encode."""
    page = visit.open(f"?style={style}&aspect=16:9&resolution=360p&fps=30&encode=server&title=Kicks&artist=Test%20Track"
                      f"&audio={track_url}&autostart=1")  # fmt: skip
    _wait_done(page)
    _save_screenshot(page, f"style_{style}")
    video, frames = _video_frames(visit.server)
    facts = probe(video)
    assert (facts.frames, facts.width, facts.height, facts.audio_codec) == (90, 640, 360, "aac")
    change = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2, 3))
    assert _beat_line(change) > 4, f"no 2 Hz line in the video's frame-to-frame change: {np.round(change, 1)}"
    assert page.get_attribute("#download", "download") == "Kicks.mp4"
    assert page.request.get(page.get_attribute("#download", "href")).body()[4:8] == b"ftyp"
    page.wait_for_function("document.getElementById('result').readyState >= 1")
    assert page.evaluate("document.getElementById('result').duration") == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize(("aspect", "size"), [("9:16", (360, 640)), ("1:1", (360, 360))])
def test_vertical_and_square_renders_have_the_asked_size(visit, track_url, aspect, size):
    """Slow (about 8 s each): headless Chromium draws 30 frames of 360x640 or 360x360 in software,
    each sent as a JPEG for the server to encode."""
    page = visit.open(f"?style=cover&aspect={aspect}&resolution=360p&seconds=1&encode=server&audio={track_url}&autostart=1")
    _wait_done(page)
    facts = probe(_video_frames(visit.server)[0])
    assert (facts.frames, facts.width, facts.height) == (30, *size)


def test_the_title_is_drawn_into_the_video(open_visitor, start_server, tmp_path, track_url):
    """Slow (about 20 s): two servers are started, and for each headless Chromium draws 30 frames of 640x360
    in software, sent as JPEGs for that server to encode.
    The same track and style with and without a title: the frames differ where the text goes, and only there."""
    rendered = []
    for name, title in [("plain", ""), ("titled", "Night Drive")]:
        server = start_server(work=tmp_path / name / "work", output=tmp_path / name / "output")
        page = open_visitor(server).open(f"?style=spectrum&aspect=16:9&resolution=360p&seconds=1&encode=server"
                                         f"&title={title}&artist={'The%20Kicks' if title else ''}&audio={track_url}"
                                         "&autostart=1")  # fmt: skip
        _wait_done(page)
        rendered.append(_video_frames(server)[1][-1])
    difference = np.abs(rendered[0] - rendered[1]).mean(axis=2)
    text_rows = difference[285:345, 20:400]  # lower left: beside the artwork's place, above the margin
    assert text_rows.mean() > 8 and (text_rows > 60).mean() > 0.03, "no text where the title goes"
    assert difference[:150].mean() < 2, "frames differ away from the text"


# --- what broke in the page before this one ----------------------------------------------------------

def _live_sessions(page: Page, server: ServerProcess) -> int:
    return json.loads(page.request.get(server.url + "/healthz").text())["sessions"]


def test_cancel_while_encoding_in_the_browser_ends_cancelled_not_failed(visit):
    """Slow (about 15 s): WebCodecs' H.264 encoder in the tab encodes the first 15 frames of 640x360 before the cancel,
    then the test waits for the server to let the session go."""
    page = visit.open("?style=tunnel&resolution=360p&seconds=20&encode=browser")
    page.click("#render")
    page.wait_for_function("document.getElementById('render-bar').value >= 15", timeout=RENDER_TIMEOUT_MS)
    page.click("#cancel")
    page.wait_for_function("document.getElementById('state').textContent !== 'rendering'", timeout=RENDER_TIMEOUT_MS)
    deadline = 300
    while _live_sessions(page, visit.server) and deadline:  # the server lets the session go
        page.wait_for_timeout(100)
        deadline -= 1
    assert _live_sessions(page, visit.server) == 0
    page.wait_for_function("document.getElementById('cancel').disabled")  # the render loop has ended
    assert (page.inner_text("#state"), page.inner_text("#error")) == ("cancelled", "")
    assert not list(visit.server.output_dir.glob("*.mp4"))


def test_continue_after_a_reload_with_the_chosen_file_restores_the_form_and_finishes(visit, tmp_path):
    """Slow (about 25 s): headless Chromium draws 90 frames of 360x360 (a 3 s track) in software, each sent
    as a JPEG for the server to encode, with a reload after the 30th (then the page analyses the track again
    and redraws from frame 0)."""
    track = tmp_path / "my song.wav"
    track.write_bytes(_kick_track(3))
    page = visit.open("?style=waveform&palette=forest&aspect=1:1&resolution=360p&encode=server&title=Reload")
    page.set_input_files("#audio-file", str(track))
    page.click("#render")
    page.wait_for_function("document.getElementById('render-bar').value >= 30", timeout=RENDER_TIMEOUT_MS)
    page.goto(visit.server.url + "/")  # a reload, without the deep link: the form must come back from the session
    page.wait_for_function("document.body.dataset.ready === 'true'")
    assert page.is_visible("#interrupted") and page.is_disabled("#continue")
    assert "choose my song.wav again" in page.inner_text("#interrupted-text")
    restored = {name: _field(page, name) for name in ("style", "palette", "aspect", "resolution", "title")}
    assert restored == {"style": "waveform", "palette": "forest", "aspect": "1:1", "resolution": "360p", "title": "Reload"}
    page.set_input_files("#audio-file", str(track))
    assert page.is_enabled("#continue")
    page.click("#continue")
    _wait_done(page)
    facts = probe(_video_frames(visit.server)[0])
    assert (facts.frames, facts.width, facts.height, facts.audio_codec) == (90, 360, 360, "aac")


def test_the_preview_plays_the_track_live_with_the_chosen_style(visit):
    page = visit.open("?style=tunnel&aspect=1:1&resolution=360p&seconds=2")
    page.click("#preview")
    page.wait_for_function("document.getElementById('state').textContent === 'previewing'")
    assert page.evaluate("[document.getElementById('stage').width, document.getElementById('stage').height]") == [360, 360]
    first = page.evaluate("document.getElementById('stage').toDataURL()")
    page.wait_for_function("first => document.getElementById('stage').toDataURL() !== first", arg=first)
    page.wait_for_function("document.getElementById('state').textContent === 'idle'", timeout=30_000)  # the 2 s end it
    assert page.inner_text("#preview") == "Preview"


def test_with_youtube_the_page_uploads_with_its_title_description_privacy_and_artwork_thumbnail(
    open_visitor, youtube, start_youtube_server, tmp_path, track_url
):
    """Slow (about 15 s): headless Chromium draws 60 frames of 640x360 in software, the server encodes them,
    then uploads the video and a thumbnail to the fake YouTube over TLS."""
    server = start_youtube_server()
    artwork = tmp_path / "cover.png"
    pixels = np.zeros((64, 64, 3), dtype=np.uint8)
    pixels[:, :32] = (250, 40, 40)
    Image.fromarray(pixels).save(artwork)  # a PNG with a red left half
    visitor = open_visitor(server)
    page = visitor.open(f"?style=cover&resolution=360p&seconds=2&encode=server&title=Night%20Drive&artist=The%20Kicks"
                        f"&upload=1&privacy=unlisted&description=From%20the%20page&audio={track_url}")  # fmt: skip
    page.set_input_files("#artwork", str(artwork))
    page.click("#render")
    _wait_done(page)
    assert page.is_visible("#youtube") and "watch?v=" in page.get_attribute("#youtube", "href")
    [upload] = youtube.uploads.values()
    assert upload.metadata["snippet"]["title"] == "The Kicks - Night Drive"
    assert upload.metadata["snippet"]["description"] == "From the page"
    assert upload.metadata["status"]["privacyStatus"] == "unlisted"
    [thumbnail] = youtube.thumbnails.values()
    assert thumbnail[:2] == b"\xff\xd8", "the thumbnail is a JPEG frame"
    assert visitor.errors == []
