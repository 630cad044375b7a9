"""Long sessions encoded in segments: the spool's peak, and what a dead ffmpeg or a restart costs.

    .venv/bin/python benchmarks/segments.py                 # 3 minutes of 720p JPEG and of 1080p PNG
    .venv/bin/python benchmarks/segments.py --seconds 20    # shorter, for a smoke run
    .venv/bin/python benchmarks/segments.py --parallel      # would two segments of one session at once pay?

For each scenario (frames like benchmarks/run.py's, 120 distinct ones sent in a cycle, at 30 fps,
window 8, as fast as the server acknowledges) three sessions run against a fresh server:
1. clean: the session folder's peak size (frames, segments, audio: sampled every 50 ms) against
   the bytes sent, and the time from the last ack to ``video_ready``;
2. the session's ffmpeg killed (``kill -9``) once 95 % of the frames are acknowledged: the extra
   time from the last ack to ``video_ready`` against the clean run;
3. the server killed (``kill -9``) at 95 %, a new one started on the same folders, the session
   resumed and finished: first ack to ``video_ready``, against the clean run's.
``--parallel`` encodes 20 s of 720p JPEG frames with the server's settings once with one ffmpeg
and once as two halves by two ffmpegs at the same time. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import CRF, FPS, LISTENING, PRESET, WINDOW, Process, Scenario, ffmpeg_exe, print_table, video_codec_args, write_frames, write_wav  # noqa: E402,E501

DISTINCT = 120  # frames generated; the session sends them in a cycle


def start_server(work: Path) -> Process:
    command = [sys.executable, "-m", "visualizer_server", "--port", "0", "--work-dir", str(work / "spool"),
               "--output-dir", str(work / "videos"), "--x264-preset", PRESET, "--x264-crf", str(CRF),
               "--window", str(WINDOW), "--log-level", "INFO"]  # fmt: skip
    return Process(command, LISTENING)


def folder_bytes(folder: Path) -> int:
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                pass  # removed meanwhile: a frame whose segment was kept
    return total


def ffmpeg_pids(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline and "ffmpeg" in cmdline and "pipe:0" in cmdline:  # a segment's, not the audio's
                found.append(int(entry.name))
    return found


class Session:
    """One session driven like the CLI: a window of frames in flight, resumable on a new server."""

    def __init__(self, url: str, scenario: Scenario, frames: list[bytes], count: int, audio: bytes) -> None:
        self.scenario, self.frames, self.count, self.audio = scenario, frames, count, audio
        self.ready = threading.Event()
        self.acked = 0
        self.first_ack = self.last_ack = 0.0
        self.bytes_sent = 0
        self._connect(url)
        ack = self.client.call("start_session", {"width": scenario.width, "height": scenario.height, "fps": FPS,
                                                 "format": scenario.format, "frame_count": count,
                                                 "audio": {"filename": "a.wav", "size": len(audio)}})  # fmt: skip
        self.id, self.token = ack["session_id"], ack["resume_token"]
        for offset in range(0, len(audio), 1 << 20):
            self.client.call("audio_chunk", {"session_id": self.id, "offset": offset, "data": audio[offset : offset + (1 << 20)]})

    def _connect(self, url: str) -> None:
        self.client = socketio.Client()
        self.client.on("video_ready", lambda data: self.ready.set())
        self.client.connect(url, transports=["websocket"])

    def send(self, start: int, stop: int, at_stop: threading.Event | None = None) -> None:
        """Frames ``start`` to ``stop - 1``, the window full; ``at_stop`` is set once all are acknowledged."""
        slots = threading.Semaphore(WINDOW)
        all_acked = threading.Event()
        pending = [stop - start]

        def acked(reply: dict) -> None:
            assert reply["ok"], reply
            now = time.perf_counter()
            self.first_ack = self.first_ack or now
            self.last_ack = now
            self.acked += 1
            slots.release()
            pending[0] -= 1
            if pending[0] == 0:
                all_acked.set()

        for index in range(start, stop):
            data = self.frames[index % len(self.frames)]
            self.bytes_sent += len(data)
            slots.acquire()
            self.client.emit("frame", {"session_id": self.id, "index": index, "data": data}, callback=acked)
        all_acked.wait()

    def resume(self, url: str) -> None:
        self.client.disconnect()
        self._connect(url)
        reply = self.client.call("resume_session", {"session_id": self.id, "resume_token": self.token})
        assert reply["ok"], reply

    def end(self) -> float:
        """End it and wait for the video: seconds from the last ack to ``video_ready``."""
        reply = self.client.call("end_session", {"session_id": self.id, "frame_count": self.count}, timeout=60)
        assert reply["ok"], reply
        assert self.ready.wait(1800), "no video_ready"
        self.done = time.perf_counter()
        self.client.disconnect()
        return self.done - self.last_ack


def run_scenario(scenario: Scenario, seconds: int, work: Path) -> list[list[str]]:
    frames_dir = work / "frames"
    write_frames(Scenario(scenario.name, scenario.width, scenario.height, scenario.format, DISTINCT), frames_dir)
    frames = [path.read_bytes() for path in sorted(frames_dir.iterdir())]
    write_wav(work / "audio.wav", seconds + 1)
    audio = (work / "audio.wav").read_bytes()
    count, cut = seconds * FPS, int(seconds * FPS * 0.95)
    spool = work / "spool"

    servers: list[Process] = []
    try:
        return _three_sessions(scenario, seconds, work, frames, audio, count, cut, spool, servers)
    finally:
        for server in servers:  # a benchmark stopped half-way leaves no server behind
            if server.popen.poll() is None:
                server.popen.kill()


def _three_sessions(scenario: Scenario, seconds: int, work: Path, frames: list[bytes], audio: bytes, count: int,
                    cut: int, spool: Path, servers: list[Process]) -> list[list[str]]:  # fmt: skip
    def started() -> Process:
        servers.append(start_server(work))
        return servers[-1]

    # 1. clean, with the spool sampled
    server = started()
    session = Session(server.address, scenario, frames, count, audio)
    peak, sampling = [0], threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            peak[0] = max(peak[0], folder_bytes(spool / session.id))
            sampling.wait(0.05)

    threading.Thread(target=sample, daemon=True).start()
    session.send(0, count)
    clean_finish = session.end()
    sampling.set()
    clean_total = session.done - session.first_ack
    video_bytes = (work / "videos" / f"{session.id}.mp4").stat().st_size
    sent = session.bytes_sent

    # 2. the session's ffmpeg killed at 95 %
    killed = Session(server.address, scenario, frames, count, audio)
    killed.send(0, cut)
    pids = ffmpeg_pids(killed.id)
    for pid in pids:
        os.kill(pid, 9)
    killed.send(cut, count)
    killed_finish = killed.end()
    server.stop()

    # 3. the server killed at 95 %, a new one on the same folders
    server = started()
    restarted = Session(server.address, scenario, frames, count, audio)
    restarted.send(0, cut)
    server.popen.kill()
    server.popen.wait()
    server = started()
    restarted.resume(server.address)
    restarted.send(cut, count)
    restarted.end()
    restart_total = restarted.done - restarted.first_ack
    server.stop()
    return [
        [f"{seconds} s of {scenario.name}", f"{sent / 1e9:.2f} GB", f"{peak[0] / 1e6:.0f} MB",
         f"{100 * max(0, peak[0] - video_bytes) / sent:.2f} %", f"{clean_finish:.2f} s",
         f"{killed_finish - clean_finish:+.2f} s ({len(pids)} killed)", f"{clean_total:.1f} s", f"{restart_total:.1f} s"],
    ]  # fmt: skip


def parallel(work: Path) -> None:
    """One ffmpeg over 600 frames of 720p JPEG against two at once over 300 each."""
    scenario = Scenario("720p JPEG", 1280, 720, "jpeg", DISTINCT)
    write_frames(scenario, work / "frames")
    frames = [path.read_bytes() for path in sorted((work / "frames").iterdir())] * 5

    def encode(chunk: list[bytes], output: Path) -> subprocess.Popen:
        process = subprocess.Popen([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "image2pipe", "-c:v",
                                    "mjpeg", "-framerate", str(FPS), "-i", "pipe:0", *video_codec_args(FPS, PRESET, CRF),
                                    "-y", str(output)], stdin=subprocess.PIPE)  # fmt: skip
        threading.Thread(target=lambda: (process.stdin.write(b"".join(chunk)), process.stdin.close()), daemon=True).start()
        return process

    started = time.perf_counter()
    encode(frames, work / "one.mp4").wait()
    one = time.perf_counter() - started
    started = time.perf_counter()
    halves = [encode(frames[:300], work / "a.mp4"), encode(frames[300:], work / "b.mp4")]
    for process in halves:
        process.wait()
    two = time.perf_counter() - started
    print(f"600 frames of 720p JPEG, x264 {PRESET}: one ffmpeg {one:.1f} s ({600 / one:.0f} fps), two halves at once "
          f"{two:.1f} s ({600 / two:.0f} fps): {one / two:.2f}x on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=180, help="length of each session (default 3 minutes)")
    parser.add_argument("--only", choices=("jpeg", "png"), help="one scenario only")
    parser.add_argument("--parallel", action="store_true", help="only the two-segments-at-once measurement")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: the servers are stopped too (finally)
    with tempfile.TemporaryDirectory(prefix="visualizer-segments-") as temporary:
        if args.parallel:
            parallel(Path(temporary))
            return
        print_table(["session", "sent", "spool peak", "peak beyond the video, of bytes sent", "last ack -> video_ready",
                     "ffmpeg killed at 95 %: extra", "first ack -> video_ready", "server restarted at 95 %: first ack "
                     "-> video_ready"], [])  # fmt: skip
        for scenario in (Scenario("720p JPEG", 1280, 720, "jpeg", 0), Scenario("1080p PNG", 1920, 1080, "png", 0)):
            if args.only in (None, scenario.format):
                folder = Path(temporary) / scenario.format
                folder.mkdir()
                for cells in run_scenario(scenario, args.seconds, folder):
                    print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
