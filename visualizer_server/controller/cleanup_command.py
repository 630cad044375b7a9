"""Ends a finished session: its frames and audio go, its video and manifest stay."""

from __future__ import annotations

from puremvc.interfaces import INotification

from ..model.vo.session import DONE
from .pipeline_command import PipelineCommand


class CleanupCommand(PipelineCommand):
    """Runs on CLEANUP_SESSION, once the video is built (and uploaded, when asked): the session is done."""

    def execute(self, notification: INotification) -> None:
        session = self.sessions.find_live(notification.body.session_id)
        if session is None:
            return
        session.state = DONE
        self.frames.remove_frames(session)
        self.sessions.save(session)
        self.sessions.report_progress(session, force=True)
