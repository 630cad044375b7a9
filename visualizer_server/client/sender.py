"""Sends one session through the server: window of frames in flight, resume after a dropped connection."""

from __future__ import annotations

import dataclasses
import signal
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
# A Python signal handler runs only between bytecodes of the main thread: a thread blocked in
# one long Event.wait() hears Ctrl-C when the wait ends (measured: 121 s late). Every wait of
# the main thread is cut into slices this long.
WAIT_SLICE_S = 0.1
# No SIGINT handler of the library's (see SessionSender), and no Origin header: websocket-client
# sends one made from the URL, which a server behind a proxy on another port (nginx, a tunnel)
# rightly refuses as a foreign page's; a script is not a page, and the server admits one
# that sends no Origin.
CLIENT_OPTIONS: dict[str, Any] = {"handle_sigint": False, "websocket_extra_options": {"suppress_origin": True}}
FINAL_STAGES = ("done", "failed", "cancelled")
CANCELLED = {"code": "cancelled", "message": "the session was cancelled"}


class SendError(Exception):
    """The server refused or the connection could not be had; the message says which.

    ``event`` and ``code`` name the request the server refused and its error code, if it was one.
    """

    def __init__(self, message: str, event: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.event, self.code = event, code


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
        # handle_sigint=False: the library's own SIGINT handler would disconnect before we could
        # tell the server to cancel. Ctrl-C only sets a flag (``_on_sigint``); the main thread's
        # waits see it within a slice and raise KeyboardInterrupt there, never inside the library.
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2,
                                   **CLIENT_OPTIONS)  # fmt: skip
        self._connected = threading.Event()
        self._closing = False
        self._lock = threading.Condition()
        self._generation = 0  # connections made so far
        self._bound_generation = 0  # the connection the session was last started or resumed on
        self.session: dict[str, Any] | None = None
        self.acked: set[int] = set()
        self.outcome: Outcome | None = None
        self.cancelled = False  # the server confirmed a cancel
        self._interrupted = False  # Ctrl-C was pressed; raised as KeyboardInterrupt at the next slice
        self._previous_sigint: Any = None
        self._audio_received = 0  # audio bytes the server held at the last resume
        self._pending: list[Any] | None = None  # the answers of the request being waited for
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", lambda reason=None: self._set_disconnected())
        self.sio.on("progress", self._recorder("progress"))
        for name in ("video_ready", "upload_complete", "session_failed"):
            self.sio.on(name, self._recorder(name))

    # connection -----------------------------------------------------------------------------
    def connect(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self._previous_sigint = signal.signal(signal.SIGINT, self._on_sigint)
        connect(self.sio, self.url, self.token, interrupted=lambda: self._interrupted)

    def _on_sigint(self, *_: Any) -> None:
        self._interrupted = True

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

    def _wait_for(self, condition: Callable[[], object], timeout_s: float | None = None) -> bool:
        """Wait on the lock's condition in slices (Ctrl-C is heard at once); False after ``timeout_s``."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._lock:
            while True:
                if self._interrupted:
                    raise KeyboardInterrupt
                if condition():
                    return True
                left = WAIT_SLICE_S if deadline is None else min(WAIT_SLICE_S, deadline - time.monotonic())
                if left <= 0:
                    return False
                self._lock.wait(left)

    def _ask(self, event: str, payload: dict[str, Any], timeout_s: float = CALL_TIMEOUT_S,
             on_late_answer: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:  # fmt: skip
        """``sio.call``, but waiting in slices (``sio.call`` waits in one ``Event.wait``, deaf to Ctrl-C).

        Raises ``TimeoutError`` with no answer in time, ``BadNamespaceError`` when the
        connection is (or goes) down: the answer is then lost. With ``on_late_answer``, a
        Ctrl-C during the wait still waits (up to the cancel's timeout; a second Ctrl-C gives
        up) for the answer the server is sending, hands it over, then raises KeyboardInterrupt.
        """
        try:
            return self._ask_once(event, payload, timeout_s)
        except KeyboardInterrupt:
            if on_late_answer is None or self._pending is None:
                raise
            answers, self._interrupted = self._pending, False
            self._wait_for(lambda: answers or not self._connected.is_set(), CANCEL_TIMEOUT_S)
            if answers:
                on_late_answer(answers[0])
            raise

    def _ask_once(self, event: str, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        answers: list[Any] = []
        self._pending = answers

        def answered(*args: Any) -> None:
            with self._lock:
                answers.append(args[0] if args else None)
                self._lock.notify_all()

        generation = self._generation
        self.sio.emit(event, payload, callback=answered)
        self._wait_for(lambda: answers or self._generation != generation or not self._connected.is_set(), timeout_s)
        if answers:
            return answers[0]
        if not self._connected.is_set() or self._generation != generation:
            raise socketio.exceptions.BadNamespaceError("/ is not a connected namespace.")
        raise socketio.exceptions.TimeoutError()

    def _ensure_bound(self) -> None:
        """After a reconnect the session must be resumed on the new connection before anything else."""
        if not self._wait_for(self._connected.is_set, RECONNECT_TIMEOUT_S):
            raise SendError(f"lost the connection to {self.url} and could not get it back")
        if self._bound_generation != self._generation:
            self._resume()

    def _call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A request that survives a dropped connection: wait for the reconnect, resume, ask again."""
        while True:
            self._ensure_bound()
            try:
                return self._ask(event, payload)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                continue  # the connection dropped while we waited for the answer

    def _resume(self) -> None:
        """Bind the session to this connection and learn what the server already holds."""
        assert self.session is not None
        generation = self._generation
        request = {"session_id": self.session["session_id"], "resume_token": self.session["resume_token"]}
        try:
            ack = self._ask("resume_session", request)
            while not ack["ok"] and ack["error"]["code"] == "server_busy":
                # A cluster still moves the session to the node we reached: ask again when told.
                self._wait_for(lambda: False, ack["error"].get("retry_after_s", 1))
                ack = self._ask("resume_session", request)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            return  # dropped again: the next _ensure_bound tries anew
        _require(ack, "resume_session")
        self.acked = {i for start, end in ack["frames_received"] for i in range(start, end + 1)}
        self._audio_received = ack.get("audio_received_bytes", 0)
        self._bound_generation = generation
        self.on_event("resumed", ack)
        if ack["stage"] in FINAL_STAGES:  # the contract's stages ("expired" is a state of stage "failed")
            self._settle_from_status()

    def _settle_from_status(self) -> None:
        """The session ended while we were away, so its events went nowhere: ask for the result."""
        session_id = self.outcome.session_id
        status = _require(self._ask("session_status", {"session_id": session_id}), "session_status")
        with self._lock:
            if status["stage"] == "done":
                self.outcome.video = self.outcome.video or {"url": f"/videos/{session_id}.mp4"}
                if status.get("bytes_uploaded") and self.outcome.upload is None:
                    self.outcome.upload = {"url": None}  # uploaded; the watch address went to the dropped connection
            self.outcome.settle(status)
            self._lock.notify_all()

    def status(self, session: dict[str, Any]) -> dict[str, Any]:
        """Bind ``session`` to this connection and return ``session_status``'s answer."""
        self.session = session
        self.outcome = Outcome(session["session_id"])
        request = {"session_id": session["session_id"], "resume_token": session["resume_token"]}
        _require(self._ask("resume_session", request), "resume_session")
        self._bound_generation = self._generation
        return _require(self._ask("session_status", {"session_id": session["session_id"]}), "session_status")

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
        try:
            # Ctrl-C while the server makes the session: learn its id anyway, so the cancel can remove it.
            started = self._ask("start_session", spec, on_late_answer=self._adopt_start)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            raise SendError(f"{self.url} did not answer start_session (the connection dropped or timed out)") from None
        self._adopt_start(_require(started, "start_session"))
        self._send_audio(audio_bytes)
        return self._finish(folder)

    def _adopt_start(self, started: dict[str, Any]) -> None:
        if started.get("ok"):
            self.session = started
            self.outcome = Outcome(started["session_id"])
            self.on_event("started", started)

    def resume(self, session: dict[str, Any], folder: FrameFolder, audio: Path | None) -> Outcome:
        """Carry on with a session an earlier run left: send what the server lacks, then end it."""
        self.session = session
        self.outcome = Outcome(session["session_id"])
        self._resume()
        if self._bound_generation != self._generation:
            raise SendError(f"lost the connection to {self.url} while resuming")
        if self.outcome.complete:
            return self.outcome
        audio_bytes = audio.read_bytes() if audio else b""
        self._send_audio(audio_bytes, self._audio_received)
        return self._finish(folder)

    def _finish(self, folder: FrameFolder) -> Outcome:
        """Frames until the server holds them all, ``end_session``, then the outcome."""
        session_id = self.session["session_id"]
        while True:
            self._send_frames(folder)
            ended = self._call("end_session", {"session_id": session_id, "frame_count": len(folder.paths)})
            if ended["ok"]:
                break
            if ended["error"]["code"] == "server_busy":  # the server's disk is full: nothing was kept, ask again
                self._wait_for(lambda: False, ended["error"].get("retry_after_s", 1))
                continue
            if ended["error"]["code"] != "incomplete":
                _require(ended, "end_session")
            self._resume()  # some acks were lost with a connection: learn what is really there
        self._wait_for_outcome()
        return self.outcome

    def _wait_for_outcome(self) -> None:
        """Until the session is over; after a dropped connection, resume and learn what happened meanwhile."""
        while True:
            self._ensure_bound()
            self._wait_for(lambda: self.outcome.complete or not self._bound)
            if self.outcome.complete:
                return

    def cancel(self) -> str:
        """Ask the server to remove the session; returns a sentence saying what really happened."""
        if self.session is None:
            return "cancelled before a session was started: nothing was left on the server"
        session_id = self.session["session_id"]
        self._interrupted = False  # from here a second Ctrl-C gives up on telling the server
        try:
            if self._connected.is_set() and not self._bound:
                self._resume()  # reconnected but not yet resumed: the server takes a cancel only from the owner
            if self._bound:
                ack = self._ask("cancel_session", {"session_id": session_id}, CANCEL_TIMEOUT_S)
                if ack.get("ok") or ack.get("error", {}).get("code") == "unknown_session":
                    self.cancelled = True
                    return "cancelled: the session and its files were removed from the server"
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError, SendError):
            pass
        return (f"cancelled, but the server could not be told (no connection): session {session_id} and its "
                "files stay there until its idle timeout removes them, or until "
                f"'visualizer-client cancel {session_id[:8]}' (or 'send --resume {session_id[:8]}')")  # fmt: skip

    def close(self) -> None:
        """Disconnect, or stop reconnecting (a reconnect loop would keep the process alive)."""
        self._closing = True
        self.sio.shutdown()
        if self._previous_sigint is not None:
            signal.signal(signal.SIGINT, self._previous_sigint)

    def _send_audio(self, audio: bytes, offset: int = 0) -> None:
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
                self._wait_for(lambda: len(in_flight) < window or not self._connected.is_set() or failure)
                if not self._connected.is_set() or failure:
                    break
                with self._lock:
                    in_flight.add(index)
                data = folder.paths[index].read_bytes()
                try:
                    self.sio.emit("frame", {"session_id": self.outcome.session_id, "index": index, "data": data},
                                  callback=self._acker(index, in_flight, failure))  # fmt: skip
                except socketio.exceptions.BadNamespaceError:
                    break  # the connection dropped after the check: resume and send what is missing
            self._wait_for(lambda: not in_flight or not self._connected.is_set() or failure)
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
        raise SendError(f"the server refused {event}: {error.get('message', ack)} ({error.get('code', '?')})",
                        event, error.get("code"))  # fmt: skip
    return ack


