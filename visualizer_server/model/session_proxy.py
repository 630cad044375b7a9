"""The live sessions, and their manifests on disk."""

from __future__ import annotations

import json
import logging
import secrets
import time
from pathlib import Path

import eventlet
from puremvc.patterns.proxy import Proxy

from .. import notifications as n
from ..errors import SERVER_BUSY, UNAUTHORIZED, UNKNOWN_SESSION, ServiceError
from .files import (
    FENCE_NAME,
    MANIFEST_NAME,
    atomic_write,
    busy_when_disk_full,
    check_fence,
    holds_fence,
    is_session_id,
    new_session_id,
    read_fence,
)
from .vo.events import ProgressReport, SessionChange
from .vo.lifecycle import ASKED_EVENTS, Event, next_state
from .vo.session import Session, SessionSpec

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.25


class SessionProxy(Proxy):
    """Sessions by id. Every session has a folder ``<work_dir>/<id>/`` with its manifest.

    ``transition`` is the only way a session changes state: it checks the lifecycle table,
    saves the manifest and announces SESSION_CHANGED, from which everything else follows.
    """

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
        self._created(session)
        return session

    def transition(self, session: Session, event: str, error: ServiceError | None = None) -> None:
        """Move ``session`` by ``event`` (``conflict`` if the lifecycle has no such move), save, announce.

        ``error`` is what a ``fail`` or ``expire`` tells the client. A move whose manifest cannot
        be saved does not happen when another node took the session (a cluster), nor, on a full
        disk, for ``end`` (``ASKED_EVENTS``: the client is told ``server_busy``). Other moves happen
        on a full disk too, and are saved later (``save_unsaved``).
        """
        before, before_error = session.state, session.error
        session.state = next_state(before, event)
        if error is not None:
            session.error = error.to_dict()
        try:
            if event in ASKED_EVENTS:
                self.save(session)
            else:
                self.save_when_room(session)
        except Exception:
            session.state, session.error = before, before_error
            raise
        self.send_notification(n.SESSION_CHANGED, SessionChange(session.id, before, session.state, event))

    def _created(self, session: Session) -> None:
        self.save(session)
        self.send_notification(n.SESSION_CHANGED, SessionChange(session.id, None, session.state, Event.CREATE))

    def stored_ids(self) -> list[str]:
        """The sessions whose manifests are in the work folder (a previous run's, or another node's)."""
        return sorted(path.parent.name for path in self.work_dir.glob(f"*/{MANIFEST_NAME}") if is_session_id(path.parent.name))

    def load(self, session_id: str) -> Session | None:
        """A session as its manifest on disk has it, without taking it in (None if there is none)."""
        path = self.session_dir(session_id) / MANIFEST_NAME
        if not is_session_id(session_id) or not path.is_file():
            return None
        try:
            session = Session.from_manifest(json.loads(path.read_text()))
        except (ValueError, KeyError, TypeError) as error:
            log.warning("ignoring %s: not a readable session manifest (%s)", path, error)
            return None
        # The fence file is written at each claim, the manifest only at the next change of state.
        session.fence = max(session.fence, read_fence(path.parent))
        return session

    def take_in(self, session: Session, fence: int | None = None) -> None:
        """Hold a loaded session here; ``fence``: this node's new claim, written beside the manifest."""
        if fence is not None:
            session.fence = fence
            atomic_write(self.session_dir(session.id) / FENCE_NAME, str(fence).encode())
        self.sessions[session.id] = session

    def still_held(self, session: Session) -> bool:
        """False once another node has taken the session over (its fencing number is higher)."""
        return holds_fence(self.session_dir(session.id), session.fence)

    def save(self, session: Session) -> None:
        """Write the manifest atomically; called on every change of state, not per frame."""
        folder = self.session_dir(session.id)
        check_fence(folder, session.fence)
        with busy_when_disk_full():
            atomic_write(folder / MANIFEST_NAME, json.dumps(session.manifest(), indent=2).encode())
        session.unsaved = False

    def save_when_room(self, session: Session) -> None:
        """Save, or on a full disk leave the save to the sweep (``unsaved``): for what a restart can
        come back from without it (a state before, a segment whose file is the truth)."""
        try:
            self.save(session)
        except ServiceError as error:
            if error.code != SERVER_BUSY:
                raise
            session.unsaved = True
            log.warning("session %s: the disk is full; its manifest is written once there is room", session.id)

    def save_unsaved(self) -> None:
        """Write the manifests a full disk kept from being written, where there is room now. One
        another node took meanwhile (a cluster) is left as it is, unsaved no more."""
        for session in [session for session in self.sessions.values() if session.unsaved]:
            try:
                self.save(session)
            except ServiceError as error:
                session.unsaved = error.code == SERVER_BUSY  # still full; a lost fence is never saved here
                log.debug("session %s: its manifest cannot be written (%s)", session.id, error)
            except OSError as error:  # its folder removed meanwhile (a cancel, the retention)
                session.unsaved = False
                log.debug("session %s: its manifest cannot be written (%s)", session.id, error)

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

    def held(self) -> list[Session]:
        """The sessions whose work runs on this node: live ones, and finished uploads whose
        processing YouTube has not reported yet (in a cluster, this node's claim covers them)."""
        return [session for session in self.sessions.values() if not session.is_final or session.awaits_processing]

    def live(self) -> list[Session]:
        return [session for session in self.sessions.values() if not session.is_final]

    def owned_by(self, sid: str) -> list[Session]:
        return [session for session in self.sessions.values() if session.owner_sid == sid]

    def live_owned_by(self, sid: str) -> list[Session]:
        """The sessions of one connection that still go on: finished ones do not count against its limit."""
        return [session for session in self.owned_by(sid) if not session.is_final]

    def live_from(self, address: str) -> list[Session]:
        """The sessions still going on that a client at ``address`` started."""
        return [session for session in self.live() if session.client_address == address]

    def forget(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)


    def report_progress(self, session: Session, force: bool = False) -> None:
        """Tell the owner how far the session is: at once when ``force`` or when the last report is a
        quarter of a second old; else once that quarter is over, with the counts of then. A report
        is never just dropped: the last one of a burst (a segment kept, then nothing until the end)
        would otherwise never reach the client."""
        if force or self._progress_wait_s(session) <= 0:
            self._send_progress(session)
            return
        session.progress_due = True
        if not session.progress_timer:
            session.progress_timer = True
            eventlet.spawn_after(self._progress_wait_s(session), self._send_due_progress, session)

    @staticmethod
    def _progress_wait_s(session: Session) -> float:
        return session.last_progress_at + PROGRESS_INTERVAL_S - time.monotonic()

    def _send_due_progress(self, session: Session) -> None:
        """The timer of a held-back report: sends it, or waits on when a forced one went out meanwhile."""
        session.progress_timer = False
        if not session.progress_due or self.find_live(session.id) is not session:
            return
        try:
            self.report_progress(session)
        except Exception:  # noqa: BLE001 - a timer's greenlet has no caller to tell
            log.exception("session %s: a progress report failed", session.id)

    def _send_progress(self, session: Session) -> None:
        session.progress_due = False
        session.last_progress_at = time.monotonic()
        report = ProgressReport(session.owner_sid, **session.counts())
        self.send_notification(n.SESSION_PROGRESSED, report)
