"""Ingest and end-to-end benchmark of visualizer-server, with its yardsticks measured in the same run.

    .venv/bin/python benchmarks/run.py            # the table in docs/performance.md
    .venv/bin/python benchmarks/run.py --quick    # fewer frames, for a smoke run
    .venv/bin/python benchmarks/run.py --long 180 # server RSS over a 3-minute 1080p PNG session
    .venv/bin/python benchmarks/run.py --unruly   # a client flooding past the window; /healthz under slowloris

For each scenario (1280x720 JPEG, 1920x1080 PNG, 1280x720 RGBA) it generates
visualizer-like frames (moving shapes on a gradient, not flat colour) and a WAV, then:
- ffmpeg alone encodes the frames from disk with the server's codec settings (the baseline);
- the server is driven by the official socket.io-client (Node) and by python-socketio;
- ingest alone: the Node client sends every frame but frame 0 to our server and to a
  minimal Node socket.io 4 server that writes each frame to a file and acks (what the
  original service did); without frame 0 no frame is ever next for the encoder, so the
  acks time receive + check + store only. Our rate / its rate.
Only loopback addresses are used. Results are ratios from this one run; the absolute
seconds are printed for context only.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import socketio
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from visualizer_server.view.components.encoding.ffmpeg_commands import ffmpeg_exe  # noqa: E402
from visualizer_server.view.components.encoding.video_encoders import video_codec_args  # noqa: E402

PRESET, CRF, FPS, WINDOW = "veryfast", 20, 30, 8
FLOOD_FRAMES, HALF_OPEN = 150, 1100
LISTENING = re.compile(r"listening on (http://[\d.]+:\d+)")


@dataclass(frozen=True)
class Scenario:
    name: str
    width: int
    height: int
    format: str
    frames: int


def scenarios(quick: bool) -> list[Scenario]:
    scale = 4 if quick else 1
    return [
        Scenario("720p JPEG", 1280, 720, "jpeg", 300 // scale),
        Scenario("1080p PNG", 1920, 1080, "png", 120 // scale),
        Scenario("720p RGBA", 1280, 720, "rgba", 120 // scale),
    ]


def visualizer_frame(index: int, width: int, height: int) -> np.ndarray:
    """Bars of a fake spectrum and orbiting circles over a moving gradient."""
    y, x = np.mgrid[0:height, 0:width]
    phase = index / FPS
    base = np.stack(
        [
            (128 + 100 * np.sin(x / 97 + phase)).astype(np.uint8),
            (128 + 100 * np.sin(y / 61 - phase * 1.3)).astype(np.uint8),
            (128 + 100 * np.sin((x + y) / 151 + phase * 0.7)).astype(np.uint8),
        ],
        axis=2,
    )
    # Film grain, as shaders and dithering leave it: without it PNG frames compress unrealistically well.
    grain = np.random.default_rng(index).integers(-6, 7, size=base.shape, dtype=np.int16)
    image = Image.fromarray(np.clip(base.astype(np.int16) + grain, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    bars = 48
    for bar in range(bars):
        level = 0.5 + 0.5 * math.sin(bar * 0.7 + phase * 5) * math.cos(bar * 0.13 - phase * 2)
        left = bar * width // bars
        draw.rectangle([left + 2, height - int(level * height * 0.6), left + width // bars - 2, height],
                       fill=(255, 200 - bar * 3, 80 + bar * 3))  # fmt: skip
    for orbit in range(6):
        angle = phase * (1 + orbit * 0.3) + orbit
        cx, cy = width / 2 + math.cos(angle) * width * 0.3, height / 2 + math.sin(angle) * height * 0.3
        radius = 20 + 30 * abs(math.sin(phase * 3 + orbit))
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=(40 * orbit, 255, 255 - 40 * orbit))
    return np.asarray(image)


def write_frames(scenario: Scenario, folder: Path) -> int:
    folder.mkdir(parents=True)
    total = 0
    for index in range(scenario.frames):
        pixels = visualizer_frame(index, scenario.width, scenario.height)
        if scenario.format == "rgba":
            data = np.concatenate([pixels, np.full(pixels.shape[:2] + (1,), 255, np.uint8)], axis=2).tobytes()
        else:
            buffer = io.BytesIO()
            if scenario.format == "jpeg":
                Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
            else:
                Image.fromarray(pixels).save(buffer, "PNG", compress_level=1)
            data = buffer.getvalue()
        (folder / f"{index:08d}.{scenario.format}").write_bytes(data)
        total += len(data)
    return total


def write_wav(path: Path, seconds: float) -> None:
    rate = 48000
    t = np.arange(int(seconds * rate)) / rate
    samples = (np.sin(2 * np.pi * 220 * t) * np.sin(2 * np.pi * 0.5 * t) * 12000).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.tobytes())


def ffmpeg_alone(scenario: Scenario, frames: Path, audio: Path, output: Path) -> float:
    """The baseline: store-then-build, one ffmpeg run over the files, same codec settings, with audio."""
    if scenario.format == "rgba":
        raw = frames.parent / "frames.raw"
        with open(raw, "wb") as handle:
            for path in sorted(frames.iterdir()):
                handle.write(path.read_bytes())
        source = ["-f", "rawvideo", "-pix_fmt", "rgba", "-video_size", f"{scenario.width}x{scenario.height}",
                  "-framerate", str(FPS), "-i", str(raw)]  # fmt: skip
    else:
        source = ["-framerate", str(FPS), "-i", str(frames / f"%08d.{scenario.format}")]
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *source, "-i", str(audio),
               "-map", "0:v", "-map", "1:a", *video_codec_args(FPS, PRESET, CRF), "-c:a", "aac", "-ar", "48000",
               "-shortest", "-movflags", "+faststart", str(output)]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


class Process:
    """A server process on a free loopback port; knows its URL and peak RSS."""

    def __init__(self, command: list[str], pattern: re.Pattern, stream: str = "stderr") -> None:
        self.popen = subprocess.Popen(command, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        source = getattr(self.popen, stream)
        for line in source:
            match = pattern.search(line)
            if match:
                self.address = match.group(1)
                break
        else:
            raise RuntimeError(f"{command[0]} did not start: {self.popen.stderr.read()}")
        threading.Thread(target=source.read, daemon=True).start()  # keep the pipe drained

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.popen.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024

    def stop(self) -> None:
        self.popen.terminate()
        self.popen.wait(timeout=60)


def start_server(work: Path) -> Process:
    command = [sys.executable, "-m", "visualizer_server", "--port", "0", "--work-dir", str(work / "spool"),
               "--output-dir", str(work / "videos"), "--x264-preset", PRESET, "--x264-crf", str(CRF),
               "--window", str(WINDOW), "--log-level", "INFO"]  # fmt: skip
    return Process(command, LISTENING)


def node_send(
    url: str, scenario: Scenario, frames: Path, audio: Path | None, ingest_only: bool = False, repeat: int = 1,
    flood: bool = False,
) -> dict:
    command = ["node", str(ROOT / "benchmarks" / "node_sender.mjs"), url, str(frames), scenario.format,
               str(scenario.width), str(scenario.height), str(FPS), str(audio) if audio else "-"]  # fmt: skip
    if ingest_only:
        command.append("--ingest-only")
    elif repeat > 1:
        command += ["--repeat", str(repeat)]
    if flood:
        command.append("--flood")
    result = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def connect(url: str, ready: threading.Event | None = None) -> socketio.Client:
    """A python-socketio client over websocket; ``ready`` is set by its first ``video_ready``."""
    client = socketio.Client()
    if ready is not None:
        client.on("video_ready", lambda data: ready.set())
    client.connect(url, transports=["websocket"])
    return client


def python_send(url: str, scenario: Scenario, frames: Path, audio: Path) -> dict:
    """The same protocol with python-socketio: a window of emits with callbacks."""
    client = socketio.Client()
    ready = threading.Event()
    client.on("video_ready", lambda data: ready.set())
    client.connect(url, transports=["websocket"])
    audio_bytes = audio.read_bytes()
    ack = client.call("start_session", {"width": scenario.width, "height": scenario.height, "fps": FPS,
                                        "format": scenario.format,
                                        "audio": {"filename": "a.wav", "size": len(audio_bytes)}})  # fmt: skip
    session = ack["session_id"]
    for offset in range(0, len(audio_bytes), 1 << 20):
        client.call("audio_chunk", {"session_id": session, "offset": offset, "data": audio_bytes[offset : offset + (1 << 20)]})
    paths = sorted(frames.iterdir())
    slots = threading.Semaphore(ack["window"])
    done = threading.Event()
    state = {"acked": 0, "last_ack": 0.0}

    def acked(reply: dict) -> None:
        assert reply["ok"], reply
        state["acked"] += 1
        state["last_ack"] = time.perf_counter()
        slots.release()
        if state["acked"] == len(paths):
            done.set()

    started = time.perf_counter()
    total = 0
    for index, path in enumerate(paths):
        data = path.read_bytes()
        total += len(data)
        slots.acquire()
        client.emit("frame", {"session_id": session, "index": index, "data": data}, callback=acked)
    done.wait()
    client.call("end_session", {"session_id": session, "frame_count": len(paths)})
    ready.wait(600)
    finished = time.perf_counter()
    client.disconnect()
    return {"frames": len(paths), "bytes": total, "last_ack_ms": (state["last_ack"] - started) * 1000,
            "ready_ms": (finished - started) * 1000}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a quarter of the frames")
    parser.add_argument("--long", type=int, metavar="SECONDS", help="only the long 1080p PNG session, for memory")
    parser.add_argument("--unruly", action="store_true", help="only the clients that ignore the rules")
    args = parser.parse_args()
    if args.long:
        long_session(args.long)
        return
    if args.unruly:
        unruly()
        return
    rows: list[list[str]] = []
    ingest_rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="visualizer-bench-") as temporary:
        work = Path(temporary)
        for scenario in scenarios(args.quick):
            folder = work / scenario.name.replace(" ", "_")
            frames = folder / "frames"
            total = write_frames(scenario, frames)
            audio = folder / "audio.wav"
            write_wav(audio, scenario.frames / FPS + 1)
            baseline = ffmpeg_alone(scenario, frames, audio, folder / "baseline.mp4")
            reference = Process(["node", str(ROOT / "benchmarks" / "node_reference_server.mjs"), "0",
                                 str(folder / "reference")], re.compile(r"listening (\d+)"), "stdout")  # fmt: skip
            ref = node_send(f"http://127.0.0.1:{reference.address}", scenario, frames, None, ingest_only=True)
            reference.stop()
            server = start_server(folder / "ingest")
            ours = node_send(server.address, scenario, frames, None, ingest_only=True)
            server.stop()
            ingest_rows.append([scenario.name, f"{total / scenario.frames / 1e6:.2f}", f"{rate(ours):.0f}",
                                f"{rate(ref):.0f}", f"{rate(ours) / rate(ref):.2f}x"])  # fmt: skip
            for client_name, send in (("socket.io-client (Node)", node_send), ("python-socketio", python_send)):
                server = start_server(folder / client_name.split()[0])
                result = send(server.address, scenario, frames, audio)
                rss = server.peak_rss_mb()
                server.stop()
                rows.append(row(scenario, client_name, total, result, baseline, rss))
            print(f"# {scenario.name} done: {scenario.frames} frames, ffmpeg alone {baseline:.2f} s", flush=True)
    print("\nIngest alone (Node socket.io-client, window 8, frame 0 withheld so the encoder never paces acks):\n")
    print_table(["scenario", "MB per frame", "ours frames/s", "Node reference frames/s", "ours / reference"],
                ingest_rows)  # fmt: skip
    print("\nEnd to end (frames in order, audio, until video_ready):\n")
    print_table(["scenario", "client", "frames/s acked", "MB/s acked", "first frame -> video_ready (s)",
                 "/ ffmpeg alone", "last ack -> video_ready (s)", "server peak RSS (MB)"], rows)  # fmt: skip


def long_session(seconds: int) -> None:
    """A 1080p PNG session of ``seconds`` (120 distinct frames, repeated): does the server's memory grow?"""
    scenario = Scenario("1080p PNG", 1920, 1080, "png", 120)
    with tempfile.TemporaryDirectory(prefix="visualizer-bench-") as temporary:
        work = Path(temporary)
        write_frames(scenario, work / "frames")
        audio = work / "audio.wav"
        write_wav(audio, seconds + 1)
        server = start_server(work)
        samples: list[float] = []
        sampler = threading.Thread(target=sample_rss, args=(server, samples), daemon=True)
        sampler.start()
        result = node_send(server.address, scenario, work / "frames", audio, repeat=seconds * FPS // scenario.frames)
        peak = server.peak_rss_mb()
        server.stop()
    quarter = len(samples) // 4
    print(f"{result['frames']} frames ({result['bytes'] / 1e9:.1f} GB) of 1080p PNG, {result['ready_ms'] / 1000:.0f} s "
          f"to video_ready; server RSS: peak {peak:.0f} MB; median of the first quarter "
          f"{np.median(samples[:quarter]):.0f} MB, of the last quarter {np.median(samples[-quarter:]):.0f} MB")


def unruly() -> None:
    """Server memory under a client that ignores the window; /healthz under 1,100 half-open connections."""
    scenario = Scenario("1080p RGBA", 1920, 1080, "rgba", 1)
    rows = []
    with tempfile.TemporaryDirectory(prefix="visualizer-bench-") as temporary:
        work = Path(temporary)
        write_frames(scenario, work / "frames")
        for client, flood in (("in the window", False), ("flooding, window ignored", True)):
            server = start_server(work / client.split()[0])
            result = node_send(server.address, scenario, work / "frames", None, repeat=FLOOD_FRAMES, flood=flood)
            peak = server.peak_rss_mb()
            server.stop()
            rows.append([f"{FLOOD_FRAMES} x 8.3 MB RGBA, {client}", f"{peak:.0f} MB",
                         f"{result['last_ack_ms'] / 1000:.1f} s"])  # fmt: skip
        print("\nServer memory, official socket.io-client, window 8 (target: peak under 300 MB when flooding):\n")
        print_table(["client", "server peak RSS", "first frame -> last ack"], rows)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(4096, hard)), hard))
        rows = []
        for spread, sources in (("none", []), ("one address", ["127.0.0.2"]),
                                ("forty addresses", [f"127.0.0.{host}" for host in range(2, 42)])):  # fmt: skip
            server = start_server(work / "slowloris")
            held = half_open(server.address, sources, HALF_OPEN)
            seconds = [healthz_seconds(server.address) for _ in range(20)]
            server.stop()
            for connection in held:
                connection.close()
            rows.append([f"{len(held)} half-open, from {spread}" if sources else "none", f"{statistics.median(seconds):.4f}",
                         f"{max(seconds):.4f}"])  # fmt: skip
        print("\n/healthz under slowloris (target: under 0.1 s):\n")
        print_table(["half-open connections", "/healthz median (s)", "/healthz slowest of 20 (s)"], rows)


