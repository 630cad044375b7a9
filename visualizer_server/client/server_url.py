"""The server address a user types: ``127.0.0.1:3000``, ``localhost:3000`` or a full ``http(s)://`` URL."""

from __future__ import annotations

import argparse
import urllib.parse

SCHEMES = ("http", "https")


def server_url(text: str) -> str:
    """``text`` as an ``http(s)://host[:port]`` URL (``http://`` when no scheme is given).

    An argparse ``type``: a wrong address is one sentence and exit code 2, never a traceback
    from deep inside the Socket.IO client.
    """
    given = text.strip()
    # "localhost:3000" parses as scheme "localhost": only a "//" after the colon marks a scheme.
    url = urllib.parse.urlsplit(given if "://" in given else f"http://{given}")
    if url.scheme not in SCHEMES:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a server address: use http:// or https:// (or no scheme), e.g. 127.0.0.1:3000"
        )
    try:
        port = url.port
    except ValueError:
        port = -1
    if not url.hostname or port == -1 or url.query or url.fragment:
        raise argparse.ArgumentTypeError(f"{text!r} is not a server address: give host[:port], e.g. 127.0.0.1:3000")
    return urllib.parse.urlunsplit((url.scheme, url.netloc, url.path.rstrip("/"), "", ""))
