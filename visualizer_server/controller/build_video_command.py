"""BuildVideo: a receiving session gets its encoder, and once every frame is in, its input ends so
the encoder finishes the video (with its audio). Sent by ``SuperviseSessionCommand``."""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Any

from puremvc.interfaces import INotification

from .. import notifications as n
from ..errors import UPLOAD_FAILED, ServiceError
from ..model.vo.encoder_messages import EncodeJob, FinishEncode
from ..model.vo.events import SessionChange
from ..model.vo.lifecycle import BACK_TO_WORK, Event, State
from ..model.vo.session import Session
from ..view.components.encoding.video_encoders import segment_frames
from .pipeline_command import PipelineCommand

log = logging.getLogger(__name__)


class BuildVideoCommand(PipelineCommand):
    def execute(self, notification: INotification) -> None:
        change: SessionChange = notification.body
        session = self.sessions.find(change.session_id)
        if session is None:
            return
        # 0. Taken back after its finish published the video, whose move on a full disk could not
        #    record: the video is announced again from its file, not built again.
        if change.event in BACK_TO_WORK and change.after == State.ENCODING:
            video = self.videos.find(session.id, session.spec.video_extension)
            if video is not None:
                self._move_on_from(session, video)
                return
        # 1. A new session, or one this process took back, needs an encoder (it starts on frame 0).
        if change.event in (Event.CREATE, *BACK_TO_WORK):
            self._start_encoder(session)
        # 2. Every frame is in: the encoder finishes its pass and muxes the audio.
        if change.after == State.ENCODING:
            self._end_encoder_input(session)

    def _move_on_from(self, session: Session, video: Path) -> None:
        """Only a finish that checked the video gives it its final name, so a session still recorded
        as encoding or muxing with its video published lost the record of its next move: the disk
        was full for the move's save and the cleanup's, then a restart or a takeover came before the
        sweep's. The move is made again from the video. Where the spool is gone too, the cleanup of a
        final state ran: after an upload, done or failed, nobody knows which, and uploading again
        could publish the video twice, so the client is told that instead."""
        log.info("session %s: its video was published before this run; announced again, not built again", session.id)
        session.frames_encoded = session.total_frames or 0  # the finish checked that the video holds them all
        self.sessions.transition(session, Event.ENCODED)
        self.announce_video(session, video, session.frames_encoded)
        if not session.spec.upload:
            self.sessions.transition(session, Event.BUILT)
        elif self.frames.stored_segments(session):
            self.sessions.transition(session, Event.UPLOAD)  # the spool is still there: no upload ended yet
        else:
            message = ("whether the video's YouTube upload ended is not known (the server's disk was full when "
                       "it should have recorded it); the video is kept here: look on the channel before "
                       "uploading it again")
            self.sessions.transition(session, Event.FAIL, ServiceError(UPLOAD_FAILED, message))

    def _start_encoder(self, session: Session) -> None:
        spec, settings = session.spec, self.settings
        hardware_encoder = None if spec.format == "h264" else self.config.hardware_encoder_for(spec.codec)
        job = EncodeJob(
            session_id=session.id,
            width=spec.width,
            height=spec.height,
            fps=spec.fps,
            format=spec.format,
            preset=settings.x264_preset,
            crf=settings.x264_crf,
            frames=session.frames_received,
            frame_path=functools.partial(self.frames.frame_path, session),
            new_intermediate=functools.partial(self.frames.intermediate_path, session),
            buffer_bytes=settings.encoder_buffer_bytes,
            max_restarts=settings.encoder_restarts,
            codec=spec.codec,
            alpha=spec.alpha,
            hardware_encoder=hardware_encoder,
            stall_s=settings.ffmpeg_stall_s,
            finished=tuple(self.frames.stored_segments(session)),  # a restart, a takeover: never encoded again
            segment_path=functools.partial(self.frames.segment_path, session),
            prepared_audio=tuple(self.frames.stored_prepared_audio(session)),
            keep_prepared_audio=functools.partial(self.frames.keep_prepared_audio, session),
            **self._segment_length(session, hardware_encoder),
        )
        self.send_notification(n.START_ENCODER, job)
        stored = self.stored_audio(session)  # taken back with all its audio: prepared again, the finish copies it
        if stored is not None:
            self.send_notification(n.AUDIO_STORED, stored)

    def _segment_length(self, session: Session, hardware_encoder: str | None) -> dict[str, Any]:
        """How long its segments are and when an idle one closes; a client-encoded stream is one segment,
        never closed early (the client chose its key frames, so it cannot be cut elsewhere)."""
        spec, settings = session.spec, self.settings
        if spec.format == "h264":
            return {"segment_frames": sys.maxsize, "idle_close_s": None}
        length = segment_frames(spec.codec, spec.fps, settings.segment_seconds, hardware_encoder)
        return {"segment_frames": length, "idle_close_s": settings.encoder_idle_ms / 1000}

    def _end_encoder_input(self, session: Session) -> None:
        total = session.total_frames or 0
        audio = self.frames.audio_path(session) if session.spec.audio_size else None
        output = self.videos.partial_path(session.id, session.spec.video_extension)
        finish = FinishEncode(session.id, total, output, audio, total / session.spec.fps, session.spec.loudness_lufs)
        self.send_notification(n.END_ENCODER_INPUT, finish)
