"""A live stream paced like a browser, and colour fidelity, measured against the real server.

    .venv/bin/python benchmarks/lifecycle.py            # both tables in docs/performance.md
    .venv/bin/python benchmarks/lifecycle.py --quick    # 3 s instead of 10 s
    .venv/bin/python benchmarks/lifecycle.py --seconds 180 --paced-only   # 3 minutes: the finish must not grow

1. Paced stream: 10 s of 1080p30 frames like the page's (spectrum bars, a ring, a dark
   background) as JPEG, sent at 30 frames a second
   (window 8, the audio complete before the first frame), the way a page that renders in
   real time sends them. Measured: the rate the server took them at (frames / time from the
   first send to the last ack) and the time from the last ack to `video_ready`.
2. Colour: flat patches (black, white, greys, primaries, a skin tone) sent as png, rgba and
   jpeg, decoded from the MP4 by its own tags (matrix and range), compared with what was
   sent: the largest difference in 8-bit levels over every channel and patch.
Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import tempfile
import threading
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import FPS, Scenario, connect, ffmpeg_alone, print_table, start_server, write_wav  # noqa: E402

PATCHES = {
    "black": (0, 0, 0), "white": (255, 255, 255), "grey": (128, 128, 128), "dark grey": (40, 40, 40),
    "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "skin": (224, 172, 140),
    "orange": (255, 140, 0), "purple": (120, 40, 200),
}  # fmt: skip
COLOUR_SIZE = (320, 240)
DISTINCT = 300  # frames drawn (10 s); a longer stream sends them in a cycle


def page_like_frame(index: int, width: int, height: int) -> bytes:
    """A frame like the project's page renders: spectrum bars and a pulsing ring on a dark
    background (its 1080p JPEGs are about 40-60 KB, against 300 KB for run.py's grainy frames)."""
    image = Image.new("RGB", (width, height), (8, 10, 24))
    draw = ImageDraw.Draw(image)
    bars, phase = 64, index / FPS
    bar_width = width / bars
    for bar in range(bars):
        level = 0.5 + 0.45 * math.sin(phase * 3 + bar * 0.37) * math.cos(phase * 1.7 + bar * 0.11)
        top = height - int(level * height * 0.8)
        colour = (int(80 + 170 * bar / bars), int(200 * level), 255 - int(3 * bar))
        draw.rectangle([int(bar * bar_width) + 2, top, int((bar + 1) * bar_width) - 2, height], fill=colour)
    radius = int(height * (0.15 + 0.05 * math.sin(phase * 4)))
    centre = (width // 2, height // 3)
    draw.ellipse([centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius],
                 outline=(255, 200, 80), width=12)  # fmt: skip
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def paced_stream(seconds: int) -> list[str]:
    scenario = Scenario("paced", 1920, 1080, "jpeg", seconds * FPS)
    width, height, count = scenario.width, scenario.height, scenario.frames
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "frames").mkdir()
        distinct = [page_like_frame(index, width, height) for index in range(min(count, DISTINCT))]
        for index in range(count):  # a long stream cycles through DISTINCT frames: drawing is not measured
            (work / "frames" / f"{index:08d}.jpeg").write_bytes(distinct[index % len(distinct)])
        frames = [distinct[index % len(distinct)] for index in range(count)]  # the files' bytes, not 3 minutes of copies
        write_wav(work / "audio.wav", seconds)
        # The ceiling: ffmpeg alone, from the files, same settings, in the same run.
        alone_fps = count / ffmpeg_alone(scenario, work / "frames", work / "audio.wav", work / "alone.mp4")
        server = start_server(work)
        try:
            ready = threading.Event()
            client = connect(server.address, ready)
            joining: list[float] = []  # when progress first counts every frame encoded: the join runs (within 0.25 s)
            client.on("progress", lambda data: joining or data["frames_encoded"] < count or joining.append(time.perf_counter()))
            audio = (work / "audio.wav").read_bytes()
            ack = client.call("start_session", {"width": width, "height": height, "fps": FPS, "format": "jpeg",
                                                "audio": {"filename": "a.wav", "size": len(audio)}})  # fmt: skip
            session = ack["session_id"]
            client.call("audio_chunk", {"session_id": session, "offset": 0, "data": audio})
            slots, acks = threading.Semaphore(ack["window"]), []
            done = threading.Event()

            def acked(reply: dict) -> None:
                acks.append(time.perf_counter())
                slots.release()
                if len(acks) == count:
                    done.set()

            started = time.perf_counter()
            for index, data in enumerate(frames):
                time.sleep(max(0.0, started + index / FPS - time.perf_counter()))  # the page renders at 30 fps
                slots.acquire()
                client.emit("frame", {"session_id": session, "index": index, "data": data}, callback=acked)
            done.wait()
            last_ack = acks[-1]
            client.call("end_session", {"session_id": session, "frame_count": count})
            ready.wait(600)
            ready_at = time.perf_counter()
            client.disconnect()
        finally:
            server.stop()
    taken = count / (last_ack - started)
    joined_at = joining[0] if joining else ready_at
    return [f"{seconds} s of 1080p30 JPEG ({sum(map(len, frames)) / count / 1024:.0f} KB a frame)",
            f"{alone_fps:.1f} frames/s", f"{taken:.1f} frames/s", f"{ready_at - last_ack:.2f} s",
            f"{joined_at - last_ack:.2f} s", f"{ready_at - joined_at:.2f} s"]  # fmt: skip


def colour_frame(rgb: tuple[int, int, int], image_format: str) -> bytes:
    pixels = np.empty((COLOUR_SIZE[1], COLOUR_SIZE[0], 3), np.uint8)
    pixels[:, :] = rgb
    if image_format == "rgba":
        return np.concatenate([pixels, np.full(pixels.shape[:2] + (1,), 255, np.uint8)], axis=2).tobytes()
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, {"png": "PNG", "jpeg": "JPEG"}[image_format], quality=95)
    return buffer.getvalue()


