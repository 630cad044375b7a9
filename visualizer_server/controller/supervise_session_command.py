"""Runs on SESSION_CHANGED: what a session does follows from the state it enters, decided here and
only here, and done by the design card's commands.

Entering a state sends the request of its action: receiving or encoding -> BUILD_VIDEO
(``BuildVideoCommand`` starts the encoder and, once every frame is in, ends its input);
uploading, and done after an upload -> UPLOAD_VIDEO (``UploadCommand`` uploads, then watches
YouTube's processing); a final state -> CLEAN_UP_SESSION (``CleanupCommand`` stops the work and
removes what is no longer needed). No other command starts or stops a session's work.
"""

from __future__ import annotations

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.events import SessionChange
from ..model.vo.lifecycle import BACK_TO_WORK, FINAL_STATES, Event, State
from ..model.vo.session import Session
from .pipeline_command import PipelineCommand


class SuperviseSessionCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        change: SessionChange = notification.body
        session = self.sessions.find(change.session_id)
        if session is None:
            return
        # 1. The actions the new state calls for, in order (a clean-up stops all work: what starts comes after).
        for action in self._actions(change, session):
            self.send_notification(action, change)
        # 2. Tell the client where its session is now (a new one is told by its start_session answer).
        if change.event != Event.CREATE:
            self.sessions.report_progress(session, force=True)

    @staticmethod
    def _actions(change: SessionChange, session: Session) -> list[str]:
        entered, event = change.after, change.event
        actions = []
        if (entered == State.RECEIVING and event in (Event.CREATE, *BACK_TO_WORK)) or (
            entered == State.ENCODING and event in (Event.END, *BACK_TO_WORK)
        ):
            actions.append(n.BUILD_VIDEO)
        elif entered == State.UPLOADING and event in (Event.UPLOAD, *BACK_TO_WORK):
            actions.append(n.UPLOAD_VIDEO)
        elif entered in FINAL_STATES and change.before not in FINAL_STATES:
            actions.append(n.CLEAN_UP_SESSION)
        if entered == State.DONE and event != Event.RESUME and session.awaits_processing:
            actions.append(n.UPLOAD_VIDEO)  # its processing is watched: after the upload, a restart, or a takeover
        return actions
