"""Records how far the encoder is (and whether it waits for a slot or for disk space), and moves the session to ``muxing``
when every segment is made and the finish begins."""

from __future__ import annotations

from puremvc.interfaces import INotification

from ..model.vo.encoder_messages import EncoderProgress, EncoderStage
from ..model.vo.lifecycle import Event, State
from .pipeline_command import PipelineCommand


class EncoderProgressCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        progress: EncoderProgress = notification.body
        session = self.sessions.find_live(progress.session_id)
        if session is None:
            return
        waited = session.waiting_for_encoder, session.waiting_for_disk
        session.frames_encoded = progress.frames_encoded
        session.encoder_restarts = progress.restarts
        session.waiting_for_encoder = progress.stage == EncoderStage.QUEUED
        session.waiting_for_disk = progress.stage == EncoderStage.WAITING_FOR_DISK
        measured = session.measuring_loudness
        session.measuring_loudness = progress.measuring_loudness
        if progress.stage in (EncoderStage.MEASURING, EncoderStage.JOINING) and session.state == State.ENCODING:
            self.sessions.transition(session, Event.ENCODED)  # reports progress itself
            return
        waiting = session.waiting_for_encoder, session.waiting_for_disk
        changed = waited != waiting or measured != session.measuring_loudness
        self.sessions.report_progress(session, force=changed)
