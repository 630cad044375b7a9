"""Base of the mediators whose components work in background greenlets and report back."""

from __future__ import annotations

import logging

from puremvc.patterns.mediator import Mediator

from .. import notifications as n
from ..errors import INTERNAL, ServiceError
from ..model.session_proxy import SessionProxy
from ..model.vo.events import SessionFault, SessionRef

log = logging.getLogger(__name__)


class ReportingMediator(Mediator):
    def report(self, name: str, body: object) -> None:
        """Send a fact from a component's greenlet, where an exception would vanish.

        A failure while handling it fails that session (with ``internal``), so whatever the
        session held is released and its client hears why, instead of waiting for ever.
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