def decoded_by_its_tags(path: Path) -> list[np.ndarray]:
    """Every frame as RGB, converted with the matrix and range the file is tagged with."""
    with av.open(str(path)) as container:
        frames = []
        for frame in container.decode(video=0):
            matrix = "ITU709" if frame.colorspace == 1 else "ITU601"
            full = frame.color_range == 2
            frames.append(frame.reformat(format="rgb24", src_colorspace=matrix, dst_colorspace=matrix,
                                         src_color_range="JPEG" if full else "MPEG",
                                         dst_color_range="JPEG").to_ndarray())  # fmt: skip
        return frames


def colour(image_format: str) -> list[str]:
    names = list(PATCHES)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        server = start_server(work)
        try:
            ready = threading.Event()
            client = connect(server.address, ready)
            width, height = COLOUR_SIZE
            session = client.call("start_session", {"width": width, "height": height, "fps": FPS,
                                                    "format": image_format})["session_id"]  # fmt: skip
            for index, name in enumerate(names):
                client.call("frame", {"session_id": session, "index": index, "data": colour_frame(PATCHES[name], image_format)})
            client.call("end_session", {"session_id": session, "frame_count": len(names)})
            ready.wait(120)
            client.disconnect()
            decoded = decoded_by_its_tags(work / "videos" / f"{session}.mp4")
        finally:
            server.stop()
    errors = {}
    for name, frame in zip(names, decoded):
        centre = frame[height // 4 : 3 * height // 4, width // 4 : 3 * width // 4].reshape(-1, 3).mean(axis=0)
        errors[name] = float(np.abs(centre - np.array(PATCHES[name])).max())
    worst = max(errors, key=errors.get)
    return [image_format, f"{max(errors.values()):.1f}", worst, f"{np.mean(list(errors.values())):.1f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 3 s stream instead of 10 s")
    parser.add_argument("--seconds", type=int, default=10, help="length of the paced stream (default 10 s)")
    parser.add_argument("--paced-only", action="store_true", help="the paced stream only, not the colours")
    args = parser.parse_args()
    print_table(["paced stream", "ffmpeg alone (from files)", "server took it at", "last ack -> video_ready",
                 "of which: the last frames encoded", "the join (all encoded -> video_ready)"],
                [paced_stream(3 if args.quick else args.seconds)])  # fmt: skip
    if args.paced_only:
        return
    print()
    print_table(["format", "largest error (levels)", "worst patch", "mean error"],
                [colour(image_format) for image_format in ("png", "rgba", "jpeg")])  # fmt: skip


if __name__ == "__main__":
    main()
