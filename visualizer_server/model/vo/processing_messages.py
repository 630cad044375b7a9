"""Bodies of the notifications exchanged with the processing mediator (YouTube's processing of an upload)."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Callable

from google.oauth2.credentials import Credentials



class ProcessingStatus(StrEnum):
    """What became of an uploaded video, as ``youtube_processed`` says it (and the manifest keeps)."""

    WATCHING = "watching"  # not known yet: the server polls
    PROCESSED = "processed"
    FAILED = "failed"
    REJECTED = "rejected"
    TIMEOUT = "timeout"


@dataclasses.dataclass(frozen=True)
class ProcessingWatch:
    """Poll ``videos.list`` for ``video_id`` until YouTube says how processing went, or ``deadline``."""

    session_id: str
    video_id: str
    credentials: Callable[[], Credentials]
    api_endpoint: str | None
    deadline: float  # time.time() after which the answer is ``timeout``: it survives a restart
    first_delay_s: float = 5.0  # then doubled after each answer, up to ``max_delay_s``
    max_delay_s: float = 60.0


@dataclasses.dataclass(frozen=True)
class ProcessingResult:
    session_id: str
    video_id: str
    status: ProcessingStatus  # processed, failed, rejected or timeout
    reason: str | None = None
