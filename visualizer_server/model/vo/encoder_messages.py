"""Bodies of the notifications exchanged with the encoder mediator."""

from __future__ import annotations

import dataclasses
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class EncodeJob:
    """Everything ffmpeg needs to turn a session's frames into a video."""

    session_id: str
    width: int
    height: int
    fps: int
    format: str
    intermediate_path: Path
    preset: str
    crf: int
    buffer_bytes: int
    max_queued_frames: int


@dataclasses.dataclass(frozen=True)
class FrameInput:
    """The next frame in index order: from memory when it is at hand, else from its spool file."""

    session_id: str
    index: int
    path: Path
    data: bytes | None = None


@dataclasses.dataclass(frozen=True)
class FinishEncode:
    """No more frames: finalise the stream and mux the audio into ``output_path``."""

    session_id: str
    output_path: Path
    audio_path: Path | None
    duration_s: float


@dataclasses.dataclass(frozen=True)
class EncoderProgress:
    session_id: str
    frames_encoded: int


@dataclasses.dataclass(frozen=True)
class EncoderResult:
    session_id: str
    ok: bool
    frames_encoded: int
    output_path: Path
    duration_s: float = 0.0
    error_lines: tuple[str, ...] = ()
