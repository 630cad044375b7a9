"""The ffmpeg command lines of a session's video; the binary is the one imageio-ffmpeg ships.

1. one ffmpeg per segment: its frames on stdin (``image2pipe`` or ``rawvideo``) -> the session's
   codec, in the session's own container (MP4, WebM or MOV), one run of whole closed GOPs (an
   ``h264`` session's access units are copied instead, the whole stream as one segment);
2. the finish: the segments joined by the concat demuxer without re-encoding (each one's exact
   duration given, so the timestamps stay those of a constant frame rate), the audio in the
   container's codec (AAC-LC 48 kHz in MP4, Opus 48 kHz in WebM, 16-bit PCM 48 kHz in MOV),
   padded or trimmed to the video's duration, index first, into the session's partial output file.
   The audio is copied when ``AudioPreparation`` encoded it while the frames arrived, and
   encoded from the spool otherwise.
Every ffmpeg reports ``-progress`` on stdout: that is what its no-progress watchdog watches.
"""

from __future__ import annotations

import math
from pathlib import Path

import imageio_ffmpeg

from ....model.vo.codec import CODECS
from ....model.vo.encoder_messages import EncodeJob, FinishEncode, Segment
from .audio_input import audio_input_args
from .video_encoders import encoder_args

PIPE_CODECS = {"png": "png", "jpeg": "mjpeg", "webp": "webp"}
AUDIO_BITRATE = "192k"
AUDIO_RATE = "48000"
# The audio each container takes (WebM has no AAC; editors expect PCM next to ProRes), and how it
# puts its index first, so a browser plays the file before it has all of it.
AUDIO_CODECS = {"mp4": ["aac", "-b:a", AUDIO_BITRATE], "webm": ["libopus", "-b:a", AUDIO_BITRATE],
                "mov": ["pcm_s16le"]}  # fmt: skip
DEMUXERS = {"mp4": "mov", "mov": "mov", "webm": "matroska"}  # reading back a file of our own container
# MP4 and MOV put their index (the moov box) at the front in room kept for it there, instead of
# +faststart's second write of the whole file after the copy, which grew the finish with the length
# and cost a second pass over it. Measured: 11 to 13.5 bytes a sample (3 minutes of H.264 and AAC; a
# minute at 60 fps with B-frames, tests/unit/test_index_room.py); 64 covers the worst tables ffmpeg
# can write (a size, a composition offset, a sync entry, a duration, and a chunk of its own with a
# 64-bit offset for every sample: about 45 bytes) with room to spare. A video or audio sample each,
# AAC's 1024-sample packets (PCM in MOV writes its chunks no more often). What the index leaves
# unused is a ``free`` box.
MOOV_BYTES_PER_SAMPLE = 64
MOOV_BASE_BYTES = 64 * 1024  # what does not grow with the length: headers, edit lists, metadata
AUDIO_PACKET_SAMPLES = 1024
# On a pipe, ffmpeg otherwise reads 5 MB or 5 s of frames before it encodes anything, so small
# frames would not be encoded while they arrive.
NO_PROBING = ["-probesize", "32", "-analyzeduration", "0"]
CONCAT_HEADER = "ffconcat version 1.0\n"


def ffmpeg_exe() -> str:
    """The binary imageio-ffmpeg ships; no system ffmpeg is needed."""
    return imageio_ffmpeg.get_ffmpeg_exe()


def preamble(loglevel: str = "error", progress: bool = True, ffmpeg: str | None = None) -> list[str]:
    """How every ffmpeg of the service starts: no banner, no keyboard, only errors (or ``loglevel``),
    and machine-readable progress on stdout for the watchdog and the progress reports."""
    return [ffmpeg or ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", loglevel,
            *(["-progress", "pipe:1"] if progress else [])]  # fmt: skip


def segment_args(job: EncodeJob, output: Path) -> list[str]:
    """One segment: frames on stdin to the session's codec, starting on the first frame."""
    if job.copies_stream:
        return copy_args(job, output)
    if job.format == "rgba":
        source = ["-f", "rawvideo", "-pix_fmt", "rgba", "-video_size", f"{job.width}x{job.height}"]
    else:
        source = ["-f", "image2pipe", "-c:v", PIPE_CODECS[job.format]]
    return [
        *preamble(), *NO_PROBING, *source, "-framerate", str(job.fps), "-i", "pipe:0",
        *encoder_args(job.codec, job.alpha, job.fps, job.preset, job.crf, job.hardware_encoder),
        "-an", "-y", "-f", CODECS[job.codec].muxer, str(output),
    ]  # fmt: skip


