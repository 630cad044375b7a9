"""python-socketio's server, closing connections that misbehave at the protocol level.

Stock python-socketio logs a malformed packet and keeps the connection open, buffers as
many binary attachments as a packet announces (up to 9,999,999,999), and keeps an
Engine.IO session that never connects a namespace forever. The official protocol test
suites expect a close in each case; so do we. Only the offending connection is closed.

It also reads a connection's socket as fast as the client writes, starting a greenlet per
event: a client that ignores ``window`` is buffered without bound (1.3 GB for 150 frames of
8.3 MB). Here the events named in ``windowed_events`` count against a window per
connection, and the greenlet that reads the connection waits while the window is full.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio
from socketio import packet

from .frame_window import FrameWindow

log = logging.getLogger(__name__)

BINARY_PACKET_TYPES = ("5", "6")  # BINARY_EVENT, BINARY_ACK
MAX_ATTACHMENTS = 1  # a frame or an audio chunk: one binary field per event


def announced_attachments(data: Any) -> int:
    """How many binary attachments a Socket.IO packet header announces (``51-[...]`` is one)."""
    if not isinstance(data, str) or not data.startswith(BINARY_PACKET_TYPES):
        return 0
    count, dash, _ = data[1:12].partition("-")
    return int(count) if dash and count.isdigit() else 0


def event_name(data: Any) -> str | None:
    """The name of a decoded event packet's event (its first element, a string), or None."""
    name = data[0] if isinstance(data, list) and data else None
    return name if isinstance(name, str) else None


class HardenedServer(socketio.Server):
    def __init__(self, *args: Any, connect_timeout_s: float, frame_window: FrameWindow, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connect_timeout_s = connect_timeout_s
        self.frame_window = frame_window
        self.windowed_events: set[str] = set()

    def _handle_eio_connect(self, eio_sid: str, environ: dict) -> Any:
        result = super()._handle_eio_connect(eio_sid, environ)
        self.start_background_task(self._require_namespace, eio_sid)
        return result

    def _require_namespace(self, eio_sid: str) -> None:
        """A timer, not a synchronisation: close the transport if no namespace was connected in time."""
        self.sleep(self.connect_timeout_s)
        connected = any(self.manager.sid_from_eio_sid(eio_sid, namespace) for namespace in self.manager.get_namespaces())
        if eio_sid in self.environ and not connected:
            self._close(eio_sid, f"no namespace connected within {self.connect_timeout_s} s")

    def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        attachments = announced_attachments(data) if eio_sid not in self._binary_packet else 0
        if attachments > MAX_ATTACHMENTS:
            self._close(eio_sid, f"a packet announced {attachments} binary attachments (at most {MAX_ATTACHMENTS})")
            return
        try:
            super()._handle_eio_message(eio_sid, data)
        except Exception as error:  # decoding failed: the packet, not our handlers (they run in their own tasks)
            self._close(eio_sid, f"malformed Socket.IO packet ({error})")
            return
        self._hold_attachment(eio_sid)

    def _hold_attachment(self, eio_sid: str) -> None:
        """A windowed event's header arrived: wait for room before its attachment is read.

        So the window bounds the frames in memory, not the frames plus the one being read.
        """
        pending = self._binary_packet.get(eio_sid)
        if pending is not None and pending.packet_type == packet.BINARY_EVENT and self._windowed(pending.data):
            self.frame_window.wait_for_room(eio_sid)

    def _windowed(self, data: Any) -> bool:
        return event_name(data) in self.windowed_events

    def _handle_event(self, eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        """Called in the greenlet that reads the connection: counting here, waiting here, stops the reading."""
        namespace = namespace or "/"
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        if self._windowed(data) and self.manager.is_connected(sid, namespace):  # the same test super() dispatches on
            self.frame_window.wait_for_room(eio_sid)
            self.frame_window.enter(eio_sid)
        super()._handle_event(eio_sid, namespace, id, data)

    def _handle_event_internal(self, server: Any, sid: str, eio_sid: str, data: Any, namespace: str, id: Any) -> None:
        """Runs the handler and queues its ack; only then does the event leave the window."""
        try:
            super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)
        finally:
            if self._windowed(data):
                self.frame_window.leave(eio_sid)

    def _close(self, eio_sid: str, reason: str) -> None:
        log.warning("closing connection %s: %s", eio_sid, reason)
        self._binary_packet.pop(eio_sid, None)
        self.eio.disconnect(eio_sid)
