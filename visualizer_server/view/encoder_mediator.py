"""Owns the ffmpeg processes, one per session being encoded, and reports what they do."""

from __future__ import annotations

import logging
from typing import Callable

import eventlet
from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.encoder_messages import EncodeJob, EncoderProgress, EncoderResult
from .components.ffmpeg_encoder import FfmpegEncoder
from .components.pulse import Pulse
from .reporting_mediator import ReportingMediator

log = logging.getLogger(__name__)

EncoderFactory = Callable[..., FfmpegEncoder]


class EncoderMediator(ReportingMediator):
    """Its view component is the factory that makes an encoder (tests may pass another)."""

    NAME = "EncoderMediator"

    def __init__(self, factory: EncoderFactory = FfmpegEncoder) -> None:
        super().__init__(self.NAME, factory)
        self.encoders: dict[str, FfmpegEncoder] = {}
        self._one_finished = Pulse()

    def list_notification_interests(self) -> list[str]:
        return [n.START_ENCODER, n.ENCODE_FRAME, n.FINISH_ENCODER, n.STOP_ENCODER]

    def handle_notification(self, notification: INotification) -> None:
        body = notification.body
        if notification.name == n.START_ENCODER:
            self._start(body)
            return
        encoder = self.encoders.get(body.session_id)
        if encoder is None:
            return
        if notification.name == n.ENCODE_FRAME:
            encoder.feed(body)
            encoder.wait_for_room()  # back-pressure: the frame's ack waits while ffmpeg is behind
        elif notification.name == n.FINISH_ENCODER:
            encoder.finish(body)
        elif notification.name == n.STOP_ENCODER:
            self.encoders.pop(body.session_id).stop()

    def drain(self, timeout_s: float) -> None:
        """Let the encodes of ended sessions finish, for at most ``timeout_s``; the rest are stopped
        by ``on_remove`` and done again from the spool after the restart."""
        with eventlet.Timeout(timeout_s, False):
            while any(encoder.finishing for encoder in self.encoders.values()):
                self._one_finished.wait()

    def on_remove(self) -> None:
        for encoder in self.encoders.values():
            encoder.stop()
        self.encoders.clear()

    def _start(self, job: EncodeJob) -> None:
        def progressed(frames: int) -> None:
            self.report(n.ENCODER_PROGRESSED, EncoderProgress(job.session_id, frames))

        def finished(result: EncoderResult) -> None:
            self.encoders.pop(job.session_id, None)
            self.report(n.ENCODER_FINISHED, result)
            self._one_finished.fire()

        encoder = self.view_component(job, progressed, finished)
        self.encoders[job.session_id] = encoder
        encoder.start()
        log.info("session %s: encoder started (%dx%d %s @ %d fps)", job.session_id, job.width, job.height,
                 job.format, job.fps)