def copy_args(job: EncodeJob, output: Path) -> list[str]:
    """An ``h264`` session: the client's access units copied as they are, never re-encoded.

    The raw H.264 reader makes timestamps only with ``-r`` before ``-i``, and then from the
    stream's own timing information when it has some; ``setts`` sets every packet to
    ``N / fps``, so the video has the session's constant frame rate whatever the encoder wrote.
    """
    tick = f"1/({job.fps}*TB)"
    return [
        *preamble(), *NO_PROBING, "-r", str(job.fps), "-f", "h264", "-i", "pipe:0",
        "-map", "0:v:0", "-c:v", "copy", "-bsf:v", f"setts=ts=N*{tick}:duration={tick}",
        "-an", "-y", "-f", "mp4", str(output),
    ]  # fmt: skip


def concat_list(segments: list[tuple[Segment, Path]], fps: int) -> str:
    """The concat demuxer's list: each segment by its bare name (the list lives beside them, so
    the demuxer's safe mode holds) and its exact duration, so no rounding of a container's
    timestamps shifts the next segment."""
    lines = [CONCAT_HEADER]
    for segment, path in segments:
        lines.append(f"file {path.name}\nduration {segment.count / fps:.9f}\n")
    return "".join(lines)


def prepare_audio_args(audio: Path, output: Path, muxer: str, loudness_filter: str | None, pad_s: float) -> list[str]:
    """The audio alone, as the finish would encode it, followed by ``pad_s`` of silence: written
    while the frames arrive, so the join only copies it (``AudioPreparation``)."""
    return [*preamble(), *audio_input_args(audio), "-map", "0:a:0", "-vn",
            *_audio_encoding(muxer, loudness_filter, f"apad=pad_dur={pad_s:g}"), "-y", "-f", muxer, str(output)]  # fmt: skip


def _audio_encoding(muxer: str, loudness_filter: str | None, pad: str) -> list[str]:
    """The container's audio codec at 48 kHz; loudnorm's linear pass, when given, before the pad."""
    audio_filter = f"{loudness_filter},{pad}" if loudness_filter else pad
    return ["-c:a", *AUDIO_CODECS[muxer], "-ar", AUDIO_RATE, "-af", audio_filter]


def join_args(concat: Path, finish: FinishEncode, muxer: str = "mp4", loudness_filter: str | None = None,
              prepared_audio: Path | None = None) -> list[str]:
    """The finish: the segments listed in ``concat`` copied one after the other, the audio (AAC in
    MP4, Opus in WebM, PCM in MOV) cut or padded to the video's duration, index first. The audio is
    ``prepared_audio`` copied (already in the container's codec, normalised and padded) when given,
    else the spool's encoded, with ``loudness_filter`` (loudnorm's linear pass) before the pad.

    Streams are mapped explicitly: a file that holds no audio then fails instead of
    silently giving a video without sound.
    """
    if prepared_audio is not None:
        audio_in = ["-f", DEMUXERS[muxer], "-protocol_whitelist", "file", "-i", f"file:{prepared_audio}"]
        audio_out = ["-map", "1:a:0", "-c:a", "copy"]
    elif finish.audio_path is not None:
        audio_in = audio_input_args(finish.audio_path)
        audio_out = ["-map", "1:a:0", *_audio_encoding(muxer, loudness_filter, "apad")]
    else:
        audio_in, audio_out = [], []
    return [
        *preamble(), "-y", "-f", "concat", "-i", str(concat), *audio_in,
        "-map", "0:v:0", *audio_out, "-c:v", "copy", "-t", f"{finish.duration_s:.6f}",
        *_index_first(muxer, finish), "-f", muxer, str(finish.output_path),
    ]  # fmt: skip


def _index_first(muxer: str, finish: FinishEncode) -> list[str]:
    """The index at the front, so the video plays while it downloads: in room reserved for it (MP4,
    MOV), or by moving the cues there once the file is written (WebM: a second write, as +faststart's)."""
    if muxer == "webm":
        return ["-cues_to_front", "1"]
    return ["-moov_size", str(moov_room(finish.frame_count, finish.duration_s if finish.audio_path else 0.0))]


def moov_room(frames: int, audio_s: float) -> int:
    """Bytes to keep at the front of an MP4 or MOV for the index of ``frames`` and ``audio_s`` of audio."""
    audio_packets = math.ceil(audio_s * int(AUDIO_RATE) / AUDIO_PACKET_SAMPLES)
    return MOOV_BASE_BYTES + MOOV_BYTES_PER_SAMPLE * (frames + audio_packets + 1)
