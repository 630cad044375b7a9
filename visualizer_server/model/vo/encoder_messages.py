"""Bodies of the notifications exchanged with the encoder mediator."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from pathlib import Path
from typing import Callable

from .index_ranges import IndexRanges


class EncoderStage(StrEnum):
    """Where a session's encode is, as its progress reports say. Its own words, never a session's
    lifecycle state (``encoding``, ``muxing``): one name, one meaning."""

    IDLE = "idle"  # no frame to encode: waiting for frame 0, or for the next one after a segment closed
    QUEUED = "queued"  # frames to encode, waiting for a free encoder slot (the client sees waiting_for_encoder)
    FEEDING = "feeding"  # a segment's ffmpeg is being fed
    WAITING_FOR_DISK = "waiting_for_disk"  # ffmpeg found the disk full: waiting for room, without a slot
    MEASURING = "measuring"  # the audio's loudness, before the join that normalises it
    JOINING = "joining"  # the finished segments joined by stream copy, the audio muxed in


@dataclasses.dataclass(frozen=True)
class Segment:
    """A run of whole closed GOPs, encoded by one ffmpeg: frames ``first`` to ``first + count - 1``."""

    first: int
    count: int

    @property
    def end(self) -> int:
        """The first frame after it."""
        return self.first + self.count


# A normalised track measured whole stands for the video's audio only if the video holds all of it
# (the silence after it is below loudnorm's gates and changes nothing), give or take a few frames.
LOUDNESS_CUT_S = 0.1


@dataclasses.dataclass(frozen=True)
class PreparedAudio:
    """The session's audio encoded for the finish at ``path``: ``audio_s`` of the track, then silence
    up to ``covers_s``; normalised to ``loudness_lufs`` (None: as it came)."""

    path: Path
    audio_s: float
    covers_s: float
    loudness_lufs: float | None

    def fits(self, duration_s: float, loudness_lufs: float | None) -> bool:
        """Whether copying it, cut at ``duration_s``, gives what encoding the spool's audio would."""
        if loudness_lufs != self.loudness_lufs or duration_s > self.covers_s:
            return False
        return loudness_lufs is None or duration_s >= self.audio_s - LOUDNESS_CUT_S


@dataclasses.dataclass(frozen=True)
class EncodeJob:
    """Everything the encoder needs to turn one session's spool into a video, segment by segment."""

    session_id: str
    width: int
    height: int
    fps: int
    format: str
    preset: str
    crf: int
    frames: IndexRanges = dataclasses.field(compare=False)  # the session's stored frames, read only
    frame_path: Callable[[int], Path] = dataclasses.field(compare=False)
    new_intermediate: Callable[[], Path] = dataclasses.field(compare=False)  # a fresh file for a segment's ffmpeg
    buffer_bytes: int = 64 * 1024 * 1024  # frame bytes kept in memory; the rest is read back from the spool
    max_restarts: int = 3  # per segment
    codec: str = "h264"
    alpha: bool = False
    hardware_encoder: str | None = None  # e.g. h264_nvenc, found by the startup probe; software when None
    # The segments (BuildVideoCommand fills these in from the settings and the spool):
    segment_frames: int = 1 << 31  # frames a segment holds at most: a whole number of GOPs
    idle_close_s: float | None = None  # a segment whose next frame has not come for this long is closed early
    stall_s: float | None = None  # an ffmpeg that shows no progress for this long is killed (counted as a crash)
    finished: tuple[Segment, ...] = ()  # segments already durable (a restart, a takeover): never encoded again
    segment_path: Callable[[Segment], Path] | None = dataclasses.field(default=None, compare=False)
    # The audio prepared for the finish: found on disk (a restart, a takeover), and how one is kept
    # (renamed into place, fenced: ``keep_prepared_audio(encoded, loudness_lufs, audio_s, covers_s)``).
    prepared_audio: tuple[PreparedAudio, ...] = ()
    keep_prepared_audio: Callable[[Path, float | None, float, float], Path] | None = dataclasses.field(default=None,
                                                                                                     compare=False)

    @property
    def copies_stream(self) -> bool:
        """The client encoded the video (format ``h264``): ffmpeg only copies it, at almost no cost."""
        return self.format == "h264"


@dataclasses.dataclass(frozen=True)
class FinishEncode:
    """No frames beyond ``frame_count``: finish the stream and mux the audio into ``output_path``."""

    session_id: str
    frame_count: int
    output_path: Path
    audio_path: Path | None
    duration_s: float
    loudness_lufs: float | None = None  # normalise the audio to this integrated loudness, two-pass loudnorm


@dataclasses.dataclass(frozen=True)
class EncoderCatchUp:
    """Body of WAIT_FOR_ENCODER: hold the caller while the encoder is more than ``max_behind``
    frames short of ``index`` (and could be fed up to it: a gap never holds anyone)."""

    session_id: str
    index: int
    max_behind: int


@dataclasses.dataclass(frozen=True)
class SegmentEncoded:
    """Body of SEGMENT_ENCODED: ffmpeg made every frame of ``segment`` into ``path`` (a temporary
    name); keeping it (its final name, the manifest) makes it durable and frees its frames."""

    session_id: str
    segment: Segment
    path: Path


@dataclasses.dataclass(frozen=True)
class EncoderProgress:
    session_id: str
    stage: EncoderStage
    frames_encoded: int
    restarts: int = 0
    measuring_loudness: bool = False  # loudnorm's measuring pass runs: in the finish, or over audio just stored


@dataclasses.dataclass(frozen=True)
class EncoderResult:
    """What an encode came to. ``reason`` is for the client (no paths, no ffmpeg output);
    ``error_lines`` (ffmpeg's last words) are for the server's log only."""

    session_id: str
    ok: bool
    frames_encoded: int
    output_path: Path | None
    duration_s: float = 0.0
    error_lines: tuple[str, ...] = ()
    restarts: int = 0
    reason: str | None = None
