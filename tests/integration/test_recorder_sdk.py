"""The recorder SDK (/sdk/recorder.js) in a real headless Chromium, imported by a page of another
origin (a second loopback HTTP server, allowed with --cors-origin), against the real server; every
video is decoded and its frames read back by the index each one spells."""

from __future__ import annotations

import functools
import http.server
import subprocess
import threading
import time
import urllib.error
import urllib.request
import wave
from pathlib import Path
from typing import Iterator

import av
import numpy as np
import pytest
from playwright.sync_api import Browser, Page

from ..conftest import ServerProcess
from ..media import make_wav, probe
from ..processes import wait_until
from .metrics import read_metrics
from .small_disk import fill_inodes, small_disk  # noqa: F401 - small_disk: a fixture
from .test_browser_page import browser  # noqa: F401 - the browser tests' one Chromium fixture

pytestmark = pytest.mark.browser

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
def sdk_server(start_server, other_origin: str) -> ServerProcess:
    return start_server("--cors-origin", other_origin)


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
  let recording = true;
  requestAnimationFrame(function draw(time) {
    drawIndex(context, Math.round((time - start) * 30 / 1000));
    if (recording) requestAnimationFrame(draw);
  });
  const result = await done;
  recording = false;
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


def test_the_sdk_is_served_with_cors_for_allowed_origins_only(sdk_server, other_origin):
    def allow_origin(origin: str, path: str = "/sdk/recorder.js") -> str | None:
        request = urllib.request.Request(sdk_server.url + path, headers={"Origin": origin})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/javascript")
            return response.headers.get("Access-Control-Allow-Origin")

    assert allow_origin(other_origin) == other_origin
    assert allow_origin(sdk_server.url) == sdk_server.url, "the server's own origin is always allowed"
    assert allow_origin(other_origin, "/sdk/vendor/socket.io.esm.min.js") == other_origin
    assert allow_origin("http://127.0.0.1:1") is None
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(sdk_server.url + "/sdk/../settings.py", timeout=10)
    assert refused.value.code == 404


def _tone_mp3(path: Path) -> None:
    """1 s of 440 Hz then 1 s of 2500 Hz, with a click every half second, as MP3 (made by ffmpeg's libmp3lame)."""
    from visualizer_server.view.components.encoding.ffmpeg_commands import ffmpeg_exe

    rate = 44100
    t = np.arange(2 * rate) / rate
    samples = np.where(t < 1, np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 2500 * t)) * 0.4
    samples[(t % 0.5) < 0.01] += 0.5
    wav = path.with_suffix(".wav")
    with wave.open(str(wav), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-i", str(wav), "-c:a", "libmp3lame", "-b:a", "128k", str(path)],
                   check=True)  # fmt: skip


TAKE_WITH_AUDIO = """async ({ server, audioName }) => {
  const { Recorder } = await import(server + "/sdk/recorder.js");
  const recorder = await Recorder.connect(server);
  const audio = await (await fetch(audioName)).blob();
  const canvas = document.createElement("canvas");
  canvas.width = %d; canvas.height = %d;
  const context = canvas.getContext("2d");
  const takes = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const take = await recorder.start({ width: canvas.width, height: canvas.height, fps: 30, audio, encode: "server", upload: false });
    const levels = [];
    for (let index = 0; index < 60; index++) {
      const { bands, rms, onset } = take.audioAt(index);
      levels.push({ bands: Array.from(bands), rms, onset });
      drawIndex(context, index);
      await take.addFrame(canvas);
    }
    takes.push({ levels, result: await take.finish() });
  }
  return takes;
}""" % (WIDTH, HEIGHT)


