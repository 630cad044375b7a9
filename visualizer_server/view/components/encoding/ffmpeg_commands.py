"""The ffmpeg command lines of a session's two passes; the binary is the one imageio-ffmpeg ships.

1. frames on stdin (``image2pipe`` or ``rawvideo``) -> H.264 in an intermediate MP4 (an ``h264``
   session's access units are copied instead);
2. a short remux: copy the video, encode the audio to AAC-LC 48 kHz padded or trimmed to
   the video's duration, ``+faststart``, into the session's partial output file.
Two passes, because the audio may still be arriving while the frames are encoded.
"""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg

from ....model.vo.codec import CODECS
from ....model.vo.encoder_messages import EncodeJob, FinishEncode
from .audio_input import audio_input_args
from .video_encoders import encoder_args

PIPE_CODECS = {"png": "png", "jpeg": "mjpeg", "webp": "webp"}
AUDIO_BITRATE = "192k"
AUDIO_RATE = "48000"
# The audio each container takes (WebM has no AAC; editors expect PCM next to ProRes), and how it
# puts its index first, so a browser plays the file before it has all of it.
AUDIO_CODECS = {"mp4": ["aac", "-b:a", AUDIO_BITRATE], "webm": ["libopus", "-b:a", AUDIO_BITRATE],
                "mov": ["pcm_s16le"]}  # fmt: skip
INDEX_FIRST = {"mp4": ["-movflags", "+faststart"], "mov": ["-movflags", "+faststart"], "webm": ["-cues_to_front", "1"]}


def ffmpeg_exe() -> str:
    """The binary imageio-ffmpeg ships; no system ffmpeg is needed."""
    return imageio_ffmpeg.get_ffmpeg_exe()


def encode_args(job: EncodeJob, intermediate: Path) -> list[str]:
    """Pass 1: frames on stdin to the session's codec, starting on the first frame.

    ``-probesize 32 -analyzeduration 0``: on a pipe, ffmpeg otherwise reads 5 MB or 5 s of
    frames before it encodes anything, so small frames would not be encoded while they arrive.
    """
    if job.format == "h264":
        return copy_args(job, intermediate)
    if job.format == "rgba":
        source = ["-f", "rawvideo", "-pix_fmt", "rgba", "-video_size", f"{job.width}x{job.height}"]
    else:
        source = ["-f", "image2pipe", "-c:v", PIPE_CODECS[job.format]]
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1",
        "-probesize", "32", "-analyzeduration", "0",
        *source, "-framerate", str(job.fps), "-i", "pipe:0",
        *encoder_args(job.codec, job.alpha, job.fps, job.preset, job.crf, job.hardware_encoder),
        "-an", "-y", "-f", CODECS[job.codec].muxer, str(intermediate),
    ]  # fmt: skip


def copy_args(job: EncodeJob, intermediate: Path) -> list[str]:
    """Pass 1 of an ``h264`` session: the client's access units copied as they are, never re-encoded.

    The raw H.264 reader makes timestamps only with ``-r`` before ``-i``, and then from the
    stream's own timing information when it has some; ``setts`` sets every packet to
    ``N / fps``, so the video has the session's constant frame rate whatever the encoder wrote.
    """
    tick = f"1/({job.fps}*TB)"
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1",
        "-probesize", "32", "-analyzeduration", "0", "-r", str(job.fps), "-f", "h264", "-i", "pipe:0",
        "-map", "0:v:0", "-c:v", "copy", "-bsf:v", f"setts=ts=N*{tick}:duration={tick}",
        "-an", "-y", "-f", "mp4", str(intermediate),
    ]  # fmt: skip


def mux_args(intermediate: Path, finish: FinishEncode, muxer: str = "mp4", loudness_filter: str | None = None) -> list[str]:
    """Pass 2: copy the video, add the audio (AAC in MP4, Opus in WebM, PCM in MOV) cut or padded
    to the video's duration, index first; ``loudness_filter`` (loudnorm's linear pass) goes before the pad.

    Streams are mapped explicitly: a file that holds no audio then fails instead of
    silently giving a video without sound.
    """
    audio_in = audio_input_args(finish.audio_path) if finish.audio_path else []
    audio_filter = f"{loudness_filter},apad" if loudness_filter else "apad"
    audio_out = (
        ["-map", "1:a:0", "-c:a", *AUDIO_CODECS[muxer], "-ar", AUDIO_RATE, "-af", audio_filter]
        if finish.audio_path
        else []
    )
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-i", str(intermediate), *audio_in,
        "-map", "0:v:0", *audio_out, "-c:v", "copy", "-t", f"{finish.duration_s:.6f}",
        *INDEX_FIRST[muxer], "-f", muxer, str(finish.output_path),
    ]  # fmt: skip
