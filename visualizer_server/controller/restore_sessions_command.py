"""Startup, step 3: take back the sessions a previous run left, and finish the builds it could not."""

from __future__ import annotations

import logging

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.events import BuildStep
from ..model.vo.session import UPLOADING
from ..model.vo.upload_messages import SessionRef
from .pipeline_command import PipelineCommand

log = logging.getLogger(__name__)


class RestoreSessionsCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        # Nothing is encoding yet: every partial video in the output folder is a crash's leftover.
        self.videos.discard_all_partials()
        for session in self.sessions.restore():
            if session.is_final:
                continue
            if session.state == UPLOADING:
                # The video is built; its upload continues where the previous run left it.
                self.send_notification(n.UPLOAD_VIDEO, SessionRef(session.id))
                continue
            # 1. The spool is the truth: what is on disk was acknowledged.
            indexes, audio_bytes = self.frames.find_stored(session)
            for index in indexes:
                session.frames_received.add(index)
            session.audio_received_bytes = audio_bytes
            log.info("restored session %s: %d frames, %d audio bytes, %s", session.id, len(indexes), audio_bytes,
                     "ended" if session.ended else "waiting for its client")
            # 3. An ended session has all it needs: build it now, whether or not its client comes back.
            if session.ended:
                self.send_notification(n.BUILD_VIDEO, BuildStep(session.id))
        # 4. Whatever expired or outlived its retention while the server was down goes now.
        self.send_notification(n.SWEEP)
