"""Frames mode against browser-encode mode (format h264), side by side in one run, on the real server.

    .venv/bin/python benchmarks/browser_encode.py           # the table in docs/performance.md
    .venv/bin/python benchmarks/browser_encode.py --quick   # 3 s instead of 10 s

For 10 s of 720p and of 1080p at 30 fps (the visualizer-like frames of run.py, with audio):
- frames mode: JPEG frames (quality 90), which the server encodes with x264;
- browser-encode mode: the same frames as H.264 access units made the way the page asks
  WebCodecs for them (High, no B-frames, a key frame a second, the page's bitrate for the
  resolution), here by x264 outside the server and outside the timing, since the browser's
  encoder runs on the client's machine.
Each session runs on a fresh server process with python-socketio (window 8). Measured: the
bytes sent, the time from the first frame to `video_ready`, and the server's CPU seconds
(its own and its reaped ffmpeg children's, from /proc/<pid>/stat) per minute of video.
Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import FPS, Scenario, print_table, python_send, start_server, visualizer_frame, write_wav  # noqa: E402

from visualizer_server.model.h264 import split_access_units  # noqa: E402
from visualizer_server.view.components.encoding.ffmpeg_commands import ffmpeg_exe  # noqa: E402

# The page's bitrates (web/page/video_encoder.js): YouTube's recommended upload bitrates.
PAGE_BITRATES = {720: "5M", 1080: "8M"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def write_sources(scenario: Scenario, jpeg_folder: Path, h264_folder: Path) -> None:
    """The JPEG frames, and the same pixels as H.264 access units, one file each."""
    jpeg_folder.mkdir(parents=True)
    h264_folder.mkdir(parents=True)
    raw = bytearray()
    for index in range(scenario.frames):
        pixels = visualizer_frame(index, scenario.width, scenario.height)
        raw += pixels.tobytes()
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
        (jpeg_folder / f"{index:08d}.jpeg").write_bytes(buffer.getvalue())
    bitrate = PAGE_BITRATES[scenario.height]
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-video_size", f"{scenario.width}x{scenario.height}", "-framerate", str(FPS), "-i", "pipe:0",
               "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-bf", "0", "-g", str(FPS),
               "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate, "-pix_fmt", "yuv420p", "-f", "h264", "pipe:1"]
    stream = subprocess.run(command, input=bytes(raw), capture_output=True, check=True).stdout
    for index, unit in enumerate(split_access_units(stream)):
        (h264_folder / f"{index:08d}.h264").write_bytes(unit)


def cpu_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime: the process and the children it has reaped (its ffmpegs)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def measure(scenario: Scenario, folder: Path, audio: Path, work: Path) -> dict:
    server = start_server(work)
    try:
        before = cpu_seconds(server.popen.pid)
        result = python_send(server.address, scenario, folder, audio)
        result["cpu_s"] = cpu_seconds(server.popen.pid) - before
    finally:
        server.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 s of video instead of 10 s")
    args = parser.parse_args()
    seconds = 3 if args.quick else 10
    rows = []
    with tempfile.TemporaryDirectory(prefix="visualizer-bench-") as temporary:
        work = Path(temporary)
        for width, height in ((1280, 720), (1920, 1080)):
            name = f"{height}p"
            jpeg = Scenario(f"{name} JPEG", width, height, "jpeg", seconds * FPS)
            h264 = Scenario(f"{name} h264", width, height, "h264", seconds * FPS)
            write_sources(jpeg, work / name / "jpeg", work / name / "h264")
            audio = work / name / "audio.wav"
            write_wav(audio, seconds + 1)
            frames_mode = measure(jpeg, work / name / "jpeg", audio, work / name / "frames-server")
            encoded_mode = measure(h264, work / name / "h264", audio, work / name / "h264-server")
            minutes = seconds / 60
            for mode, result in (("frames (JPEG q90, server x264)", frames_mode),
                                 ("browser-encode (h264, server copies)", encoded_mode)):  # fmt: skip
                rows.append([f"{seconds} s of {name}", mode, f"{result['bytes'] / 1e6:.1f}",
                             f"{frames_mode['bytes'] / result['bytes']:.1f}x", f"{result['ready_ms'] / 1000:.2f}",
                             f"{result['cpu_s'] / minutes:.1f}",
                             f"{frames_mode['cpu_s'] / result['cpu_s']:.1f}x"])  # fmt: skip
            print(f"# {name} done", flush=True)
    print(f"\nFrames mode against browser-encode mode, {seconds} s at {FPS} fps with audio, python-socketio, window 8:\n")
    print_table(["video", "mode", "MB sent", "fewer bytes than JPEG", "first frame -> video_ready (s)",
                 "server CPU s per minute of video", "less server CPU than frames"], rows)  # fmt: skip


if __name__ == "__main__":
    main()
