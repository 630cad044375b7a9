"""What analysing a long track costs the tab: the SDK's analysis in pieces against decodeAudioData.

    .venv/bin/python benchmarks/sdk_audio_memory.py              # a 20-minute stereo MP3
    .venv/bin/python benchmarks/sdk_audio_memory.py --minutes 60

A stereo 44.1 kHz MP3 (128 kbit/s, a tone that changes, made by ffmpeg) is fetched by a page of
another origin in the project's Chromium; then, each in a fresh page, (a) the SDK's analysis
(`audio_analysis.js`: decoded a MiB at a time through AudioDecoder, levels kept per frame at 30 fps)
and (b) `decodeAudioData` of the whole file, which is what a page does without the SDK. The peak
resident memory of this run's Chromium renderer processes (tests/renderer_memory.py: sampled from
/proc every 50 ms) above the page's own before the work is the figure. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import print_table  # noqa: E402

from tests.conftest import ServerProcess  # noqa: E402
from tests.integration.test_browser_page import CHROMIUM_ARGS  # noqa: E402
from tests.media import make_long_mp3  # noqa: E402
from tests.renderer_memory import PeakRendererMemory  # noqa: E402

SDK_ANALYSIS = """async ({ server }) => {
  const blob = await (await fetch("long.mp3")).blob();
  const { analyseAudio } = await import(server + "/sdk/audio_analysis.js");
  window.ready = true;
  await new Promise((resolve) => { window.go = resolve; });
  const started = performance.now();
  const levels = await analyseAudio(blob, 30);
  return { frames: levels.length, seconds: (performance.now() - started) / 1000 };
}"""

WHOLE_DECODE = """async () => {
  const blob = await (await fetch("long.mp3")).blob();
  window.ready = true;
  await new Promise((resolve) => { window.go = resolve; });
  const started = performance.now();
  const decoded = await new OfflineAudioContext(1, 1, 44100).decodeAudioData(await blob.arrayBuffer());
  return { frames: Math.round(decoded.duration * 30), seconds: (performance.now() - started) / 1000 };
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def measure(browser, site: str, script: str, server: str) -> dict:
    page = browser.new_page()
    page.goto(site + "/")
    page.evaluate(f"() => {{ window.result = ({script})({{ server: {server!r} }}); }}")
    page.wait_for_function("window.ready === true", timeout=600_000)
    with PeakRendererMemory() as memory:
        page.evaluate("window.go()")
        result = page.evaluate("window.result")
    page.close()
    return {**result, "peak_mb": memory.peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        site = Path(work) / "site"
        site.mkdir()
        seconds = args.minutes * 60
        make_long_mp3(site / "long.mp3", seconds)
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{httpd.server_address[1]}"
        (site / "index.html").write_text("<!doctype html><title>long track</title>")
        server = ServerProcess(Path(work) / "spool", Path(work) / "videos", ["--cors-origin", origin])
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                sdk = measure(browser, origin, SDK_ANALYSIS, server.url)
                whole = measure(browser, origin, WHOLE_DECODE, server.url)
                browser.close()
        finally:
            server.stop()
            httpd.shutdown()
        size_mb = (site / "long.mp3").stat().st_size / 1e6
    print(f"{args.minutes:g} minutes of stereo 44.1 kHz MP3 at 128 kbit/s ({size_mb:.1f} MB)\n")
    print_table(["analysis", "frames (30 fps)", "seconds", "peak renderer memory above the page's (MB)"],
                [["SDK (`analyseAudio`, in pieces)", str(sdk["frames"]), f"{sdk['seconds']:.1f}", f"{sdk['peak_mb']:.0f}"],
                 ["`decodeAudioData`, whole", str(whole["frames"]), f"{whole['seconds']:.1f}", f"{whole['peak_mb']:.0f}"]])  # fmt: skip


if __name__ == "__main__":
    main()
