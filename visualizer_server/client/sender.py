"""Sends one session through the server: window of frames in flight, resume after a dropped connection."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import Any, Callable

import socketio

from .folder import FrameFolder

AUDIO_CHUNK_BYTES = 1024 * 1024
CALL_TIMEOUT_S = 60
CANCEL_TIMEOUT_S = 10
RECONNECT_TIMEOUT_S = 120
FINAL_STAGES = ("done", "failed", "cancelled")
CANCELLED = {"code": "cancelled", "message": "the session was cancelled"}


class SendError(Exception):
    """The server refused or the connection could not be had; the message says which."""


@dataclasses.dataclass
class Outcome:
    """What the server said about the session; ``final`` is its last word in a final stage."""

    session_id: str
    video: dict[str, Any] | None = None
    upload: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None
    final: dict[str, Any] | None = None

    @property
    def complete(self) -> bool:
        """Everything there is to hear has been heard.

        python-socketio's client runs each event in its own thread, so ``progress`` "done" may
        overtake ``video_ready`` or ``upload_complete``: wait for all that the session had. A
        session that uploaded reports the bytes it sent (never 0 for a real video).
        """
        if self.failure is not None:
            return True
        if self.final is None or self.final["stage"] != "done":
            return False  # "failed": session_failed brings the reason
        return self.video is not None and (self.upload is not None or not self.final.get("bytes_uploaded"))

    def settle(self, final: dict[str, Any]) -> None:
        """Take a progress event or a status answer in a final stage."""
        self.final = final
        if final["stage"] == "cancelled":
            self.failure = CANCELLED
        elif final["stage"] == "failed" and final.get("error"):
            self.failure = final["error"]


class SessionSender:
    """Drives one session. ``on_event(name, payload)`` sees progress for the progress bars."""

    def __init__(self, url: str, token: str | None, on_event: Callable[[str, Any], None]) -> None:
        self.url, self.token, self.on_event = url, token, on_event
        self.sio = script_client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2)
        self._connected = threading.Event()
        self._closing = False
        self._lock = threading.Condition()
        self._generation = 0  # connections made so far
        self._bound_generation = 0  # the connection the session was last started or resumed on
        self.session: dict[str, Any] | None = None
        self.acked: set[int] = set()
        self.outcome: Outcome | None = None
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", lambda reason=None: self._set_disconnected())
        self.sio.on("progress", self._recorder("progress"))
        for name in ("video_ready", "upload_complete", "session_failed"):
            self.sio.on(name, self._recorder(name))

    # connection -----------------------------------------------------------------------------
    def connect(self) -> None:
        connect(self.sio, self.url, self.token)

    def _on_connect(self) -> None:
        with self._lock:
            self._generation += 1
            self._connected.set()
            self._lock.notify_all()

    def _set_disconnected(self) -> None:
        self._connected.clear()
        with self._lock:
            self._lock.notify_all()
        if not self._closing:
            self.on_event("disconnected", None)

    @property
    def _bound(self) -> bool:
        """The session is bound to the connection we have now (not to one that dropped)."""
        return self._connected.is_set() and self._bound_generation == self._generation

    def _ensure_bound(self) -> None:
        """After a reconnect the session must be resumed on the new connection before anything else."""
        if not self._connected.wait(RECONNECT_TIMEOUT_S):
            raise SendError(f"lost the connection to {self.url} and could not get it back")
        if self._bound_generation != self._generation:
            self._resume()

    def _call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A request that survives a dropped connection: wait for the reconnect, resume, ask again."""
        while True:
            self._ensure_bound()
            try:
                return self.sio.call(event, payload, timeout=CALL_TIMEOUT_S)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                continue  # the connection dropped while we waited for the answer

    def _resume(self) -> None:
        """Bind the session to this connection and learn what the server already holds."""
        assert self.session is not None
        generation = self._generation
        request = {"session_id": self.session["session_id"], "resume_token": self.session["resume_token"]}
        try:
            ack = self.sio.call("resume_session", request, timeout=CALL_TIMEOUT_S)
            while not ack["ok"] and ack["error"]["code"] == "server_busy":
                # A cluster still moves the session to the node we reached: ask again when told.
                time.sleep(ack["error"].get("retry_after_s", 1))
                ack = self.sio.call("resume_session", request, timeout=CALL_TIMEOUT_S)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            return  # dropped again: the next _ensure_bound tries anew
        _require(ack, "resume_session")
        self.acked = {i for start, end in ack["frames_received"] for i in range(start, end + 1)}
        self._bound_generation = generation
        self.on_event("resumed", ack)
        if ack["stage"] in FINAL_STAGES:  # the contract's stages ("expired" is a state of stage "failed")
            self._settle_from_status()

    def _settle_from_status(self) -> None:
        """The session ended while we were away, so its events went nowhere: ask for the result."""
        session_id = self.outcome.session_id
        status = _require(self.sio.call("session_status", {"session_id": session_id}, timeout=CALL_TIMEOUT_S),
                          "session_status")  # fmt: skip
        with self._lock:
            if status["stage"] == "done":
                self.outcome.video = self.outcome.video or {"url": f"/videos/{session_id}.mp4"}
                if status.get("bytes_uploaded") and self.outcome.upload is None:
                    self.outcome.upload = {"url": None}  # uploaded; the watch address went to the dropped connection
            self.outcome.settle(status)
            self._lock.notify_all()

    # the session ----------------------------------------------------------------------------
    def run(self, folder: FrameFolder, fps: int, audio: Path | None, video: dict[str, Any], upload: bool | None) -> Outcome:
        spec: dict[str, Any] = {"width": folder.width, "height": folder.height, "fps": fps, "format": folder.format}
        audio_bytes = audio.read_bytes() if audio else b""
        if audio:
            spec["audio"] = {"filename": audio.name, "size": len(audio_bytes)}
        if video:
            spec["video"] = video
        if upload is not None:
            spec["upload"] = upload
        self._bound_generation = self._generation
        self.session = _require(self.sio.call("start_session", spec, timeout=CALL_TIMEOUT_S), "start_session")
        session_id = self.session["session_id"]
        self.outcome = Outcome(session_id)
        self._send_audio(audio_bytes)
        while True:
            self._send_frames(folder)
            ended = self._call("end_session", {"session_id": session_id, "frame_count": len(folder.paths)})
            if ended["ok"]:
                break
            if ended["error"]["code"] != "incomplete":
                _require(ended, "end_session")
            self._resume()  # some acks were lost with a connection: learn what is really there
        self._wait_for_outcome()
        return self.outcome

    def _wait_for_outcome(self) -> None:
        """Until the session is over; after a dropped connection, resume and learn what happened meanwhile."""
        while True:
            self._ensure_bound()
            with self._lock:
                self._lock.wait_for(lambda: self.outcome.complete or not self._bound)
                if self.outcome.complete:
                    return

    def cancel(self) -> str:
        """Ask the server to remove the session; returns a sentence saying what really happened."""
        if self.session is None:
            return "cancelled before a session was started: nothing was left on the server"
        session_id = self.session["session_id"]
        try:
            if self._bound:
                ack = self.sio.call("cancel_session", {"session_id": session_id}, timeout=CANCEL_TIMEOUT_S)
                if ack.get("ok"):
                    return "cancelled: the session and its files were removed from the server"
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            pass
        return (f"cancelled, but the server could not be told (no connection): session {session_id} and its "
                "files stay there until its idle timeout removes them")  # fmt: skip

    def close(self) -> None:
        """Disconnect, or stop reconnecting (a reconnect loop would keep the process alive)."""
        self._closing = True
        self.sio.shutdown()

    def _send_audio(self, audio: bytes) -> None:
        offset = 0
        while offset < len(audio):
            chunk = {"session_id": self.outcome.session_id, "offset": offset, "data": audio[offset : offset + AUDIO_CHUNK_BYTES]}
            ack = self._call("audio_chunk", chunk)
            if not ack["ok"] and ack["error"]["code"] == "conflict":
                offset = ack["error"]["received_bytes"]
                continue
            offset = _require(ack, "audio_chunk")["received_bytes"]
            self.on_event("audio", offset)

    def _send_frames(self, folder: FrameFolder) -> None:
        """Keep ``window`` frames in flight; after a reconnect, resume and send what is missing."""
        window = self.session["window"]
        while True:
            self._ensure_bound()
            missing = [index for index in range(len(folder.paths)) if index not in self.acked]
            if not missing:
                return
            in_flight: set[int] = set()
            failure: list[dict[str, Any]] = []
            for index in missing:
                with self._lock:
                    self._lock.wait_for(lambda: len(in_flight) < window or not self._connected.is_set() or failure)
                    if not self._connected.is_set() or failure:
                        break
                    in_flight.add(index)
                data = folder.paths[index].read_bytes()
                self.sio.emit("frame", {"session_id": self.outcome.session_id, "index": index, "data": data},
                              callback=self._acker(index, in_flight, failure))  # fmt: skip
            with self._lock:
                self._lock.wait_for(lambda: not in_flight or not self._connected.is_set() or failure)
            if failure:
                _require(failure[0], "frame")

    def _acker(self, index: int, in_flight: set[int], failure: list) -> Callable[[dict[str, Any]], None]:
        def acked(ack: dict[str, Any]) -> None:
            with self._lock:
                in_flight.discard(index)
                if ack.get("ok"):
                    self.acked.add(index)
                else:
                    failure.append(ack)
                self._lock.notify_all()
            self.on_event("acked", len(self.acked))

        return acked

    def _recorder(self, name: str) -> Callable[[Any], None]:
        def record(payload: Any = None) -> None:
            self.on_event(name, payload)
            if self.outcome is None or payload.get("session_id") != self.outcome.session_id:
                return
            with self._lock:
                if name == "video_ready":
                    self.outcome.video = payload
                elif name == "upload_complete":
                    self.outcome.upload = payload
                elif name == "session_failed":
                    self.outcome.failure = payload["error"]
                elif payload["stage"] in FINAL_STAGES:
                    self.outcome.settle(payload)
                self._lock.notify_all()

        return record


