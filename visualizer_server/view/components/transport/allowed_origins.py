"""Which browser origins may open a Socket.IO connection: the server's own, always, plus the configured ones."""

from __future__ import annotations

from .served_hosts import ServedHosts


class AllowedOrigins:
    """python-engineio's ``cors_allowed_origins`` as a callable ``(origin, environ) -> bool``.

    Given a plain list, python-engineio allows only that list, so adding one origin would
    lock out the page this server serves at ``/`` (and any script that sends the server's
    own origin). Its own origins come from the names it serves (``ServedHosts``), never from
    the request's ``Host`` (that passed DNS rebinding). A client that sends no ``Origin`` at
    all (a script) is never asked about.
    """

    def __init__(self, configured: tuple[str, ...], served: ServedHosts) -> None:
        self.configured = frozenset(configured)
        self.served = served

    def __call__(self, origin: str | None, environ: dict) -> bool:
        return origin in self.configured or (origin is not None and self.served.is_own_origin(origin))
