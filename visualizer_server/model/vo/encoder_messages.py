"""Bodies of the notifications exchanged with the encoder mediator."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from .index_ranges import IndexRanges

# The stages an encode goes through, as its progress reports them.
WAITING = "waiting"  # for frame 0, or for a free encoder slot
ENCODING = "encoding"
MEASURING = "measuring"  # the audio's loudness, before the mux that normalises it
MUXING = "muxing"


@dataclasses.dataclass(frozen=True)
class EncodeJob:
    """Everything the encoder needs to turn one session's spool into a video."""

    session_id: str
    width: int
    height: int
    fps: int
    format: str
    preset: str
    crf: int
    frames: IndexRanges = dataclasses.field(compare=False)  # the session's stored frames, read only
    frame_path: Callable[[int], Path] = dataclasses.field(compare=False)
    new_intermediate: Callable[[], Path] = dataclasses.field(compare=False)
    buffer_bytes: int = 64 * 1024 * 1024  # frame bytes kept in memory; the rest is read back from the spool
    max_restarts: int = 3
    codec: str = "h264"
    alpha: bool = False
    hardware_encoder: str | None = None  # e.g. h264_nvenc, found by the startup probe; software when None

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
class EncoderProgress:
    session_id: str
    stage: str
    frames_encoded: int
    restarts: int = 0


@dataclasses.dataclass(frozen=True)
class EncoderResult:
    session_id: str
    ok: bool
    frames_encoded: int
    output_path: Path | None
    duration_s: float = 0.0
    error_lines: tuple[str, ...] = ()
    restarts: int = 0
