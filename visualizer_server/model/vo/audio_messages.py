"""The audio's messages to the encoding side: the check before a session's end, the news that it is all stored."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .requests import Reply


@dataclasses.dataclass(frozen=True)
class AudioCheck:
    """Body of CHECK_AUDIO: the checker fails ``reply`` when ffmpeg cannot decode the file."""

    session_id: str
    path: Path
    reply: Reply = dataclasses.field(default_factory=Reply, compare=False)


@dataclasses.dataclass(frozen=True)
class AudioStored:
    """Body of AUDIO_STORED: every byte of the session's audio is at ``path``; the encoder prepares
    it (normalised to ``loudness_lufs`` when set) while the frames still arrive."""

    session_id: str
    path: Path
    loudness_lufs: float | None
