"""Base of the pipeline's commands: typed access to the proxies and settings they share."""

from __future__ import annotations

import logging
from pathlib import Path

from puremvc.patterns.command import SimpleCommand

from .. import notifications as n
from ..errors import SERVER_BUSY, UPLOAD_FAILED, UPLOAD_QUOTA, ServiceError
from ..model.config_proxy import ConfigProxy
from ..model.vo.events import SessionRef, VideoBuilt
from ..model.vo.lifecycle import State
from ..model.vo.session import Session
from ..settings import Settings
from .model_access import ModelAccess

log = logging.getLogger(__name__)


class PipelineCommand(ModelAccess, SimpleCommand):
    """Gives commands typed access to the proxies and settings they share."""

    @property
    def config(self) -> ConfigProxy:
        return self.facade.retrieve_proxy(ConfigProxy.NAME)

    @property
    def settings(self) -> Settings:
        return self.config.settings

    def stop_work(self, session_id: str) -> None:
        """Stop whatever runs for the session on this node (encode, upload, processing watch), so
        nothing of it touches the session's files afterwards. Stopping what does not run is harmless."""
        for stop in (n.STOP_ENCODER, n.STOP_UPLOAD, n.STOP_WATCHING_PROCESSING):
            self.send_notification(stop, SessionRef(session_id))

    def announce_video(self, session: Session, path: Path, frames: int) -> None:
        """The session's video is published at ``path``: tell its client (the caller makes the move on)."""
        spec = session.spec
        built = VideoBuilt(
            session.owner_sid,
            session_id=session.id,
            url=f"/videos/{session.id}.{spec.video_extension}",
            bytes=path.stat().st_size,
            frames=frames,
            duration_s=frames / spec.fps,
            width=spec.width,
            height=spec.height,
        )
        log.info("session %s: video ready, %d frames, %d bytes", session.id, built.frames, built.bytes)
        self.send_notification(n.VIDEO_BUILT, built)

    def remove_spent_spool(self, session: Session) -> None:
        """The frames a final state no longer needs leave the spool: a video made, an expiry, a failed
        upload (the video and the manifest stay for the retention). An encode that failed keeps its
        spool, for a look at what went wrong, until the retention ends."""
        upload_failed = session.state == State.FAILED and (session.error or {}).get("code") in (UPLOAD_FAILED, UPLOAD_QUOTA)
        if session.state in (State.DONE, State.EXPIRED) or upload_failed:
            self.frames.remove_frames(session)

    def require_disk(self, incoming: int) -> None:
        """Refuse new data before the disk fills, rather than half-write it."""
        if not self.frames.has_room(incoming, self.settings.min_free_disk_bytes):
            raise ServiceError(SERVER_BUSY, "the server is short of disk space; try again later")
