"""The sessions this client left on servers: a small private JSON file, so they can be resumed or cancelled.

``send`` writes an entry (with the resume token) as soon as the server starts the session and
removes it once the session is over; an interrupted ``send`` leaves it for ``status``,
``cancel``, ``list`` and ``send --resume``. The file holds secrets (resume tokens): it is
written like the server's token file (exclusively created ``.tmp``, mode 0600, renamed).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any, Iterator

from ..model.files import write_private_file

ENV_FILE = "VISUALIZER_CLIENT_STATE"


def default_path() -> Path:
    """``$VISUALIZER_CLIENT_STATE``, or ``sessions.json`` in the XDG state folder (``~/.local/state``)."""
    if os.environ.get(ENV_FILE):
        return Path(os.environ[ENV_FILE])
    state_home = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state_home / "visualizer-client" / "sessions.json"


class SessionBookError(Exception):
    """No such session in the book, or an id that names several; the message says which."""


class SessionBook:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()

    def entries(self) -> list[dict[str, Any]]:
        """Every session left, oldest first."""
        with self._locked():
            return self._read()

    def find(self, prefix: str) -> dict[str, Any]:
        """The one entry whose session id starts with ``prefix`` (a few characters are enough)."""
        found = [entry for entry in self.entries() if entry["session_id"].startswith(prefix)]
        if len(found) != 1:
            known = ", ".join(entry["session_id"][:8] for entry in self.entries()) or "none"
            what = "no session" if not found else f"{len(found)} sessions"
            raise SessionBookError(f"{what} in {self.path} start with {prefix!r} (the sessions there: {known}; "
                                   "'visualizer-client list' shows them)")  # fmt: skip
        return found[0]

    def add(self, entry: dict[str, Any]) -> None:
        with self._locked():
            entries = [old for old in self._read() if old["session_id"] != entry["session_id"]]
            self._write([*entries, {"left_at": time.time(), **entry}])

    def update(self, session_id: str, **fields: Any) -> None:
        with self._locked():
            self._write([{**entry, **fields} if entry["session_id"] == session_id else entry for entry in self._read()])

    def remove(self, session_id: str) -> None:
        with self._locked():
            entries = self._read()
            if any(entry["session_id"] == session_id for entry in entries):
                self._write([entry for entry in entries if entry["session_id"] != session_id])

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time: two ``send`` running at once must not lose each other's entries."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    def _read(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return []
        except ValueError as error:
            raise SessionBookError(f"{self.path} is not this client's session list ({error}); move it away") from None
        return data.get("sessions", []) if isinstance(data, dict) else []

    def _write(self, entries: list[dict[str, Any]]) -> None:
        write_private_file(self.path, json.dumps({"sessions": entries}, indent=2))
