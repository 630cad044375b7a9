"""Bodies of the facts the socket mediator turns into events for a session's connection."""

from __future__ import annotations

import dataclasses
from typing import Any

from ...errors import ServiceError
from .lifecycle import Event, State


@dataclasses.dataclass(frozen=True)
class ClientEvent:
    """Base of every fact addressed to one connection (``owner_sid`` None: nobody to tell)."""

    owner_sid: str | None

    def payload(self) -> dict[str, Any]:
        """The event's JSON payload: every field but the addressee."""
        fields = dataclasses.asdict(self)
        fields.pop("owner_sid")
        return fields


@dataclasses.dataclass(frozen=True)
class Echo(ClientEvent):
    """The original service's echo is a bare string, not an object."""

    text: str = ""

    def payload(self) -> str:  # type: ignore[override]
        return self.text


@dataclasses.dataclass(frozen=True)
class ProgressReport(ClientEvent):
    session_id: str = ""
    stage: str = ""
    percent: float = 0.0
    frames_received: int = 0
    frames_encoded: int = 0
    bytes_uploaded: int = 0
    waiting_for_encoder: bool = False
    waiting_for_disk: bool = False
    measuring_loudness: bool = False


@dataclasses.dataclass(frozen=True)
class VideoBuilt(ClientEvent):
    session_id: str = ""
    url: str = ""
    bytes: int = 0
    frames: int = 0
    duration_s: float = 0.0
    width: int = 0
    height: int = 0


@dataclasses.dataclass(frozen=True)
class UploadCompleted(ClientEvent):
    session_id: str = ""
    video_id: str = ""
    url: str = ""
    warnings: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class YouTubeProcessed(ClientEvent):
    session_id: str = ""
    video_id: str = ""
    status: str = ""  # processed, failed, rejected or timeout
    reason: str | None = None

    def payload(self) -> dict[str, Any]:
        """``reason`` only when the video was not processed."""
        fields = super().payload()
        if fields["reason"] is None:
            fields.pop("reason")
        return fields


@dataclasses.dataclass(frozen=True)
class SessionFailure(ClientEvent):
    session_id: str = ""
    error: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class FrameStored:
    """A frame is in the spool; ``data`` is its bytes, still in memory, for the encoder to take."""

    session_id: str
    index: int
    bytes: int
    data: bytes | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True)
class RequestRefused:
    code: str


@dataclasses.dataclass(frozen=True)
class SessionChange:
    """Body of SESSION_CHANGED: ``event`` moved the session from ``before`` (None: new) to ``after``."""

    session_id: str
    before: State | None
    after: State
    event: Event


@dataclasses.dataclass(frozen=True)
class SessionFault:
    """Body of FAIL_SESSION: something broke while working for this session."""

    session_id: str
    error: ServiceError


@dataclasses.dataclass(frozen=True)
class SessionRef:
    """Body of requests about one session that carry nothing else (stop its encoder, its upload)."""

    session_id: str


@dataclasses.dataclass(frozen=True)
class LetGoRequest:
    """Body of ASK_TO_LET_GO: ``node`` should stop its work on the session and give its lease back."""

    session_id: str
    node: str
