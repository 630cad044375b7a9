"""Encode speed, file size and quality (VMAF) per codec, for 10 s of 1080p30 visualizer frames.

The frames are a music visualisation made by ffmpeg itself (``showcqt`` over a synthetic track:
bars, gradients and motion, like the page's renders), kept losslessly (FFV1) as the reference.
Each codec is then encoded with exactly the options the server uses (``video_encoders``), from
RGB frames like a session's, on this machine, one at a time; VMAF compares every frame of each
output with the same frame of the source. Run: ``.venv/bin/python benchmarks/codecs.py`` (about
4 to 5 minutes on 2 cores); it prints the Markdown table of ``docs/performance.md``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from visualizer_server.model.vo.codec import CODECS  # noqa: E402
from visualizer_server.view.components.encoding.ffmpeg_commands import ffmpeg_exe  # noqa: E402
from visualizer_server.view.components.encoding.video_encoders import encoder_args  # noqa: E402

WIDTH, HEIGHT, FPS, SECONDS = 1920, 1080, 30, 10
PRESET, CRF = "veryfast", 20  # the server's x264 defaults
TRACK = "0.3*sin(2*PI*110*t)*(1+sin(2*PI*2*t))/2+0.2*sin(2*PI*(440+220*sin(t))*t)+0.1*sin(2*PI*1760*t)*gt(sin(2*PI*4*t),0)"


def run(args: list[str]) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stderr


def make_source(folder: Path) -> Path:
    """10 s of a 1080p30 visualizer, lossless RGB: the frames a session would send, and VMAF's reference.

    ``showcqt`` stamps its last frame late (its flush); an encode at a constant frame rate would fill
    that gap with copies of it, so the frames are restamped ``N / FPS``: one timestamp per frame,
    exactly the frames a session sends.
    """
    source = folder / "source.mkv"
    run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
         f"aevalsrc='{TRACK}':s=48000:d={SECONDS + 1},showcqt=s={WIDTH}x{HEIGHT}:r={FPS},setpts=N/({FPS}*TB)",
         "-frames:v", str(FPS * SECONDS), "-pix_fmt", "rgb24", "-c:v", "ffv1", "-y", str(source)])  # fmt: skip
    return source


def encode(source: Path, codec: str, folder: Path) -> tuple[Path, float]:
    """The server's options for ``codec``; returns the file and the wall time of the encode."""
    output = folder / f"{codec}.{CODECS[codec].extension}"
    started = time.monotonic()
    run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(source),
         *encoder_args(codec, False, FPS, PRESET, CRF), "-an", "-y", "-f", CODECS[codec].muxer, str(output)])  # fmt: skip
    return output, time.monotonic() - started


def vmaf(encoded: Path, source: Path, folder: Path) -> float:
    """Mean VMAF of every frame of ``encoded`` against the same frame of the source, both as BT.709
    limited-range yuv420p.

    libvmaf pairs frames by timestamp, taking the latest reference frame at or before each
    distorted one. The reference's Matroska timestamps are whole milliseconds (33, 67, 100) and an
    MP4's are exact (33.33, 66.67, 100): every third frame met its predecessor, and MP4 and MOV
    outputs scored about 71 against VP9's (WebM, milliseconds too) 99. Both are restamped by
    frame number, so frame N meets frame N; the frame count is checked.
    """
    log = folder / "vmaf.json"
    by_index = f"settb=AVTB,setpts=N/({FPS}*TB)"
    graph = (f"[0:v]{by_index},format=yuv420p[distorted];"
             f"[1:v]{by_index},scale=out_range=tv:out_color_matrix=bt709,format=yuv420p[reference];"
             f"[distorted][reference]libvmaf=n_subsample=1:n_threads=2:log_fmt=json:log_path={log}")  # fmt: skip
    run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(encoded), "-i", str(source),
         "-lavfi", graph, "-f", "null", "-"])  # fmt: skip
    scores = json.loads(log.read_text())
    if len(scores["frames"]) != FPS * SECONDS:
        raise RuntimeError(f"VMAF compared {len(scores['frames'])} frames of {FPS * SECONDS}: {encoded.name}")
    return scores["pooled_metrics"]["vmaf"]["mean"]


def main() -> None:
    frames = FPS * SECONDS
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = make_source(folder)
        print("| codec | container | encode time | speed | size | bitrate | VMAF |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for codec in CODECS:
            output, seconds = encode(source, codec, folder)
            size = output.stat().st_size
            score = vmaf(output, source, folder)
            print(f"| {codec} | {CODECS[codec].muxer} | {seconds:.1f} s | {frames / seconds:.1f} fps "
                  f"({SECONDS / seconds:.2f}x real time) | {size / 1e6:.1f} MB | {size * 8 / SECONDS / 1e6:.1f} Mbit/s "
                  f"| {score:.1f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
