"""Advances a session's encode: starts ffmpeg, feeds it frames in index order as gaps fill, closes it."""

from __future__ import annotations

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.encoder_messages import EncodeJob, FinishEncode, FrameInput
from ..model.vo.events import BuildStep
from ..model.vo.session import ENCODING, Session
from .pipeline_command import PipelineCommand


class BuildVideoCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        step: BuildStep = notification.body
        session = self.sessions.find_live(step.session_id)
        if session is None:
            return
        # 1. The first frame starts the encoder, so encoding overlaps receiving; when every
        #    encoder slot is taken, the session waits its turn (its frames wait in the spool).
        if not session.encoder_started:
            if len(self.sessions.encoding()) >= self.settings.max_concurrent_encodes:
                if not session.waiting_for_encoder:
                    session.waiting_for_encoder = True
                    self.sessions.report_progress(session, force=True)
                return
            self._start_encoder(session)
        # 2. Feed every frame that is now next in order; early frames wait in the spool.
        #    ENCODE_FRAME may block this greenlet while ffmpeg catches up, and other frames'
        #    greenlets run meanwhile: claim the index before sending, so none is fed twice.
        while session.next_frame_to_encode in session.frames_received:
            index = session.next_frame_to_encode
            session.next_frame_to_encode += 1
            data = step.fresh_data if index == step.fresh_index else None
            path = self.frames.frame_path(session, index)
            self.send_notification(n.ENCODE_FRAME, FrameInput(session.id, index, path, data))
        # 3. Once the session is ended and every frame fed, close the stream and mux the audio.
        if session.all_frames_fed and session.state != ENCODING:
            self._finish(session)

    def _start_encoder(self, session: Session) -> None:
        spec, settings = session.spec, self.settings
        job = EncodeJob(
            session_id=session.id,
            width=spec.width,
            height=spec.height,
            fps=spec.fps,
            format=spec.format,
            intermediate_path=self.frames.intermediate_path(session),
            preset=settings.x264_preset,
            crf=settings.x264_crf,
            buffer_bytes=settings.encoder_buffer_bytes,
            # Twice the client's window: ffmpeg never starves, and acks slow down beyond it.
            max_queued_frames=2 * settings.window,
        )
        session.encoder_started = True
        session.waiting_for_encoder = False
        self.send_notification(n.START_ENCODER, job)

    def _finish(self, session: Session) -> None:
        session.state = ENCODING
        self.sessions.save(session)
        audio = self.frames.audio_path(session) if session.spec.audio_size else None
        total = session.total_frames or 0
        finish = FinishEncode(session.id, self.videos.partial_path(session.id), audio, total / session.spec.fps)
        self.send_notification(n.FINISH_ENCODER, finish)
        self.sessions.report_progress(session, force=True)
