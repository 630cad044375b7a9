"""Segments through the real server: abandoned renders give their encoders back, a dead ffmpeg and
a restart cost one segment, the spool stays small, and the boundaries cannot be seen."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

import av
import numpy as np
import pytest

from visualizer_server.view.components.encoding.ffmpeg_commands import ffmpeg_exe
from visualizer_server.view.components.encoding.video_encoders import video_codec_args

from ..conftest import ServerProcess
from ..media import (alpha_plane, decode_alpha, encode_frame, encode_frames, encode_transparent_frame, frame_pixels,
                     make_wav, probe)  # fmt: skip
from ..processes import catch_stopped, ffmpeg_stopping_once, kill_ffmpeg, wait_until

W, H, FPS = 160, 96, 10
SEGMENT_ARGS = ["--segment-seconds", "1", "--encoder-idle-ms", "1000"]  # 10-frame segments at 10 fps
# A segment closed only when full: the fault lands in the segment the test means.
FULL_SEGMENT_ARGS = ["--segment-seconds", "1", "--encoder-idle-ms", "60000"]
RESTARTED = re.compile(r"encoding frames (\d+) to (\d+) again from the spool")


def _healthz(server: ServerProcess) -> dict:
    with urllib.request.urlopen(f"{server.url}/healthz") as response:
        return json.loads(response.read())


def _pngs(first: int, last: int) -> dict[int, bytes]:
    return encode_frames(first, last, W, H, "png")


def test_abandoned_renders_give_their_encoders_back_and_a_new_session_is_built(tmp_path, start_server, connect):
    server = start_server(*SEGMENT_ARGS)
    for _ in range(3):  # three renders that stop sending (a closed tab, a Ctrl-C)
        client = connect(server.url)
        client.send_frames(client.start(width=W, height=H, fps=FPS, format="png")["session_id"], _pngs(0, 10))
    wait_until(lambda: _healthz(server)["encoders"] == 0, timeout=1.0 + 1 + 10,
               what="the abandoned sessions' slots given back")  # fmt: skip
    fresh = connect(server.url)
    session_id = fresh.start(width=W, height=H, fps=FPS, format="png")["session_id"]
    fresh.send_frames(session_id, _pngs(0, 60))
    assert fresh.call("end_session", {"session_id": session_id, "frame_count": 60})["ok"]
    ready = fresh.wait_for("video_ready", timeout=30)
    assert probe(tmp_path / "output" / f"{session_id}.mp4").frame_indexes == list(range(60)), ready


def test_a_killed_ffmpeg_in_the_last_segment_encodes_that_segment_again_only(tmp_path, start_server, connect):
    server = start_server(*FULL_SEGMENT_ARGS)
    client = connect(server.url)
    session_id = client.start(width=W, height=H, fps=FPS, format="png", frame_count=55)["session_id"]
    client.send_frames(session_id, _pngs(0, 52))
    segments = tmp_path / "work" / session_id / "segments"
    wait_until(lambda: len(list(segments.glob("000*.mp4"))) == 5, what="five segments kept")
    kill_ffmpeg(session_id)  # the last segment's ffmpeg, fed 50 and 51
    client.send_frames(session_id, _pngs(52, 55))
    assert client.call("end_session", {"session_id": session_id, "frame_count": 55})["ok"]
    client.wait_for("video_ready")
    facts = probe(tmp_path / "output" / f"{session_id}.mp4")
    assert facts.frame_indexes == list(range(55)) and abs(facts.video_duration_s - 5.5) < 1e-6
    restarts = [tuple(map(int, match.groups())) for line in server.lines for match in [RESTARTED.search(line)] if match]
    assert len(restarts) == 1 and restarts[0][0] == 50, restarts


def _frame_bytes(folder: Path) -> int:
    """The bytes of the frames in the spool now; a frame removed meanwhile (its segment kept) counts nothing."""
    total = 0
    for path in folder.glob("*.png") if folder.is_dir() else []:
        try:
            total += path.stat().st_size
        except FileNotFoundError:
            pass
    return total


class SpoolSampler:
    """Samples the frame bytes in a spool folder every 20 ms in a thread, keeping the peak, until ``stop``."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.peak = folder, 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stopped.is_set():
            self.peak = max(self.peak, _frame_bytes(self.folder))
            self._stopped.wait(0.02)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=10)