def half_open(url: str, sources: list[str], count: int) -> list[socket.socket]:
    """Connections that send a request line and one header, and never finish."""
    port = int(url.rsplit(":", 1)[1])
    held = []
    for number in range(count if sources else 0):
        connection = socket.socket()
        connection.settimeout(2)
        connection.bind((sources[number % len(sources)], 0))
        connection.connect(("127.0.0.1", port))
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: visualizer\r\n")
        held.append(connection)
    return held


def healthz_seconds(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url + "/healthz", timeout=30) as response:
        response.read()
    return time.perf_counter() - started


def sample_rss(server: Process, samples: list[float]) -> None:
    """Current RSS twice a second until the server exits (a sampler, not a synchronisation)."""
    status = Path(f"/proc/{server.popen.pid}/status")
    while server.popen.poll() is None:
        try:
            samples.append(int(re.search(r"VmRSS:\s+(\d+) kB", status.read_text()).group(1)) / 1024)
        except (FileNotFoundError, AttributeError):
            break
        time.sleep(0.5)


def rate(result: dict) -> float:
    """Frames acknowledged per second, first send to last ack."""
    return result["frames"] / (result["last_ack_ms"] / 1000)


def row(scenario: Scenario, client: str, total: int, result: dict, baseline: float, rss: float) -> list[str]:
    ingest_s = result["last_ack_ms"] / 1000
    ready_s = result["ready_ms"] / 1000
    return [
        scenario.name, client, f"{rate(result):.0f}", f"{total / ingest_s / 1e6:.0f}", f"{ready_s:.2f}",
        f"{ready_s / baseline:.2f}x", f"{ready_s - ingest_s:.2f}", f"{rss:.0f}",
    ]  # fmt: skip


def print_table(header: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for cells in rows:
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
