"""Base of the mediators that own one background worker per session (an encode, an upload, a
watch of YouTube's processing) and report what the workers do."""

from __future__ import annotations

import logging
from typing import Protocol

from puremvc.patterns.mediator import Mediator

from .. import notifications as n
from ..errors import INTERNAL, ServiceError
from ..model.session_proxy import SessionProxy
from ..model.vo.events import SessionFault, SessionRef

log = logging.getLogger(__name__)


class Worker(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


class SessionWorkersMediator(Mediator):
    """One worker per session at most: ``start_worker`` keeps it until it finishes or is stopped;
    removing the mediator stops them all (a shutdown: every session stays resumable)."""

    def __init__(self, name: str, worker_class: type) -> None:
        super().__init__(name, worker_class)
        self.workers: dict[str, Worker] = {}

    def start_worker(self, session_id: str, worker: Worker) -> None:
        self.workers[session_id] = worker
        worker.start()

    def stop_worker(self, session_id: str) -> None:
        """Stop the session's worker; stopping what does not run is harmless."""
        worker = self.workers.pop(session_id, None)
        if worker is not None:
            worker.stop()

    def worker_finished(self, session_id: str) -> None:
        self.workers.pop(session_id, None)

    def on_remove(self) -> None:
        for worker in self.workers.values():
            worker.stop()
        self.workers.clear()

    def report(self, name: str, body: object) -> None:
        """Send a fact from a worker's greenlet, where an exception would vanish.

        A failure while handling it fails that session (with ``internal``), so the
        session is cleaned up and its client hears why, instead of waiting for ever.
        """
        session_id = getattr(body, "session_id", None)
        try:
            self.send_notification(name, body)
        except Exception:
            log.exception("handling %s for session %s failed; failing the session", name, session_id)
            if session_id is not None:
                message = "the server failed while working on this session; the error is in its log"
                self._fail(session_id, ServiceError(INTERNAL, message))

    def _fail(self, session_id: str, error: ServiceError) -> None:
        """Fail the session, or, when another node has taken it (a cluster), let it go instead:
        the node that holds it now carries it on, and this one must stop its work."""
        sessions: SessionProxy = self.facade.retrieve_proxy(SessionProxy.NAME)
        session = sessions.find(session_id)
        taken = session is not None and not sessions.still_held(session)
        try:
            if taken:
                self.send_notification(n.LET_GO_OF_SESSION, SessionRef(session_id))
            else:
                self.send_notification(n.FAIL_SESSION, SessionFault(session_id, error))
        except Exception:
            log.exception("failing session %s failed too", session_id)
