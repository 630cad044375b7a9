"""One session's ffmpeg: frames stream in while they arrive, the audio is muxed in at the end.

Two passes, because the audio may still be arriving while the frames are encoded:
1. ``image2pipe`` (or ``rawvideo``) on stdin -> H.264 in an intermediate MP4, fed in
   index order as frames arrive, reporting ``frame=`` from ``-progress``;
2. a short remux: copy the video, encode the audio to AAC-LC 48 kHz padded or trimmed
   to the video's duration, ``+faststart``, into the caller's partial output path.
Knows nothing of PureMVC; it reports through the two callbacks it is given.
"""

from __future__ import annotations

import collections
import time
from pathlib import Path
from typing import Callable

import eventlet
import eventlet.queue
import imageio_ffmpeg
from eventlet.green import subprocess

from ...model.vo.encoder_messages import EncodeJob, EncoderResult, FinishEncode, FrameInput
from .pulse import Pulse

PIPE_CODECS = {"png": "png", "jpeg": "mjpeg", "webp": "webp"}
ERROR_LINES_KEPT = 20
AUDIO_BITRATE = "192k"
AUDIO_RATE = "48000"


def ffmpeg_exe() -> str:
    """The binary imageio-ffmpeg ships; no system ffmpeg is needed."""
    return imageio_ffmpeg.get_ffmpeg_exe()


def encode_args(job: EncodeJob) -> list[str]:
    """Pass 1: frames on stdin to H.264 (High, yuv420p tv range, closed GOP of fps/2)."""
    if job.format == "rgba":
        source = ["-f", "rawvideo", "-pix_fmt", "rgba", "-video_size", f"{job.width}x{job.height}"]
    else:
        source = ["-f", "image2pipe", "-c:v", PIPE_CODECS[job.format]]
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1",
        *source, "-framerate", str(job.fps), "-i", "pipe:0",
        *video_codec_args(job.fps, job.preset, job.crf), "-an", "-y", "-f", "mp4", str(job.intermediate_path),
    ]  # fmt: skip