@pytest.fixture
def sample_spool() -> Iterator[Callable[[Path], SpoolSampler]]:
    """``sample_spool(folder)``: a SpoolSampler on that folder, stopped after the test whatever it did."""
    samplers: list[SpoolSampler] = []

    def start(folder: Path) -> SpoolSampler:
        samplers.append(SpoolSampler(folder))
        return samplers[-1]

    yield start
    for sampler in samplers:
        sampler.stop()


def test_a_restart_mid_session_encodes_one_segment_again_and_the_spool_stays_small(
    tmp_path, start_server, connect, sample_spool
):
    work, output = tmp_path / "work", tmp_path / "output"
    server = start_server(*FULL_SEGMENT_ARGS)
    client = connect(server.url)
    ack = client.start(width=W, height=H, fps=FPS, format="png")
    session_id, token = ack["session_id"], ack["resume_token"]
    sampler = sample_spool(work / session_id / "frames")
    client.send_frames(session_id, _pngs(0, 45))
    segments = work / session_id / "segments"
    wait_until(lambda: len(list(segments.glob("000*.mp4"))) == 4, what="four segments kept")
    client.close()
    server.kill()  # on purpose: a crash mid-session; its successor takes the same folders
    server = start_server(*FULL_SEGMENT_ARGS)
    client = connect(server.url)
    resumed = client.call("resume_session", {"session_id": session_id, "resume_token": token})
    assert resumed["ok"] and resumed["frames_received"] == [[0, 44]], resumed
    client.send_frames(session_id, _pngs(45, 80))
    assert client.call("end_session", {"session_id": session_id, "frame_count": 80})["ok"]
    client.wait_for("video_ready")
    sampler.stop()
    assert any("4 already made" in line for line in server.lines), "the kept segments were not encoded again"
    facts = probe(output / f"{session_id}.mp4")
    assert facts.frame_indexes == list(range(80))
    frame_bytes = len(encode_frame(0, W, H, "png"))
    assert sampler.peak <= 2 * 10 * frame_bytes + 20 * frame_bytes, f"spool peak {sampler.peak} bytes"
    assert not (work / session_id / "frames").exists() or not list((work / session_id / "frames").iterdir())


def test_an_audio_preparation_killed_mid_session_costs_the_video_nothing(tmp_path, start_server, connect):
    """The audio's ffmpeg, started once the track is stored, is stopped at birth and killed (-9): the
    finish encodes the spool's audio instead, and the video has all of it, cut at its duration."""
    env = ffmpeg_stopping_once(tmp_path, "pad_dur=")  # the preparation's pad; the finish's is apad alone
    server = start_server(*FULL_SEGMENT_ARGS, env=env)
    client = connect(server.url)
    audio = make_wav(tmp_path / "tone.wav", 3.0)
    session_id = client.start(width=W, height=H, fps=FPS, format="png",
                              audio={"filename": "tone.wav", "size": len(audio)})["session_id"]  # fmt: skip
    client.send_audio(session_id, audio)
    preparation = catch_stopped(str(tmp_path / "work" / session_id), "pad_dur=")
    os.kill(preparation, signal.SIGKILL)
    client.send_frames(session_id, _pngs(0, 25))
    client.end(session_id, 25)
    client.wait_for("video_ready")
    facts = probe(tmp_path / "output" / f"{session_id}.mp4")
    assert facts.frame_indexes == list(range(25)) and facts.audio_codec == "aac"
    assert facts.audio_duration_s == pytest.approx(2.5, abs=0.03)
    assert any("could not be prepared" in line for line in server.lines)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def _whole_encode_quality(path: Path, count: int) -> list[float]:
    """PSNR of each frame of ``count`` frames encoded by one ffmpeg with the server's own H.264 settings."""
    frames = b"".join(encode_frame(index, W, H, "png") for index in range(count))
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "image2pipe", "-c:v", "png",
               "-framerate", str(FPS), "-i", "pipe:0", *video_codec_args(FPS, "veryfast", 20), "-y", str(path)]
    subprocess.run(command, input=frames, check=True)
    with av.open(str(path)) as container:
        return [_psnr(frame.to_ndarray(format="rgb24"), frame_pixels(index, W, H))
                for index, frame in enumerate(container.decode(video=0))]


