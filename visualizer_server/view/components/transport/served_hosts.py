"""The host names this server answers to, and the origins that are its own: never taken from the request.

A check of "same origin" built from the request's ``Host`` header passes DNS rebinding: a page
on ``evil.example`` whose name now resolves to 127.0.0.1 sends ``Host: evil.example`` and
``Origin: http://evil.example``, and the two agree. So every request must name one of the
served hosts (the bind address, ``localhost``, ``127.0.0.1``, ``[::1]``, ``--allowed-host`` and
``--public-url``'s host), or it gets 421 before it reaches Engine.IO; and the server's own
origin is one of those names on the port it listens on (or ``--public-url``'s origin).
With a wildcard bind (``0.0.0.0``, ``::``) any address literal is served too: a rebinding page
always has a name, never an address, as its host.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARDS = ("0.0.0.0", "::", "")
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def host_name(authority: str) -> str:
    """The name in a ``Host`` header or an origin's authority, lower case, without port, brackets or final dot."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        return authority[1 : authority.find("]")] if "]" in authority else ""
    if authority.count(":") == 1:
        authority = authority.split(":")[0]
    return authority.rstrip(".")


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class ServedHosts:
    def __init__(self, bind_host: str, allowed: Iterable[str] = (), public_url: str | None = None) -> None:
        public = urlsplit(public_url) if public_url else None
        self.public_origin = f"{public.scheme}://{public.netloc}".lower() if public else None
        names = {*LOOPBACK_NAMES, host_name(bind_host), *(host_name(name) for name in allowed)}
        if public is not None:
            names.add(host_name(public.netloc))
        self.any_address = bind_host in WILDCARDS
        self.names = frozenset(name for name in names if name and name not in WILDCARDS)
        self.port: int | None = None  # set once the listener is bound (a port of 0 is resolved then)

    @classmethod
    def from_settings(cls, settings: Any) -> ServedHosts:
        return cls(settings.host, settings.allowed_host, settings.public_url)

    def serves(self, authority: str | None) -> bool:
        """Whether a request with this ``Host`` is for this server (HTTP/1.0 without ``Host`` is: it names nobody)."""
        if authority is None:
            return True
        name = host_name(authority)
        return name in self.names or (self.any_address and _is_address(name))

    def is_own_origin(self, origin: str) -> bool:
        """A served name on the listening port, or the public URL's origin."""
        if self.public_origin is not None and origin.lower() == self.public_origin:
            return True
        parts = urlsplit(origin)
        try:
            port = parts.port or DEFAULT_PORTS.get(parts.scheme)
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and port == self.port and self.serves(parts.netloc)

    def guard(self, app: Callable) -> Callable:
        """``app`` behind the check: a request for another name gets 421 and never reaches ``app``."""

        def guarded(environ: dict, start_response: Callable) -> Any:
            if self.serves(environ.get("HTTP_HOST")):
                return app(environ, start_response)
            body = (f"421 Misdirected Request: this server does not answer to the name "
                    f"{host_name(environ['HTTP_HOST'])!r}. An operator adds it with --allowed-host "
                    f"(or --public-url).\n").encode()  # fmt: skip
            start_response("421 Misdirected Request", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Content-Length", str(len(body))), ("Connection", "close")])
            return [body]

        return guarded
