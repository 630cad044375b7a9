"""Finished videos in the output folder; a video is only ever visible under its final name once complete."""

from __future__ import annotations

import os
from pathlib import Path

from puremvc.patterns.proxy import Proxy

from .files import is_session_id


class VideoStoreProxy(Proxy):
    NAME = "VideoStoreProxy"

    def __init__(self, output_dir: Path) -> None:
        super().__init__(self.NAME, output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)

    @property
    def output_dir(self) -> Path:
        return self.data

    def video_path(self, session_id: str) -> Path:
        return self.output_dir / f"{session_id}.mp4"

    def partial_path(self, session_id: str) -> Path:
        return self.output_dir / f"{session_id}.mp4.part"

    def publish(self, session_id: str) -> Path:
        """Give the checked partial file its final name."""
        final = self.video_path(session_id)
        os.replace(self.partial_path(session_id), final)
        return final

    def find(self, session_id: str) -> Path | None:
        """The finished video of a session id, or None (also for anything that is not an id)."""
        if not is_session_id(session_id):
            return None
        path = self.video_path(session_id)
        return path if path.is_file() else None

    def discard_partial(self, session_id: str) -> None:
        self.partial_path(session_id).unlink(missing_ok=True)

    def discard_all_partials(self) -> None:
        """A half-made video is never served: at startup every ``.part`` is a crash's leftover."""
        for path in self.output_dir.glob("*.mp4.part"):
            path.unlink(missing_ok=True)

    def remove(self, session_id: str) -> None:
        self.video_path(session_id).unlink(missing_ok=True)
        self.discard_partial(session_id)
