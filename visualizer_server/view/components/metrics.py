"""Prometheus metrics of one server instance (its own registry, so two servers never mix)."""

from __future__ import annotations

from typing import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .transport.connection_stats import ConnectionStats

ENCODE_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


class _LiveState(Collector):
    """Gauges read at scrape time, so they can never drift from the truth."""

    def __init__(self, sessions_by_state: Callable[[], dict[str, int]], encoders: Callable[[], int]) -> None:
        self.sessions_by_state = sessions_by_state
        self.encoders = encoders

    def collect(self) -> Iterator[GaugeMetricFamily]:
        sessions = GaugeMetricFamily("visualizer_sessions", "Sessions known to the server, by state", labels=["state"])
        for state, count in sorted(self.sessions_by_state().items()):
            sessions.add_metric([state], count)
        yield sessions
        yield GaugeMetricFamily("visualizer_ffmpeg_processes", "Encoders (ffmpeg) running", value=self.encoders())


class _Redis(Collector):
    def __init__(self, up: Callable[[], bool]) -> None:
        self.up = up

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("visualizer_redis_up", "1 while the cluster's Redis answers, 0 while it is away",
                                value=int(self.up()))  # fmt: skip


class _Connections(Collector):
    """What the connection guards did, read from their own counts at scrape time."""

    def __init__(self, stats: ConnectionStats) -> None:
        self.stats = stats

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        yield GaugeMetricFamily("visualizer_connections_open", "Open HTTP and Socket.IO connections",
                                value=self.stats.open)  # fmt: skip
        refused = CounterMetricFamily("visualizer_connections_refused", "Connections refused at a cap, by cap",
                                      labels=["cap"])  # fmt: skip
        for cap in ("per_address", "total"):
            refused.add_metric([cap], self.stats.refused[cap])
        yield refused
        yield CounterMetricFamily("visualizer_header_timeouts", "Connections closed: request headers not complete in time",
                                  value=self.stats.header_timeouts)  # fmt: skip
        yield CounterMetricFamily("visualizer_window_pauses", "Times a connection's reading stopped: window frames in progress",
                                  value=self.stats.window_pauses)  # fmt: skip


class _NodeLabelled:
    """Every sample of a registry with a ``node`` label: a cluster is scraped node by node."""

    def __init__(self, registry: CollectorRegistry, node: str) -> None:
        self.registry = registry
        self.node = node

    def collect(self) -> Iterator[Metric]:
        for family in self.registry.collect():
            family.samples = [sample._replace(labels={**sample.labels, "node": self.node}) for sample in family.samples]
            yield family


class Metrics:
    def __init__(self, sessions_by_state: Callable[[], dict[str, int]], encoders: Callable[[], int],
                 node: str | None = None, redis_up: Callable[[], bool] | None = None) -> None:
        self.node = node
        self.registry = CollectorRegistry()
        self.registry.register(_LiveState(sessions_by_state, encoders))
        self.frames = Counter("visualizer_frames_received", "Frames stored", registry=self.registry)
        self.bytes = Counter("visualizer_frame_bytes_received", "Bytes of frames stored", registry=self.registry)
        self.refused = Counter("visualizer_requests_refused", "Requests answered with an error, by code",
                               ["code"], registry=self.registry)  # fmt: skip
        self.bad_frames = Counter("visualizer_bad_frames", "Frames refused as bad_frame", registry=self.registry)
        self.videos = Counter("visualizer_videos_built", "Videos built", registry=self.registry)
        self.failures = Counter("visualizer_session_failures", "Sessions failed, by code", ["code"],
                                registry=self.registry)  # fmt: skip
        self.encode_seconds = Histogram("visualizer_encode_duration_seconds", "Encoder lifetime, first frame to video",
                                        buckets=ENCODE_BUCKETS, registry=self.registry)  # fmt: skip
        if redis_up is not None:
            self.registry.register(_Redis(redis_up))
        self.upload_seconds = Histogram("visualizer_upload_duration_seconds", "YouTube upload, start to end",
                                        buckets=ENCODE_BUCKETS, registry=self.registry)  # fmt: skip

    def watch_connections(self, stats: ConnectionStats) -> None:
        """Expose the transport's connection counts (the socket server is made after these metrics)."""
        self.registry.register(_Connections(stats))

    def render(self) -> bytes:
        """The Prometheus text exposition format."""
        return generate_latest(_NodeLabelled(self.registry, self.node) if self.node else self.registry)
