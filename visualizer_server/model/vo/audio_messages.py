"""The request to check a session's audio with ffmpeg before its encode, answered through its reply."""

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