def video_codec_args(fps: int, preset: str, crf: int) -> list[str]:
    """H.264 as YouTube recommends; shared with the benchmark's ffmpeg-alone baseline."""
    return [
        # JPEG decodes to full-range yuvj420p: convert every input to limited (tv) range BT.709,
        # and tag it (x264 writes the range only along with a colour matrix).
        "-vf", "scale=out_range=tv:out_color_matrix=bt709,format=yuv420p",
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-profile:v", "high",
        "-pix_fmt", "yuv420p", "-color_range", "tv", "-colorspace", "bt709",
        "-color_primaries", "bt709", "-color_trc", "bt709", "-g", str(max(1, fps // 2)), "-flags", "+cgop",
        "-fps_mode", "cfr",
    ]  # fmt: skip


def mux_args(job: EncodeJob, finish: FinishEncode) -> list[str]:
    """Pass 2: copy the video, add AAC audio cut or padded to the video's duration, moov first."""
    audio_in = ["-i", str(finish.audio_path)] if finish.audio_path else []
    audio_out = (
        ["-map", "1:a:0", "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", AUDIO_RATE, "-af", "apad"]
        if finish.audio_path
        else []
    )
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-i", str(job.intermediate_path), *audio_in,
        "-map", "0:v:0", *audio_out, "-c:v", "copy", "-t", f"{finish.duration_s:.6f}",
        "-movflags", "+faststart", "-f", "mp4", str(finish.output_path),
    ]  # fmt: skip


class FfmpegEncoder:
    """Runs the two passes for one session in background greenlets."""

    def __init__(
        self,
        job: EncodeJob,
        on_progress: Callable[[int], None],
        on_finished: Callable[[EncoderResult], None],
    ) -> None:
        self.job = job
        self._on_progress = on_progress
        self._on_finished = on_finished
        self._queue: eventlet.queue.LightQueue = eventlet.queue.LightQueue()
        self._buffered_bytes = 0
        self._frames_encoded = 0
        self._errors: collections.deque[str] = collections.deque(maxlen=ERROR_LINES_KEPT)
        self._process: subprocess.Popen | None = None
        self._readers: list[eventlet.greenthread.GreenThread] = []
        self._stopped = False
        self._writer_done = False
        self.finishing = False  # told that no more frames come: it ends by itself
        self._frame_written = Pulse()

    def start(self) -> None:
        self._started_at = time.monotonic()
        self._process = subprocess.Popen(
            encode_args(self.job), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self._readers = [
            eventlet.spawn(self._read_progress, self._process.stdout),
            eventlet.spawn(self._read_errors, self._process.stderr),
        ]
        eventlet.spawn(self._write_frames)

    def feed(self, frame: FrameInput) -> None:
        """Queue the next frame; its bytes stay in memory only while within the buffer budget."""
        if frame.data is not None and self._buffered_bytes + len(frame.data) > self.job.buffer_bytes:
            frame = FrameInput(frame.session_id, frame.index, frame.path)
        self._buffered_bytes += len(frame.data or b"")
        self._queue.put(frame)

    def finish(self, finish: FinishEncode) -> None:
        self.finishing = True
        self._queue.put(finish)

    def stop(self) -> None:
        """Cancel: kill ffmpeg without reporting a result."""
        self._stopped = True
        if self._process and self._process.poll() is None:
            self._process.kill()
        self._queue.put(None)

    def wait_for_room(self) -> None:
        """Block the calling greenlet while more than ``job.max_queued_frames`` wait for ffmpeg.

        The frame is already queued (order is kept); this only delays the caller, which is
        how acknowledgements slow down when ffmpeg falls behind, so memory stays bounded.
        """
        while self._queue.qsize() > self.job.max_queued_frames and not self._writer_done:
            self._frame_written.wait()

    def _write_frames(self) -> None:
        assert self._process is not None
        stdin = self._process.stdin
        try:
            while True:
                item = self._queue.get()
                if not isinstance(item, FrameInput):
                    break
                data = item.data if item.data is not None else item.path.read_bytes()
                self._buffered_bytes -= len(item.data or b"")
                stdin.write(data)
                self._frame_written.fire()
            stdin.close()
        except (BrokenPipeError, OSError) as error:
            self._errors.append(f"writing to ffmpeg failed: {error}")
        self._writer_done = True
        self._frame_written.fire()
        returncode = self._process.wait()
        for reader in self._readers:
            reader.wait()  # the last progress block and error lines come after the exit
        if self._stopped:
            return
        if returncode != 0 or not isinstance(item, FinishEncode):
            self._report(False, item, f"ffmpeg exited with code {returncode}")
            return
        self._mux(item)

    def _mux(self, finish: FinishEncode) -> None:
        result = subprocess.run(mux_args(self.job, finish), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if result.returncode != 0:
            self._errors.extend(result.stderr.decode(errors="replace").splitlines()[-ERROR_LINES_KEPT:])
        self._report(result.returncode == 0, finish, f"ffmpeg (audio mux) exited with code {result.returncode}")

    def _report(self, ok: bool, item: object, failure: str) -> None:
        if not ok:
            self._errors.append(failure)
        output = item.output_path if isinstance(item, FinishEncode) else Path()
        duration = time.monotonic() - self._started_at
        result = EncoderResult(self.job.session_id, ok, self._frames_encoded, output, duration, tuple(self._errors))
        self._on_finished(result)

    def _read_progress(self, stream) -> None:
        """``-progress`` writes key=value blocks ending in ``progress=``; report once per block."""
        for raw in stream:
            key, _, value = raw.decode(errors="replace").strip().partition("=")
            if key == "frame" and value.isdigit():
                self._frames_encoded = int(value)
            elif key == "progress":
                self._on_progress(self._frames_encoded)

    def _read_errors(self, stream) -> None:
        for raw in stream:
            line = raw.decode(errors="replace").rstrip()
            if line:
                self._errors.append(line)
