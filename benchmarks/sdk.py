"""The recorder SDK's cost, in the project's Chromium against the real server, in one run.

    .venv/bin/python benchmarks/sdk.py           # the table in docs/performance.md
    .venv/bin/python benchmarks/sdk.py --quick   # fewer frames and rounds

Two comparisons, each on the same 720p 2D animation (a gradient and moving shapes, drawn per frame)
sent as JPEG for the server to encode (window 8), rounds alternating so load hits both alike:
- overhead per frame: `take.addFrame` in a loop against the same loop written by hand with the
  vendored socket.io-client (toBlob, emit, at most `window` frames unacknowledged). Measured: the
  loop's time (draw + capture + send, until another frame may go) and the whole take, to `video_ready`.
- `recordAnimation` (the animation driven by requestAnimationFrame on the virtual clock) against the
  page's own kind of render loop (draw, `addFrame`, repeat), both from `start` to the finished video.
Results are ratios from this one run; the absolute figures are for context only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import print_table, start_server  # noqa: E402

from tests.integration.test_browser_page import CHROMIUM_ARGS  # noqa: E402

WIDTH, HEIGHT, FPS = 1280, 720, 30

DRAW = """
window.drawScene = (context, i) => {
  const { width, height } = context.canvas;
  const gradient = context.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, `hsl(${(i * 3) % 360} 70% 30%)`);
  gradient.addColorStop(1, `hsl(${(i * 3 + 160) % 360} 70% 15%)`);
  context.fillStyle = gradient;
  context.fillRect(0, 0, width, height);
  for (let k = 0; k < 24; k++) {
    const angle = (i / 30) * (1 + k / 12) + k;
    context.fillStyle = `hsl(${(k * 15 + i) % 360} 90% 60%)`;
    context.beginPath();
    context.arc(width / 2 + Math.cos(angle) * width * 0.35, height / 2 + Math.sin(angle * 1.3) * height * 0.35, 20 + k * 2, 0, 7);
    context.fill();
  }
};
window.makeCanvas = () => {
  const canvas = document.createElement("canvas");
  canvas.width = WIDTH; canvas.height = HEIGHT;
  return canvas;
};
""".replace("WIDTH", str(WIDTH)).replace("HEIGHT", str(HEIGHT))

SDK_LOOP = """async ({ server, frames }) => {
  const { Recorder } = await import(server + "/sdk/recorder.js");
  const recorder = await Recorder.connect(server);
  const canvas = makeCanvas(), context = canvas.getContext("2d");
  const take = await recorder.start({ width: canvas.width, height: canvas.height, fps: 30, format: "jpeg", encode: "server",
                                      frameCount: frames, upload: false });
  const started = performance.now();
  for (let i = 0; i < frames; i++) { drawScene(context, i); await take.addFrame(canvas); }
  const loop = performance.now() - started;
  await take.finish();
  recorder.close();
  return { loop, total: performance.now() - started };
}"""

HAND_LOOP = """async ({ server, frames }) => {
  const { io } = await import(server + "/sdk/vendor/socket.io.esm.min.js");
  const socket = io(server, { transports: ["websocket"] });
  await new Promise((resolve) => socket.once("connect", resolve));
  const canvas = makeCanvas(), context = canvas.getContext("2d");
  const ack = await socket.emitWithAck("start_session", { width: canvas.width, height: canvas.height, fps: 30, format: "jpeg",
                                                          frame_count: frames, upload: false });
  const id = ack.session_id;
  const ready = new Promise((resolve) => socket.on("video_ready", (v) => v.session_id === id && resolve()));
  let inFlight = 0, wake = () => {};
  const started = performance.now();
  for (let i = 0; i < frames; i++) {
    drawScene(context, i);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
    const data = new Uint8Array(await blob.arrayBuffer());
    inFlight++;
    socket.emit("frame", { session_id: id, index: i, data }, () => { inFlight--; wake(); });
    while (inFlight >= ack.window) await new Promise((resolve) => { wake = resolve; });
  }
  const loop = performance.now() - started;
  while (inFlight) await new Promise((resolve) => { wake = resolve; });
  await socket.emitWithAck("end_session", { session_id: id, frame_count: frames });
  await ready;
  socket.close();
  return { loop, total: performance.now() - started };
}"""

RECORD_ANIMATION = """async ({ server, frames }) => {
  const { Recorder } = await import(server + "/sdk/recorder.js");
  const recorder = await Recorder.connect(server);
  const canvas = makeCanvas(), context = canvas.getContext("2d");
  const started = performance.now();
  const done = recorder.recordAnimation(canvas, { fps: 30, frameCount: frames, format: "jpeg", encode: "server", upload: false });
  const start = performance.now();
  let recording = true; // the animation stops with the recording, not to slow the next round down
  requestAnimationFrame(function draw(time) {
    drawScene(context, Math.round((time - start) * 30 / 1000));
    if (recording) requestAnimationFrame(draw);
  });
  await done;
  recording = false;
  recorder.close();
  return { total: performance.now() - started };
}"""

RENDER_LOOP = """async ({ server, frames }) => {
  const { Recorder } = await import(server + "/sdk/recorder.js");
  const recorder = await Recorder.connect(server);
  const canvas = makeCanvas(), context = canvas.getContext("2d");
  const started = performance.now();
  const take = await recorder.start({ width: canvas.width, height: canvas.height, fps: 30, format: "jpeg", encode: "server",
                                      frameCount: frames, upload: false });
  for (let i = 0; i < frames; i++) { drawScene(context, i); await take.addFrame(canvas); }
  await take.finish();
  recorder.close();
  return { total: performance.now() - started };
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    frames, rounds = (60, 2) if args.quick else (120, 3)
    runs: dict[str, list[dict]] = {name: [] for name in ("sdk", "hand", "animation", "loop")}
    scripts = {"sdk": SDK_LOOP, "hand": HAND_LOOP, "animation": RECORD_ANIMATION, "loop": RENDER_LOOP}
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        server = start_server(Path(work))
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(server.address + "/healthz")
            page.add_script_tag(content=DRAW)
            for _ in range(rounds):
                for name, script in scripts.items():
                    runs[name].append(page.evaluate(script, {"server": server.address, "frames": frames}))
                    print(f"{name}: {runs[name][-1]}", file=sys.stderr, flush=True)
        finally:
            browser.close()
            server.stop()
    median = {name: {key: statistics.median(run[key] for run in results) for key in results[0]}
              for name, results in runs.items()}  # fmt: skip
    fps = lambda ms: f"{frames / (ms / 1000):.1f}"  # noqa: E731
    print(f"{frames} frames of {WIDTH}x{HEIGHT} JPEG, medians of {rounds} alternating rounds\n")
    print_table(
        ["sender", "loop frames/s", "ms a frame", "to the video, frames/s", "SDK / by hand, per frame"],
        [["socket.io-client by hand", fps(median["hand"]["loop"]), f"{median['hand']['loop'] / frames:.1f}",
          fps(median["hand"]["total"]), "1.00"],
         ["SDK `addFrame`", fps(median["sdk"]["loop"]), f"{median['sdk']['loop'] / frames:.1f}", fps(median["sdk"]["total"]),
          f"{median['sdk']['loop'] / median['hand']['loop']:.3f}"]],
    )  # fmt: skip
    print()
    print_table(
        ["recording", "frames/s, start to video", "against the render loop"],
        [["render loop (draw, `addFrame`)", fps(median["loop"]["total"]), "1.00"],
         ["`recordAnimation` (rAF on the virtual clock)", fps(median["animation"]["total"]),
          f"{median['loop']['total'] / median['animation']['total']:.3f}"]],
    )  # fmt: skip


if __name__ == "__main__":
    main()
