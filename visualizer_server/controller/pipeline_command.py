"""Base of the pipeline's commands: typed access to the proxies and settings they share."""

from __future__ import annotations

from puremvc.patterns.command import SimpleCommand

from .. import notifications as n
from ..errors import SERVER_BUSY, UPLOAD_FAILED, UPLOAD_QUOTA, ServiceError
from ..model.config_proxy import ConfigProxy
from ..model.vo.events import SessionRef
from ..model.vo.lifecycle import State
from ..model.vo.session import Session
from ..settings import Settings
from .model_access import ModelAccess


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
