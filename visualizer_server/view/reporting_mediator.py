"""Base of the mediators whose components work in background greenlets and report back."""

from __future__ import annotations

import logging

from puremvc.patterns.mediator import Mediator

log = logging.getLogger(__name__)


class ReportingMediator(Mediator):
    def report(self, name: str, body: object) -> None:
        """Send a fact from a component's greenlet, where an exception would vanish: log it instead."""
        try:
            self.send_notification(name, body)
        except Exception:
            log.exception("handling %s for session %s failed", name, getattr(body, "session_id", "?"))
