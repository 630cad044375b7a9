"""The encode ended: publish the checked video and move on (upload or done), or fail the session."""

from __future__ import annotations

import logging

from puremvc.interfaces import INotification

from .. import notifications as n
from ..errors import ENCODE_FAILED, ServiceError
from ..model.vo.encoder_messages import EncoderResult
from ..model.vo.events import SessionRef
from ..model.vo.lifecycle import Event
from .pipeline_command import PipelineCommand

log = logging.getLogger(__name__)


class FinishVideoCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        result: EncoderResult = notification.body
        session = self.sessions.find_live(result.session_id)
        if session is None:
            return
        session.frames_encoded = result.frames_encoded
        # 0. In a cluster, a node that lost its claim meanwhile publishes nothing: the holder builds it.
        if not self.sessions.still_held(session):
            self.send_notification(n.LET_GO_OF_SESSION, SessionRef(session.id))
            return
        # 1. The supervisor gave up: the client hears what happened, the log keeps ffmpeg's words and paths.
        if not result.ok:
            log.warning("session %s: the encode failed: %s; ffmpeg's last words: %s", session.id, result.reason,
                        " | ".join(result.error_lines) or "none")  # fmt: skip
            message = f"{result.reason or 'the encode failed'}; what was received is kept on the server, whose log says more"
            self.sessions.transition(session, Event.FAIL, ServiceError(ENCODE_FAILED, message))
            return
        # 2. Only a checked video gets its final name, and only then is it announced.
        path = self.videos.publish(session.id, session.spec.video_extension, result.output_path)
        self.announce_video(session, path, result.frames_encoded)
        self.sessions.transition(session, Event.UPLOAD if session.spec.upload else Event.BUILT)
