"""A segment is encoded: make it durable and let its frames leave the spool."""

from __future__ import annotations

import logging

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.encoder_messages import SegmentEncoded
from ..model.vo.events import SessionRef
from .pipeline_command import PipelineCommand

log = logging.getLogger(__name__)


class KeepSegmentCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        encoded: SegmentEncoded = notification.body
        session = self.sessions.find_live(encoded.session_id)
        if session is None:
            encoded.path.unlink(missing_ok=True)
            return
        # 0. In a cluster, a node that lost its claim keeps nothing: the holder encodes the segment again.
        if not self.sessions.still_held(session):
            encoded.path.unlink(missing_ok=True)
            self.send_notification(n.LET_GO_OF_SESSION, SessionRef(session.id))
            return
        # 1. Its final name (fenced), then the manifest; its frames go: the segment holds them now.
        segment = encoded.segment
        try:
            self.frames.keep_segment(session, segment, encoded.path)
        except Exception:
            encoded.path.unlink(missing_ok=True)  # a lost fence, a folder cancelled meanwhile: no part file stays
            raise  # the encoder's report fails the session, or lets it go when another node took it
        session.segments.append([segment.first, segment.count])
        self.sessions.save_when_room(session)  # the segment's file is the truth (a restart finds it): the record can wait
        log.debug("session %s: frames %d to %d kept as a segment", session.id, segment.first, segment.end - 1)
