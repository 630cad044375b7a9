"""Requests from clients, validated at the socket boundary, and the reply a command fills in."""

from __future__ import annotations

import dataclasses
from typing import Any

from ...errors import ServiceError
from .session import SessionSpec


@dataclasses.dataclass
class Reply:
    """The acknowledgement under construction: a command either succeeds or fails it."""

    fields: dict[str, Any] = dataclasses.field(default_factory=dict)
    error: ServiceError | None = None

    def succeed(self, **fields: Any) -> None:
        self.fields.update(fields)

    def fail(self, error: ServiceError) -> None:
        self.error = error

    def to_ack(self) -> dict[str, Any]:
        if self.error is not None:
            return {"ok": False, "error": self.error.to_dict()}
        return {"ok": True, **self.fields}


@dataclasses.dataclass(frozen=True)
class ClientRequest:
    """Base of every request: who sent it, and where the answer goes."""

    sid: str
    reply: Reply = dataclasses.field(default_factory=Reply, compare=False)


@dataclasses.dataclass(frozen=True)
class EchoRequest(ClientRequest):
    text: str = ""


@dataclasses.dataclass(frozen=True)
class StartSessionRequest(ClientRequest):
    spec: SessionSpec | None = None


@dataclasses.dataclass(frozen=True)
class SessionRequest(ClientRequest):
    """A request about one existing session (cancel, status)."""

    session_id: str = ""


@dataclasses.dataclass(frozen=True)
class FrameRequest(SessionRequest):
    index: int = 0
    data: bytes = b""


@dataclasses.dataclass(frozen=True)
class AudioChunkRequest(SessionRequest):
    offset: int = 0
    data: bytes = b""


@dataclasses.dataclass(frozen=True)
class EndSessionRequest(SessionRequest):
    frame_count: int = 0


@dataclasses.dataclass(frozen=True)
class ResumeSessionRequest(SessionRequest):
    resume_token: str = ""