def test_segment_boundaries_cannot_be_seen_in_the_decoded_video(tmp_path, start_server, connect):
    server = start_server(*SEGMENT_ARGS)
    client = connect(server.url)
    session_id = client.start(width=W, height=H, fps=FPS, format="png")["session_id"]
    client.send_frames(session_id, _pngs(0, 60))
    assert client.call("end_session", {"session_id": session_id, "frame_count": 60})["ok"]
    client.wait_for("video_ready")
    with av.open(str(tmp_path / "output" / f"{session_id}.mp4")) as container:
        stream = container.streams.video[0]
        decoded = [(frame.pts * stream.time_base, frame.to_ndarray(format="rgb24")) for frame in container.decode(video=0)]
    assert [float(pts) for pts, _ in decoded] == [index / FPS for index in range(60)], "exact timestamps"
    quality = [_psnr(pixels, frame_pixels(index, W, H)) for index, (_, pixels) in enumerate(decoded)]
    reference = _whole_encode_quality(tmp_path / "whole.mp4", 60)  # the same frames, one ffmpeg, no boundary
    edges = [index for start in range(10, 60, 10) for index in (start - 1, start)]  # either side of each boundary
    # Against the same frame encoded in one run: x264's threads and rate control move single frames by
    # a dB or two either way anywhere, so the boundary frames are compared as a group with the rest.
    delta = [quality[index] - reference[index] for index in range(60)]
    at_edges = float(np.mean([delta[index] for index in edges]))
    elsewhere = float(np.mean([value for index, value in enumerate(delta) if index not in edges]))
    assert at_edges >= elsewhere - 1.0, f"boundary frames {at_edges:+.2f} dB, the rest {elsewhere:+.2f} dB"


# Every codec and container, alpha included, through several segments (GOPs of 2 s at 12 fps: 24, 24, 12).
CODEC_CASES = [("hevc", "png", False), ("av1", "png", False), ("vp9", "png", False), ("prores", "png", False),
               ("vp9", "rgba", True), ("prores", "png", True)]  # fmt: skip
CODEC_FPS, CODEC_FRAMES, CODEC_W, CODEC_H = 12, 60, 128, 72
EXTENSIONS = {"hevc": "mp4", "av1": "mp4", "vp9": "webm", "prores": "mov"}


@pytest.fixture(scope="module")
def codec_server(start_module_server) -> ServerProcess:
    """One server for the codec cases (the harness stops it after the module)."""
    return start_module_server()


@pytest.mark.parametrize(("codec", "image_format", "alpha"), CODEC_CASES)
def test_every_codec_and_alpha_through_several_segments(codec_server, connect, tmp_path, codec, image_format, alpha):
    client = connect(codec_server.url)
    make = encode_transparent_frame if alpha else encode_frame
    audio = make_wav(tmp_path / "tone.wav", seconds=2.0)
    session_id = client.start(width=CODEC_W, height=CODEC_H, fps=CODEC_FPS, format=image_format, codec=codec,
                              alpha=alpha, audio={"filename": "a.wav", "size": len(audio)})["session_id"]  # fmt: skip
    client.send_audio(session_id, audio)
    for index in range(CODEC_FRAMES):
        assert client.send_frame(session_id, index, make(index, CODEC_W, CODEC_H, image_format))["ok"]
    assert client.call("end_session", {"session_id": session_id, "frame_count": CODEC_FRAMES})["ok"]
    client.wait_for("video_ready", timeout=180)
    kept = [line for line in codec_server.lines if session_id in line and "kept as a segment" in line]
    assert len(kept) == 3, kept
    path = codec_server.output_dir / f"{session_id}.{EXTENSIONS[codec]}"
    facts = probe(path)
    assert facts.frame_indexes == list(range(CODEC_FRAMES)), "frames are out of order or missing"
    assert facts.video_duration_s == pytest.approx(CODEC_FRAMES / CODEC_FPS, abs=0.01)
    assert facts.audio_duration_s == pytest.approx(CODEC_FRAMES / CODEC_FPS, abs=0.03), "audio padded to the video"
    if alpha:
        planes = decode_alpha(path)
        assert len(planes) == CODEC_FRAMES
        for index, plane in enumerate(planes):
            error = np.abs(plane.astype(int) - alpha_plane(index, CODEC_W, CODEC_H).astype(int))
            assert error.mean() < 3, f"frame {index}: alpha off by {error.mean():.2f}"