def test_a_take_by_hand_with_audio_has_deterministic_levels_and_a_video_with_its_sound(page, sdk_server, tmp_path):
    _tone_mp3(tmp_path / "site" / "tone.mp3")
    first, second = page.evaluate(TAKE_WITH_AUDIO, {"server": sdk_server.url, "audioName": "tone.mp3"})
    assert first["levels"] == second["levels"], "the same audio gave other levels"
    levels = first["levels"]
    assert all(len(level["bands"]) == 32 for level in levels)
    assert all(0 <= value <= 1 for level in levels for value in [*level["bands"], level["rms"], level["onset"]])
    # Bands log-spaced 30 Hz to 12 kHz: 440 Hz is band 14, 2500 Hz band 23.
    loudest = [int(np.argmax(level["bands"])) for level in levels]
    assert set(loudest[3:12] + loudest[18:27]) == {14} and set(loudest[33:42] + loudest[48:57]) == {23}, loudest
    # A click at 0, 0.5, 1 and 1.5 s (frames 0, 15, 30, 45): onsets there, in step with the sound.
    onsets = [level["onset"] for level in levels]
    assert all(max(onsets[i : i + 2]) > 0.3 for i in (15, 30, 45)), onsets
    assert max(onsets[3:13] + onsets[18:28] + onsets[33:43]) < 0.1, onsets
    assert levels[0]["rms"] > 0.3 and 0.25 < levels[10]["rms"] < 0.45
    videos = sorted(sdk_server.output_dir.glob("*.mp4"))
    assert len(videos) == 2
    for video in videos:
        facts = probe(video)
        assert facts.frame_indexes == list(range(60))
        assert facts.audio_codec == "aac" and facts.audio_duration_s == pytest.approx(2.0, abs=0.03)
        with av.open(str(video)) as container:
            sound = np.concatenate([frame.to_ndarray().mean(axis=0) for frame in container.decode(audio=0)])
        spectrum = np.abs(np.fft.rfft(sound[: 48000]))
        assert np.argmax(spectrum) * 48000 / len(sound[:48000]) == pytest.approx(440, abs=5), "the video's sound is the track"


WEBGL_FRAME = """async ({ server, preserveDrawingBuffer }) => {
  const { Recorder, RecorderError } = await import(server + "/sdk/recorder.js");
  const recorder = await Recorder.connect(server);
  const canvas = document.createElement("canvas");
  canvas.width = %d; canvas.height = %d;
  document.body.appendChild(canvas);
  const gl = canvas.getContext("webgl", { preserveDrawingBuffer });
  gl.clearColor(1, 0.5, 0, 1);
  gl.clear(gl.COLOR_BUFFER_BIT);
  // Drawn, then shown: two animation frames later the browser has composited the canvas.
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const take = await recorder.start({ width: canvas.width, height: canvas.height, format: "png", encode: "server" });
  try {
    await take.addFrame(canvas);
    await take.cancel();
    return { ok: true };
  } catch (error) {
    await take.cancel();
    return { ok: false, isRecorderError: error instanceof RecorderError, code: error.code, message: error.message };
  }
}""" % (WIDTH, HEIGHT)


def test_a_webgl_canvas_without_preserve_drawing_buffer_gets_a_clear_error(page, sdk_server):
    outcome = page.evaluate(WEBGL_FRAME, {"server": sdk_server.url, "preserveDrawingBuffer": False})
    assert outcome["ok"] is False and outcome["isRecorderError"] and outcome["code"] == "bad_frame"
    assert "preserveDrawingBuffer: true" in outcome["message"]
    kept = page.evaluate(WEBGL_FRAME, {"server": sdk_server.url, "preserveDrawingBuffer": True})
    assert kept == {"ok": True}, "a preserved WebGL canvas is taken as it is"


HAND_TAKE = """async ({ server, connectTo, frames, stopAt, format, audioName }) => {
  const { Recorder } = await import(server + "/sdk/recorder.js");
  const recorder = await Recorder.connect(connectTo);
  const canvas = document.createElement("canvas");
  canvas.width = %d; canvas.height = %d;
  const context = canvas.getContext("2d");
  const events = [];
  const audio = audioName ? await (await fetch(audioName)).blob() : undefined;
  let take = recorder.interrupted()[0];
  let first = 0;
  if (take) first = await take.continue({ audio });
  else take = await recorder.start({ width: canvas.width, height: canvas.height, fps: 30, format, encode: "server", frameCount: frames, audio });
  for (const type of ["progress", "resumed", "waiting", "failed"]) take.addEventListener(type, () => events.includes(type) || events.push(type));
  for (let index = first; index < (stopAt ?? frames); index++) {
    drawIndex(context, index);
    await take.addFrame(canvas);
  }
  if (stopAt !== null) return { first, events, interrupted: recorder.interrupted().length };
  return { first, events, result: await take.finish(), left: recorder.interrupted().length };
}""" % (WIDTH, HEIGHT)


def test_a_dropped_connection_mid_take_continues_by_itself_into_one_exact_video(page, sdk_server, cutting_proxy):
    proxy = cutting_proxy(int(sdk_server.url.rsplit(":", 1)[1]), cut_after_bytes=400_000)
    outcome = page.evaluate(HAND_TAKE, {"server": sdk_server.url, "connectTo": proxy.url, "frames": 60,
                                        "stopAt": None, "format": "rgba", "audioName": None})  # fmt: skip
    assert proxy.cuts == 1 and proxy.connections >= 2, "the connection was not cut and made again"
    assert "resumed" in outcome["events"] and "progress" in outcome["events"] and "failed" not in outcome["events"]
    assert outcome["result"]["frames"] == 60 and outcome["left"] == 0
    _assert_frames_in_order(_video(sdk_server), 60)


