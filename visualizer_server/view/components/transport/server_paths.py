"""Client-facing error messages without the server's paths: which files exist where is the server's business.

ffmpeg's last words, an OS error or a traceback's summary name absolute paths (the work folder,
a session's files, the ffmpeg binary). Every error that leaves through the socket passes here;
the log keeps the original.
"""

from __future__ import annotations

import re
from typing import Any

# An absolute path of two or more parts, not inside a URL (``http://host/path``) or a word.
ABSOLUTE_PATH = re.compile(r"(?<![\w/:.~-])(?:file:)?/[\w.@+~-]+(?:/[\w.@+~-]*)+")
HIDDEN = "<a server path>"


def without_paths(message: str) -> str:
    return ABSOLUTE_PATH.sub(HIDDEN, message)


def scrub_error(payload: Any) -> Any:
    """``payload`` with its ``error.message`` (an ack's, ``session_failed``'s) free of server paths."""
    if not isinstance(payload, dict) or not isinstance(payload.get("error"), dict):
        return payload
    error = payload["error"]
    if not isinstance(error.get("message"), str):
        return payload
    return {**payload, "error": {**error, "message": without_paths(error["message"])}}
