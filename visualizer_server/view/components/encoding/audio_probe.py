"""One quick decode of a session's audio before any encode: audio ffmpeg cannot read is refused up front.

Without it, undecodable audio failed only at the mux, after the whole video was encoded, and
then again after each of the encoder's restarts. The probe decodes the first seconds with the
demuxer forced (``audio_input_args``) and is killed after ``timeout_s``. Knows nothing of PureMVC.
"""

from __future__ import annotations

import logging
from pathlib import Path

import eventlet

from .audio_input import audio_input_args
from .ffmpeg_commands import preamble
from .ffmpeg_process import FfmpegProcess

log = logging.getLogger(__name__)

PROBE_SECONDS = 5  # decoded: enough to find a stream ffmpeg cannot read, quick for any length


class AudioProbe:
    def __init__(self, ffmpeg: str, timeout_s: float) -> None:
        self.ffmpeg = ffmpeg
        self.timeout_s = timeout_s

    def problem(self, path: Path) -> str | None:
        """None when ffmpeg decodes the audio's first seconds; else what ffmpeg said (for the log only:
        it names server paths)."""
        args = [*preamble(progress=False, ffmpeg=self.ffmpeg),
                *audio_input_args(path), "-map", "0:a:0", "-t", str(PROBE_SECONDS), "-f", "null", "-"]  # fmt: skip
        process = FfmpegProcess(args)
        process.start()
        returncode = None
        with eventlet.Timeout(self.timeout_s, False):
            returncode = process.wait()
        if returncode is None:
            process.kill()
            return f"decoding took longer than {self.timeout_s:g} s"
        if returncode != 0:
            return f"ffmpeg exited with code {returncode}: {process.last_words(len(process.errors))}"
        return None
