"""The contract's error codes and the exception that carries one to an acknowledgement."""

from __future__ import annotations

from typing import Any

INVALID_REQUEST = "invalid_request"
UNAUTHORIZED = "unauthorized"
UNKNOWN_SESSION = "unknown_session"
BAD_FRAME = "bad_frame"
TOO_LARGE = "too_large"
LIMIT_EXCEEDED = "limit_exceeded"
INCOMPLETE = "incomplete"
CONFLICT = "conflict"
SERVER_BUSY = "server_busy"
INTERNAL = "internal"
# Codes of ``session_failed`` only: what went wrong after the requests were answered.
ENCODE_FAILED = "encode_failed"
UPLOAD_FAILED = "upload_failed"
UPLOAD_QUOTA = "upload_quota"
EXPIRED = "expired"


class ServiceError(Exception):
    """A request the service refuses, with the contract code and a sentence for a person."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The ``error`` object of an acknowledgement or a ``session_failed`` event."""
        return {"code": self.code, "message": self.message, **self.details}


class CredentialsError(Exception):
    """The YouTube credentials cannot be used; the message says what to do."""
