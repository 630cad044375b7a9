"""A startup check that every replaced private part of a dependency is still where it was.

The transport and the upload replace private methods of eventlet, python-engineio,
python-socketio and google-api-python-client (view/components/transport/fast_websocket.py,
hardened_server.py, connection_pool.py, header_deadline.py, youtube_uploader.py). A
new version that renames one of them would not
break anything visibly: the replacement would simply never be called, and the server would
fall back to the slow or unsafe behaviour it exists to fix. setup.cfg caps those versions;
this check catches what the caps cannot (an install that ignores them, a patched
distribution) by looking into the dependency's own code for each name the patch relies on.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import inspect
import os
import re
from typing import Any, Callable

import engineio.async_drivers.eventlet
import engineio.socket
import eventlet.websocket
import eventlet.wsgi
import socketio.base_server
import socketio.server
from googleapiclient.http import HttpRequest

from .view.components.transport.fast_websocket import bulk_unmask


@dataclasses.dataclass(frozen=True)
class Hook:
    """``caller`` (a dependency's function) must still refer to each of ``names``."""

    distribution: str
    caller: Callable[..., Any]
    names: tuple[str, ...]
    why: str


HOOKS = (
    Hook("eventlet", eventlet.websocket.RFC6455WebSocket._recv_frame, ("_apply_mask", "Message", "push"),
         "bulk unmasking and the whole-message size cap"),
    Hook("eventlet", eventlet.websocket.WebSocketWSGI._handle_hybi_request, ("_negotiate_permessage_deflate",),
         "declining permessage-deflate"),
    Hook("eventlet", eventlet.websocket.WebSocketWSGI.__call__, ("_handle_hybi_request",),
         "the fast websocket class and TCP_NODELAY"),
    Hook("python-engineio", engineio.socket.Socket._upgrade_websocket, ("_async",),
         "the websocket class of one server"),
    Hook("python-socketio", socketio.base_server.BaseServer.__init__,
         ("_handle_eio_connect", "_handle_eio_message", "_binary_packet", "environ"),
         "closing misbehaving connections"),
    Hook("python-socketio", socketio.server.Server._handle_eio_message, ("_binary_packet", "_handle_event"),
         "the cap on binary attachments, and the window held before a frame's attachment is read"),
    Hook("python-socketio", socketio.server.Server._handle_event, ("start_background_task", "_handle_event_internal"),
         "counting a frame in the window while its connection is read, until its ack is queued"),
    Hook("eventlet", eventlet.wsgi.server, ("spawn", "process_request"),
         "the connection caps (a pool that refuses past them)"),
    Hook("eventlet", eventlet.wsgi.Server.process_request, ("protocol",),
         "the header deadline (a protocol class)"),
    Hook("eventlet", eventlet.wsgi.HttpProtocol.handle_one_request, ("_read_request_line", "parse_request"),
         "the header deadline (stopped once the headers are parsed)"),
    Hook("google-api-python-client", HttpRequest.next_chunk, ("has_stream",),
         "re-sending a retried upload chunk's bytes"),
    Hook("google-api-python-client", HttpRequest.next_chunk, ("_in_error_state", "resumable_uri"),
         "continuing a saved upload session (youtube_uploader sets both before its first chunk)"),
)  # fmt: skip


def _required_range(distribution: str) -> str:
    """The version range this package declares for ``distribution``, for the error sentence."""
    try:
        requirements = importlib.metadata.requires("visualizer-server") or []
    except importlib.metadata.PackageNotFoundError:
        return distribution
    name = re.compile(rf"{re.escape(distribution)}\s*[<>=!~]", re.IGNORECASE)
    return next((req.split(";")[0].replace(" ", "") for req in requirements if name.match(req)), distribution)


def problems(hooks: tuple[Hook, ...] = HOOKS) -> list[str]:
    """One sentence per hook whose names the dependency's code no longer uses."""
    found = []
    for hook in hooks:
        used = inspect.unwrap(hook.caller).__code__.co_names  # unwrap: googleapiclient decorates its methods
        missing = [name for name in hook.names if name not in used]
        if missing:
            version = importlib.metadata.version(hook.distribution)
            found.append(
                f"{hook.distribution} {version} no longer uses {', '.join(missing)} in {hook.caller.__qualname__}, "
                f"which this server replaces for {hook.why}; install '{_required_range(hook.distribution)}'"
            )
    return found


def _unmask_matches() -> bool:
    """The bulk unmasking gives eventlet's own result, for every mask offset and odd lengths."""
    data, mask = os.urandom(37), os.urandom(4)
    reference = eventlet.websocket.RFC6455WebSocket._apply_mask
    return all(bytes(bulk_unmask(data, mask, length, offset)) == bytes(reference(data, mask, length, offset))
               for offset in range(4) for length in (0, 1, 5, 37))  # fmt: skip


def check_patches() -> None:
    """Stop the start with a sentence per problem, before a slow or unsafe server could serve anyone."""
    found = problems()
    websocket_class = engineio.async_drivers.eventlet._async.get("websocket")
    if not (isinstance(websocket_class, type) and issubclass(websocket_class, eventlet.websocket.WebSocketWSGI)):
        found.append("python-engineio's eventlet driver no longer serves websockets with eventlet's WebSocketWSGI, "
                     f"which this server replaces; install '{_required_range('python-engineio')}'")  # fmt: skip
    if not _unmask_matches():
        found.append(f"eventlet's websocket unmasking changed its meaning; install '{_required_range('eventlet')}'")
    if found:
        raise SystemExit("visualizer-server cannot start safely: " + "; ".join(found) + ".")
