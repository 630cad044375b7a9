"""Rebinds a session to the connection that shows its resume token, after a disconnect or a restart.

Resuming here starts no work: a live session's encoder and upload already run (or wait) on their
own. In a cluster, a session this node does not hold is taken over first: its holder is asked
to let go (or its claim lapses), and the work starts again here by the ``takeover`` transition.
"""

from __future__ import annotations

import hmac
from typing import Any

from ..errors import UNAUTHORIZED, UNKNOWN_SESSION, ServiceError
from ..model.cluster_proxy import ClusterProxy
from ..model.vo.lifecycle import Event
from ..model.vo.requests import ResumeSessionRequest
from ..model.vo.session import Session
from .request_command import RequestCommand


class ResumeSessionCommand(RequestCommand):
    def handle(self, request: ResumeSessionRequest) -> dict[str, Any]:
        session = self.sessions.find(request.session_id) or self._take_over(request)
        self._check_token(session, request)
        session.owner_sid = request.sid
        session.touch()
        self.sessions.transition(session, Event.RESUME)
        return {
            **session.counts(),
            "state": session.state,
            "frames_received": session.frames_received.ranges(),
            "audio_received_bytes": session.audio_received_bytes,
        }

    def _take_over(self, request: ResumeSessionRequest) -> Session:
        """The session from the shared folder, held by this node from now on (a cluster only)."""
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        session = self.sessions.load(request.session_id) if cluster.enabled else None
        if session is None:
            raise ServiceError(UNKNOWN_SESSION, f"there is no session {request.session_id!r} to resume")
        self._check_token(session, request)  # a wrong token moves nothing
        if session.is_final:
            self.sessions.take_in(session)
            return session
        # 1. Claim it; the holder lets go, so what its manifest says now is final.
        fence = cluster.take_over(session.id, session.fence)
        session = self.sessions.load(session.id) or session
        if session.is_final:  # it finished while its holder let go: nothing left to take over
            cluster.give_back(session.id)
            self.sessions.take_in(session)
            return session
        # 2. The spool is the truth; the work starts again here.
        self.frames.reload(session)
        self.sessions.take_in(session, fence)
        session.owner_sid = request.sid
        self.sessions.transition(session, Event.TAKEOVER)
        return session

    @staticmethod
    def _check_token(session: Session, request: ResumeSessionRequest) -> None:
        if not hmac.compare_digest(session.resume_token.encode(), request.resume_token.encode()):
            raise ServiceError(UNAUTHORIZED, "the resume token does not match this session")
