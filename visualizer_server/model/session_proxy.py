"""The live sessions, and their manifests on disk."""

from __future__ import annotations

import json
import logging
import secrets
import time
from pathlib import Path

from puremvc.patterns.proxy import Proxy

from .. import notifications as n
from ..errors import UNAUTHORIZED, UNKNOWN_SESSION, ServiceError
from .files import atomic_write, is_session_id, new_session_id
from .vo.events import ProgressReport, SessionFailure
from .vo.session import FAILED, UPLOADING, Session, SessionSpec

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.25

MANIFEST_NAME = "manifest.json"


class SessionProxy(Proxy):
    """Sessions by id. Every session has a folder ``<work_dir>/<id>/`` with its manifest."""

    NAME = "SessionProxy"

    def __init__(self, work_dir: Path) -> None:
        super().__init__(self.NAME, {})
        self.work_dir = work_dir
        self.work_dir.mkdir(parents=True, exist_ok=True)

    @property
    def sessions(self) -> dict[str, Session]:
        return self.data

    def session_dir(self, session_id: str) -> Path:
        return self.work_dir / session_id

    def create(self, spec: SessionSpec, owner_sid: str) -> Session:
        session = Session(
            id=new_session_id(),
            resume_token=secrets.token_urlsafe(24),
            spec=spec,
            owner_sid=owner_sid,
            created_at=time.time(),
        )
        self.session_dir(session.id).mkdir(parents=True)
        self.sessions[session.id] = session
        self.save(session)
        return session

    def restore(self) -> list[Session]:
        """Load every manifest a previous run left in the work folder (a crash included)."""
        restored = []
        for path in sorted(self.work_dir.glob(f"*/{MANIFEST_NAME}")):
            try:
                session = Session.from_manifest(json.loads(path.read_text()))
            except (ValueError, KeyError, TypeError) as error:
                log.warning("ignoring %s: not a readable session manifest (%s)", path, error)
                continue
            self.sessions[session.id] = session
            restored.append(session)
        return restored

    def save(self, session: Session) -> None:
        """Write the manifest atomically; called on every change of state, not per frame."""
        data = json.dumps(session.manifest(), indent=2).encode()
        atomic_write(self.session_dir(session.id) / MANIFEST_NAME, data)

    def find(self, session_id: str) -> Session | None:
        return self.sessions.get(session_id) if is_session_id(session_id) else None

    def find_live(self, session_id: str) -> Session | None:
        """The session if it still goes on: pipeline steps of a finished or forgotten one do nothing."""
        session = self.find(session_id)
        return None if session is None or session.is_final else session

    def owned(self, session_id: str, sid: str) -> Session:
        """The session, if it exists and this connection owns it; otherwise the contract error."""
        session = self.find(session_id)
        if session is None:
            raise ServiceError(UNKNOWN_SESSION, f"there is no session {session_id!r}; start one first")
        if session.owner_sid != sid:
            raise ServiceError(UNAUTHORIZED, "this session belongs to another connection; resume it with its token")
        return session

    def live(self) -> list[Session]:
        return [session for session in self.sessions.values() if not session.is_final]

    def encoding(self) -> list[Session]:
        """Sessions holding an encoder slot: encoder started and not yet past the build (an upload holds none)."""
        return [session for session in self.live() if session.encoder_started and session.state != UPLOADING]

    def next_waiting_for_encoder(self) -> Session | None:
        waiting = [session for session in self.live() if session.waiting_for_encoder]
        return min(waiting, key=lambda session: session.created_at, default=None)

    def owned_by(self, sid: str) -> list[Session]:
        return [session for session in self.sessions.values() if session.owner_sid == sid]

    def forget(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)

    def health(self) -> dict[str, object]:
        """The ``/healthz`` body: live sessions and running encoders."""
        return {"status": "ok", "sessions": len(self.live()), "encoders": len(self.encoding())}

    def report_progress(self, session: Session, force: bool = False) -> None:
        """Tell the owner how far the session is; at most four times a second unless ``force``."""
        now = time.monotonic()
        if not force and now - session.last_progress_at < PROGRESS_INTERVAL_S:
            return
        session.last_progress_at = now
        report = ProgressReport(session.owner_sid, **session.counts())
        self.send_notification(n.SESSION_PROGRESSED, report)

    def fail(self, session: Session, error: ServiceError) -> None:
        """Mark the session failed (its files stay for a retry or a post-mortem) and tell its owner."""
        session.state = FAILED
        session.error = error.to_dict()
        self.save(session)
        self.report_progress(session, force=True)
        self.send_notification(n.SESSION_FAILED, SessionFailure(session.owner_sid, session.id, session.error))