def _require(ack: dict[str, Any], event: str) -> dict[str, Any]:
    if not ack.get("ok"):
        error = ack.get("error", {})
        raise SendError(f"the server refused {event}: {error.get('message', ack)} ({error.get('code', '?')})")
    return ack


def script_client(**options: Any) -> socketio.Client:
    """A Socket.IO client that sends no ``Origin``: it is a script, not a page. The server lets a
    script in whatever address it used (a port forward, a proxy), and judges the origins of pages;
    websocket-client would otherwise send the address it dialled as the origin, which the server
    refuses when it is not its own (a proxy's port)."""
    return socketio.Client(websocket_extra_options={"suppress_origin": True}, **options)


def connect(client: socketio.Client, url: str, token: str | None, timeout_s: float = 10) -> None:
    """Connect, or raise ``SendError`` saying why: the server's refusal reaches only ``connect_error``."""
    refusals: list[Any] = []
    client.on("connect_error", refusals.append)
    try:
        client.connect(url, transports=["websocket"], auth={"token": token} if token else None, wait_timeout=timeout_s)
    except socketio.exceptions.ConnectionError as error:
        if any("unauthorized" in str(refusal) for refusal in refusals):
            raise SendError(f"{url} refused the connection: unauthorized (pass the server's token with --token)") from None
        raise SendError(f"cannot connect to {url}: {error or 'no answer'} (is the server running there?)") from None


def ping(url: str, token: str | None, timeout_s: float = 10) -> tuple[str, float]:
    """The original echo: returns the server's answer and the round-trip time in seconds."""
    client = script_client(reconnection=False)
    reply: list[str] = []
    answered = threading.Event()
    client.on("test", lambda message: (reply.append(message), answered.set()))
    connect(client, url, token, timeout_s)
    try:
        started = time.perf_counter()
        client.emit("test", "Allo?")
        if not answered.wait(timeout_s):
            raise SendError(f"{url} did not answer the echo within {timeout_s} s")
        return reply[0], time.perf_counter() - started
    finally:
        client.disconnect()