def test_a_reload_mid_take_continues_from_the_first_missing_frame_into_one_exact_video(page, sdk_server, tmp_path):
    make_wav(tmp_path / "site" / "tone.wav", 2.0)
    arguments = {"server": sdk_server.url, "connectTo": sdk_server.url, "frames": 60, "format": "png", "audioName": "tone.wav"}
    before = page.evaluate(HAND_TAKE, {**arguments, "stopAt": 30})
    assert before["interrupted"] == 1, "the take in progress is not listed"
    page.reload()
    with pytest.raises(Exception, match=r"must be given again, for its analysis: take.continue\(\{ audio \}\) \(invalid_request\)"):
        page.evaluate(HAND_TAKE, {**arguments, "stopAt": None, "audioName": None})
    after = page.evaluate(HAND_TAKE, {**arguments, "stopAt": None})
    assert 0 < after["first"] <= 30, "the take did not go on from where the server's frames end"
    assert after["result"]["frames"] == 60 and after["left"] == 0
    _assert_frames_in_order(_video(sdk_server), 60)
    facts = probe(_video(sdk_server))
    assert facts.audio_codec == "aac" and facts.audio_duration_s == pytest.approx(2.0, abs=0.03)


FRAMES_STORED = """async ({ server, frames }) => {
  const { Recorder } = await import(server + "/sdk/recorder.js");
  const recorder = await Recorder.connect(server);
  const canvas = document.createElement("canvas");
  canvas.width = %d; canvas.height = %d;
  const context = canvas.getContext("2d");
  const take = await recorder.start({ width: canvas.width, height: canvas.height, fps: 30, format: "png", encode: "server" });
  const stored = new Promise((resolve) => take.addEventListener("progress", (event) => {
    if (event.detail.framesReceived === frames) resolve();
  }));
  for (let index = 0; index < frames; index++) {
    drawIndex(context, index);
    await take.addFrame(canvas);
  }
  await stored;
  window.take = take;
}""" % (WIDTH, HEIGHT)


def test_finish_on_a_full_disk_asks_again_until_the_end_is_kept(small_disk, page, start_server, other_origin):
    """The server refuses ``end_session`` with server_busy while its disk is full (nothing is kept, so
    a restart could not know the end): the SDK's finish asks again after ``retry_after_s``, and
    resolves with the video once there is room; the take never fails for it."""
    # A long idle close: the open segment is not kept (nor its frames' inodes freed) while the test waits.
    server = start_server("--cors-origin", other_origin, "--min-free-disk-bytes", "0", "--encoder-idle-ms", "60000",
                          work=small_disk)  # fmt: skip
    page.evaluate(FRAMES_STORED, {"server": server.url, "frames": 12})
    fillers = fill_inodes(small_disk / "filler")
    page.evaluate("() => { window.finished = window.take.finish().then((result) => ({ result }), (error) => ({ error: String(error) })); }")
    refused_busy = ("visualizer_requests_refused_total", (("code", "server_busy"),))
    wait_until(lambda: read_metrics(server.url).get(refused_busy, 0) >= 2,
               what="the end refused twice on the full disk",
               pause=lambda _: time.sleep(0.1))  # each poll is an HTTP request to the server
    for path in fillers:
        path.unlink()
    outcome = page.evaluate("() => window.finished")
    assert "result" in outcome, outcome
    assert outcome["result"]["frames"] == 12
    _assert_frames_in_order(_video(server), 12)


AUTO_TAKE = """async ({ server }) => {
  const { Recorder } = await import(server + "/sdk/recorder.js");
  const recorder = await Recorder.connect(server);
  const take = await recorder.start({ width: 640, height: 360, format: "png" });
  await take.cancel();
  return take.encoding;
}"""


def test_encode_auto_chooses_by_measuring_both_paths_here(page, sdk_server):
    encoding = page.evaluate(AUTO_TAKE, {"server": sdk_server.url})
    trial = encoding["trial"]
    if trial is None:  # a hardware encoder (a GPU's) is taken without a trial
        assert encoding == {"encode": "browser", "reason": "a hardware H.264 encoder", "trial": None}
        return
    assert trial["browserMsPerFrame"] > 0 and trial["imageMsPerFrame"] > 0
    faster = "browser" if trial["browserMsPerFrame"] < trial["imageMsPerFrame"] else "server"
    assert encoding["encode"] == faster
