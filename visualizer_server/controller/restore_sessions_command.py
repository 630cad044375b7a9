"""Startup, step 3: take back the sessions a previous run left, each by its ``restart`` transition.

Taking a session back only reads its manifest and lists its spool; the encode and the upload
then start again in their own greenlets (from the spool, from the saved upload session).
"""

from __future__ import annotations

import logging

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.lifecycle import RESTART
from .pipeline_command import PipelineCommand

log = logging.getLogger(__name__)


class RestoreSessionsCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        # Nothing is encoding yet: every partial video in the output folder is a crash's leftover.
        self.videos.discard_all_partials()
        for session in self.sessions.restore():
            if session.is_final:
                continue
            # 1. The spool is the truth: what is on disk was acknowledged.
            indexes, audio_bytes = self.frames.find_stored(session)
            for index in indexes:
                session.frames_received.add(index)
            session.audio_received_bytes = audio_bytes
            log.info("restored session %s (%s): %d frames, %d audio bytes", session.id, session.state, len(indexes),
                     audio_bytes)
            # 2. Its work starts again from where the state says.
            self.sessions.transition(session, RESTART)
        # 3. Whatever expired or outlived its retention while the server was down goes now.
        self.send_notification(n.SWEEP)
