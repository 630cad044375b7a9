"""Bodies of the notifications exchanged with the upload mediator."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable

from google.oauth2.credentials import Credentials


@dataclasses.dataclass(frozen=True)
class UploadJob:
    session_id: str
    path: Path
    metadata: dict[str, Any]
    credentials: Callable[[], Credentials]  # refreshes when needed: network I/O, called by the upload
    chunk_bytes: int
    api_endpoint: str | None
    resumable_uri: str | None = None  # a previous run's upload session, continued without a new insert
    thumbnail_frame: int | None = None  # this frame of the video becomes the thumbnail (thumbnails.set)
    playlist_id: str | None = None  # the video is added to this playlist


@dataclasses.dataclass(frozen=True)
class UploadProgress:
    session_id: str
    bytes_uploaded: int
    resumable_uri: str | None


@dataclasses.dataclass(frozen=True)
class UploadResult:
    session_id: str
    video_id: str | None = None
    warnings: tuple[str, ...] = ()  # extras (thumbnail, playlist) that failed; the video itself is up
    error_code: str | None = None
    error_message: str | None = None
    duration_s: float = 0.0
