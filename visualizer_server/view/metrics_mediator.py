"""Counts what the pipeline reports, for ``GET /metrics``. It only listens; it never sends."""

from __future__ import annotations

from collections import Counter

from puremvc.interfaces import INotification
from puremvc.patterns.mediator import Mediator

from .. import notifications as n
from ..errors import BAD_FRAME
from ..model.cluster_proxy import ClusterProxy
from ..model.session_proxy import SessionProxy
from ..settings import Settings
from .components.metrics import Metrics
from .encoder_mediator import EncoderMediator


class MetricsMediator(Mediator):
    NAME = "MetricsMediator"

    def __init__(self, settings: Settings) -> None:
        super().__init__(self.NAME)  # its Metrics are made on registration: they read the proxies

    def on_register(self) -> None:
        sessions: SessionProxy = self.facade.retrieve_proxy(SessionProxy.NAME)
        cluster: ClusterProxy = self.facade.retrieve_proxy(ClusterProxy.NAME)
        self.view_component = Metrics(
            sessions_by_state=lambda: dict(Counter(session.state for session in sessions.sessions.values())),
            encoders=self._running_encoders,
            node=cluster.node if cluster.enabled else None,
            redis_up=(lambda: cluster.reachable) if cluster.enabled else None,
        )

    def _running_encoders(self) -> int:
        encoders = self.facade.retrieve_mediator(EncoderMediator.NAME)
        return encoders.running() if encoders is not None else 0

    @property
    def metrics(self) -> Metrics:
        return self.view_component

    def list_notification_interests(self) -> list[str]:
        return [n.FRAME_STORED, n.REQUEST_REFUSED, n.ENCODER_FINISHED, n.UPLOAD_FINISHED, n.VIDEO_BUILT,
                n.SESSION_FAILED]

    def handle_notification(self, notification: INotification) -> None:
        body, metrics = notification.body, self.metrics
        if notification.name == n.FRAME_STORED:
            metrics.frames.inc()
            metrics.bytes.inc(body.bytes)
        elif notification.name == n.REQUEST_REFUSED:
            metrics.refused.labels(body.code).inc()
            if body.code == BAD_FRAME:
                metrics.bad_frames.inc()
        elif notification.name == n.ENCODER_FINISHED:
            metrics.encode_seconds.observe(body.duration_s)
        elif notification.name == n.UPLOAD_FINISHED:
            metrics.upload_seconds.observe(body.duration_s)
        elif notification.name == n.VIDEO_BUILT:
            metrics.videos.inc()
        elif notification.name == n.SESSION_FAILED:
            metrics.failures.labels(body.error["code"]).inc()
