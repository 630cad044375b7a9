"""Owns the encode supervisors, one per session, and the encoder slots they share."""

from __future__ import annotations

import logging
import sys

import eventlet
import eventlet.semaphore
from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.encoder_messages import EncodeJob, EncoderProgress, EncoderResult
from .components.encoding.encode_supervisor import EncodeSupervisor
from .components.greenlets import Pulse
from ..settings import Settings
from .session_workers_mediator import SessionWorkersMediator

log = logging.getLogger(__name__)


class EncoderMediator(SessionWorkersMediator):
    """Its view component is the class of its workers, the encode supervisors.

    At most ``max_concurrent_encodes`` supervisors run ffmpeg at once: each takes a slot
    when its session's frame 0 is in, and gives it back when its encode ends or is stopped;
    the others wait their turn in order, in their own greenlets. A session that copies the
    stream its client encoded (``h264``) takes no such slot: its ffmpeg needs a few percent of a
    core, and ``--max-sessions`` already bounds how many there are.
    """

    NAME = "EncoderMediator"

    def __init__(self, settings: Settings) -> None:
        super().__init__(self.NAME, EncodeSupervisor)
        self.workers: dict[str, EncodeSupervisor] = {}
        self.slots = eventlet.semaphore.Semaphore(settings.max_concurrent_encodes)
        self.copy_slots = eventlet.semaphore.Semaphore(sys.maxsize)  # never waited for
        self._one_finished = Pulse()

    def list_notification_interests(self) -> list[str]:
        return [n.START_ENCODER, n.FRAME_STORED, n.END_ENCODER_INPUT, n.WAIT_FOR_ENCODER, n.STOP_ENCODER]

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

        def finished(result: EncoderResult) -> None:
            self.worker_finished(job.session_id)
            self.report(n.ENCODER_FINISHED, result)
            self._one_finished.fire()

        slots = self.copy_slots if job.copies_stream else self.slots
        supervisor = self.view_component(job, slots, progressed, finished)
        self.start_worker(job.session_id, supervisor)
        log.info("session %s: encoder ready (%dx%d %s @ %d fps), it starts on frame 0", job.session_id, job.width,
                 job.height, job.format, job.fps)