def connect(client: socketio.Client, url: str, token: str | None, timeout_s: float = 10,
            interrupted: Callable[[], bool] = lambda: False) -> None:  # fmt: skip
    """Connect, or raise ``SendError`` saying why: the server's refusal reaches only ``connect_error``.

    The namespace's answer is awaited here, in slices, not in the library's one long wait.
    """
    refusals: list[Any] = []
    client.on("connect_error", lambda data=None: refusals.append(data))
    try:
        client.connect(url, transports=["websocket"], auth={"token": token} if token else None, wait=False)
    except socketio.exceptions.ConnectionError as error:
        raise SendError(f"cannot connect to {url}: {error or 'no answer'} (is the server running there?)") from None
    deadline = time.monotonic() + timeout_s
    while "/" not in client.namespaces and not refusals and time.monotonic() < deadline:
        if interrupted():
            client.disconnect()
            raise KeyboardInterrupt
        time.sleep(WAIT_SLICE_S / 4)  # the connect handler is the caller's: poll the library's own record
    if "/" in client.namespaces:
        return
    client.disconnect()
    if any("unauthorized" in str(refusal) for refusal in refusals):
        raise SendError(f"{url} refused the connection: unauthorized (pass the server's token with --token)")
    raise SendError(f"cannot connect to {url}: {refusals[0] if refusals else 'no answer'} (is the server running there?)")


def ping(url: str, token: str | None, timeout_s: float = 10) -> tuple[str, float]:
    """The original echo: returns the server's answer and the round-trip time in seconds."""
    client = socketio.Client(reconnection=False, **CLIENT_OPTIONS)
    reply: list[str] = []
    answered = threading.Event()
    client.on("test", lambda message: (reply.append(message), answered.set()))
    connect(client, url, token, timeout_s)
    try:
        started = time.perf_counter()
        client.emit("test", "Allo?")
        deadline = started + timeout_s
        while not answered.wait(WAIT_SLICE_S):  # in slices: Ctrl-C is heard at once
            if time.perf_counter() > deadline:
                raise SendError(f"{url} did not answer the echo within {timeout_s} s")
        return reply[0], time.perf_counter() - started
    finally:
        client.disconnect()
