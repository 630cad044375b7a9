"""Finished videos in the output folder; a video is only ever visible under its final name once complete.

A video's extension follows its codec's container (``<id>.mp4``, ``<id>.webm``, ``<id>.mov``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from puremvc.patterns.proxy import Proxy

from .files import is_session_id
from .vo.codec import VIDEO_EXTENSIONS


class VideoStoreProxy(Proxy):
    NAME = "VideoStoreProxy"

    def __init__(self, output_dir: Path) -> None:
        super().__init__(self.NAME, output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)

    @property
    def output_dir(self) -> Path:
        return self.data

    def video_path(self, session_id: str, extension: str) -> Path:
        return self.output_dir / f"{session_id}.{extension}"

    def partial_path(self, session_id: str, extension: str) -> Path:
        """A fresh name for one encode's output: two encodes of a session (a restart, another node
        after a takeover) never write, remove or publish each other's file."""
        return self.output_dir / f"{session_id}.{secrets.token_hex(4)}.{extension}.part"

    def publish(self, session_id: str, extension: str, partial: Path) -> Path:
        """Give the checked partial file its final name."""
        final = self.video_path(session_id, extension)
        os.replace(partial, final)
        return final

    def find(self, session_id: str, extension: str | None = None) -> Path | None:
        """The finished video of a session id (with that extension, or any), or None (also for
        anything that is not an id or a video extension)."""
        if not is_session_id(session_id) or (extension is not None and extension not in VIDEO_EXTENSIONS):
            return None
        for known in [extension] if extension else VIDEO_EXTENSIONS:
            path = self.video_path(session_id, known)
            if path.is_file():
                return path
        return None

    def discard_partial(self, session_id: str) -> None:
        for path in self.output_dir.glob(f"{session_id}.*.part"):
            path.unlink(missing_ok=True)

    def discard_all_partials(self) -> None:
        """A half-made video is never served: at startup every ``.part`` is a crash's leftover."""
        for path in self.output_dir.glob("*.part"):
            path.unlink(missing_ok=True)

    def remove(self, session_id: str) -> None:
        for extension in VIDEO_EXTENSIONS:
            self.video_path(session_id, extension).unlink(missing_ok=True)
        self.discard_partial(session_id)
