"""Owns the watchers of YouTube's processing, one per uploaded video, and reports what they learn."""

from __future__ import annotations

import logging
from typing import Callable

from puremvc.interfaces import INotification

from .. import notifications as n
from ..model.vo.processing_messages import ProcessingResult, ProcessingWatch
from .components.youtube.processing_watcher import ProcessingWatcher
from .reporting_mediator import ReportingMediator

log = logging.getLogger(__name__)


class ProcessingMediator(ReportingMediator):
    """Its view component is the factory that makes a watcher."""

    NAME = "ProcessingMediator"

    def __init__(self, factory: Callable[..., ProcessingWatcher] = ProcessingWatcher) -> None:
        super().__init__(self.NAME, factory)
        self.watchers: dict[str, ProcessingWatcher] = {}

    def list_notification_interests(self) -> list[str]:
        return [n.WATCH_PROCESSING, n.STOP_WATCHING_PROCESSING]

    def handle_notification(self, notification: INotification) -> None:
        if notification.name == n.STOP_WATCHING_PROCESSING:
            watcher = self.watchers.pop(notification.body.session_id, None)
            if watcher is not None:
                watcher.stop()
            return
        watch: ProcessingWatch = notification.body
        if watch.session_id in self.watchers:
            return  # one watcher per video

        def finished(result: ProcessingResult) -> None:
            self.watchers.pop(watch.session_id, None)
            self.report(n.PROCESSING_FINISHED, result)

        watcher = self.view_component(watch, finished)
        self.watchers[watch.session_id] = watcher
        watcher.start()
        log.info("session %s: watching YouTube's processing of video %s", watch.session_id, watch.video_id)

    def on_remove(self) -> None:
        for watcher in self.watchers.values():
            watcher.stop()
        self.watchers.clear()
