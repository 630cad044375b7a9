"""Owns the watchers of YouTube's processing, one per uploaded video, and reports what they learn."""

from __future__ import annotations

import logging
from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.processing_messages import ProcessingResult, ProcessingWatch
from ..settings import Settings
from .components.youtube.processing_watcher import ProcessingWatcher
from .session_workers_mediator import SessionWorkersMediator

log = logging.getLogger(__name__)


class ProcessingMediator(SessionWorkersMediator):
    """Its view component is the class of its workers."""

    NAME = "ProcessingMediator"

    def __init__(self, settings: Settings) -> None:
        super().__init__(self.NAME, ProcessingWatcher)

    def list_notification_interests(self) -> list[str]:
        return [n.WATCH_PROCESSING, n.STOP_WATCHING_PROCESSING]

    def handle_notification(self, notification: INotification) -> None:
        if notification.name == n.STOP_WATCHING_PROCESSING:
            self.stop_worker(notification.body.session_id)
            return
        watch: ProcessingWatch = notification.body
        if watch.session_id in self.workers:
            return  # one watcher per video

        def finished(result: ProcessingResult) -> None:
            self.worker_finished(watch.session_id)
            self.report(n.PROCESSING_FINISHED, result)

        self.start_worker(watch.session_id, self.view_component(watch, finished))
        log.info("session %s: watching YouTube's processing of video %s", watch.session_id, watch.video_id)
