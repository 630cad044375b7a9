"""Owns the encode supervisors, one per session, and the encoder slots they share."""

from __future__ import annotations

import logging
import sys

import eventlet
from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.encoder_messages import EncodeJob, EncoderProgress, EncoderResult, SegmentEncoded
from ..settings import Settings
from .components.encoding.encode_supervisor import EncodeSupervisor
from .components.encoding.encoder_slots import EncoderSlots
from .components.greenlets import Pulse
from .session_workers_mediator import SessionWorkersMediator

log = logging.getLogger(__name__)


class EncoderMediator(SessionWorkersMediator):
    """Its view component is the class of its workers, the encode supervisors.

    At most ``max_concurrent_encodes`` segments are encoded at once: a supervisor takes a slot
    while it encodes a segment, gives it back when the segment ends for want of frames or another
    session waits, and the waiting ones are served in order, in their own greenlets. A session
    that copies the stream its client encoded (``h264``) takes no such slot: its ffmpeg needs a
    few percent of a core, and ``--max-sessions`` already bounds how many there are; its stream
    is one segment (the client chose its key frames, so it cannot be cut elsewhere).
    """

    NAME = "EncoderMediator"

    def __init__(self, settings: Settings) -> None:
        super().__init__(self.NAME, EncodeSupervisor)
        self.workers: dict[str, EncodeSupervisor] = {}
        self.slots = EncoderSlots(settings.max_concurrent_encodes)
        self.copy_slots = EncoderSlots(sys.maxsize)  # never waited for
        # The audio's preparations (one short ffmpeg a session, once its track is stored) take turns
        # too: sessions whose audio completes at once must not start an ffmpeg each at once.
        self.audio_slots = EncoderSlots(settings.max_concurrent_encodes)
        self._one_finished = Pulse()

    def list_notification_interests(self) -> list[str]:
        return [n.START_ENCODER, n.FRAME_STORED, n.AUDIO_STORED, n.END_ENCODER_INPUT, n.WAIT_FOR_ENCODER, n.STOP_ENCODER]

    def handle_notification(self, notification: INotification) -> None:
        body = notification.body
        if notification.name == n.START_ENCODER:
            self._start(body)
            return
        supervisor = self.workers.get(body.session_id)
        if supervisor is None:
            return
        if notification.name == n.FRAME_STORED:
            supervisor.offer(body.index, body.data)
        elif notification.name == n.AUDIO_STORED:
            supervisor.prepare_audio(body.path, body.loudness_lufs)
        elif notification.name == n.END_ENCODER_INPUT:
            supervisor.end_input(body)
        elif notification.name == n.WAIT_FOR_ENCODER:
            supervisor.wait_for(body.index, body.max_behind)
        elif notification.name == n.STOP_ENCODER:
            self.stop_worker(body.session_id)

    def running(self) -> int:
        """Encodes holding a slot (running ffmpeg) now: for /healthz and /metrics."""
        return sum(supervisor.holds_slot for supervisor in self.workers.values())

    def drain(self, timeout_s: float) -> None:
        """Let the encodes of ended sessions finish, for at most ``timeout_s``; the rest are stopped
        by ``on_remove`` and done again from the spool after the restart."""
        with eventlet.Timeout(timeout_s, False):
            while any(supervisor.finishing for supervisor in self.workers.values()):
                self._one_finished.wait()

    def _start(self, job: EncodeJob) -> None:
        if job.session_id in self.workers:
            return  # one owner per session's encode

        def progressed(progress: EncoderProgress) -> None:
            self.report(n.ENCODER_PROGRESSED, progress)

        def segment_encoded(encoded: SegmentEncoded) -> None:
            self.report(n.SEGMENT_ENCODED, encoded)

        def finished(result: EncoderResult) -> None:
            self.worker_finished(job.session_id)
            self.report(n.ENCODER_FINISHED, result)
            self._one_finished.fire()

        slots = self.copy_slots if job.copies_stream else self.slots
        supervisor = self.view_component(job, slots, progressed, finished, segment_encoded, self.audio_slots)
        self.start_worker(job.session_id, supervisor)
        made = sum(segment.count for segment in job.finished)
        log.info("session %s: encoder ready (%dx%d %s @ %d fps, segments of %d frames, %d already made), it starts "
                 "on frame %d", job.session_id, job.width, job.height, job.format, job.fps, job.segment_frames,
                 len(job.finished), made)  # fmt: skip
