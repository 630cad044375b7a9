"""A python-socketio client that records every event the server sends, for the tests."""

from __future__ import annotations

import threading
from typing import Any, Callable

import socketio

from visualizer_server.client.sender import CLIENT_OPTIONS

EVENT_TIMEOUT_S = 60


class RecordingClient:
    """Every one made is in ``made``, so the integration harness can tell one left connected by its test."""

    made: set[RecordingClient] = set()

    def __init__(self, url: str, auth: dict[str, Any] | None = None) -> None:
        RecordingClient.made.add(self)
        self.sio = socketio.Client(reconnection=False, **CLIENT_OPTIONS)  # no Origin, as the CLI: through a proxy too
        self.events: dict[str, list[Any]] = {}
        self._arrived = threading.Condition()
        for name in ("test", "progress", "video_ready", "session_failed", "upload_complete", "youtube_processed"):
            self.sio.on(name, self._recorder(name))
        self.sio.connect(url, transports=["websocket"], auth=auth, wait_timeout=10)

    def _recorder(self, name: str):
        def record(payload: Any = None) -> None:
            with self._arrived:
                self.events.setdefault(name, []).append(payload)
                self._arrived.notify_all()

        return record

    def wait_for(self, name: str, timeout: float = EVENT_TIMEOUT_S) -> Any:
        """The first ``name`` event, waiting for it to arrive."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: self.events.get(name), timeout):
                raise AssertionError(f"no {name!r} event within {timeout} s; got {list(self.events)}")
            return self.events[name][0]

    def wait_for_stage(self, stage: str, timeout: float = EVENT_TIMEOUT_S) -> dict[str, Any]:
        """The first ``progress`` event of ``stage``, waiting for it to arrive."""
        return self.wait_for_progress(lambda report: report["stage"] == stage, f"of stage {stage!r}", timeout)

    def wait_for_progress(self, wanted: Callable[[dict[str, Any]], bool], what: str = "as wanted",
                          timeout: float = EVENT_TIMEOUT_S) -> dict[str, Any]:  # fmt: skip
        """The first ``progress`` event that is ``wanted``, waiting for it to arrive."""
        def reached() -> Any:
            return next((report for report in self.events.get("progress", []) if wanted(report)), None)

        with self._arrived:
            if not self._arrived.wait_for(reached, timeout):
                raise AssertionError(f"no progress {what} within {timeout} s")
            return reached()

    def resume_until(self, session_id: str, token: str, event: str) -> dict[str, Any]:
        """Resume the session on this connection, then wait for ``event`` unless it is already done."""
        resumed = self.call("resume_session", {"session_id": session_id, "resume_token": token})
        assert resumed["ok"], resumed
        if resumed["state"] != "done":
            self.wait_for(event, timeout=180)
        return resumed

    def call(self, event: str, payload: Any = None) -> Any:
        return self.sio.call(event, payload, timeout=EVENT_TIMEOUT_S)

    def start(self, **spec: Any) -> dict[str, Any]:
        ack = self.call("start_session", spec)
        assert ack["ok"], ack
        return ack

    def send_frame(self, session_id: str, index: int, data: bytes) -> dict[str, Any]:
        return self.call("frame", {"session_id": session_id, "index": index, "data": data})

    def send_frames(self, session_id: str, frames: dict[int, bytes]) -> None:
        """Send each frame in turn (index -> image), each acknowledged ``ok``."""
        for index, data in frames.items():
            ack = self.send_frame(session_id, index, data)
            assert ack["ok"], ack

    def end(self, session_id: str, frame_count: int) -> dict[str, Any]:
        """``end_session``, acknowledged ``ok``."""
        ack = self.call("end_session", {"session_id": session_id, "frame_count": frame_count})
        assert ack["ok"], ack
        return ack

    def send_audio(self, session_id: str, data: bytes, chunk: int = 64 * 1024) -> None:
        for offset in range(0, len(data), chunk):
            ack = self.call("audio_chunk", {"session_id": session_id, "offset": offset, "data": data[offset : offset + chunk]})
            assert ack["ok"], ack

    def close(self) -> None:
        self.sio.disconnect()
