"""Which browser origins may open a Socket.IO connection: the server's own, always, plus the configured ones."""

from __future__ import annotations


def own_origins(environ: dict) -> set[str]:
    """The origin the browser used to reach this server, directly and as a reverse proxy announces it."""
    if "wsgi.url_scheme" not in environ or "HTTP_HOST" not in environ:
        return set()
    scheme, host = environ["wsgi.url_scheme"], environ["HTTP_HOST"]
    forwarded_scheme = environ.get("HTTP_X_FORWARDED_PROTO", scheme).split(",")[0].strip()
    forwarded_host = environ.get("HTTP_X_FORWARDED_HOST", host).split(",")[0].strip()
    return {f"{scheme}://{host}", f"{forwarded_scheme}://{forwarded_host}"}


class AllowedOrigins:
    """python-engineio's ``cors_allowed_origins`` as a callable ``(origin, environ) -> bool``.

    Given a plain list, python-engineio allows only that list, so adding one origin would
    lock out the page this server serves at ``/`` (and any script that sends the server's
    own origin). Its same-origin rule (``None``) is kept here and the configured origins are
    added to it. A client that sends no ``Origin`` at all (a script) is never asked about.
    """

    def __init__(self, configured: tuple[str, ...]) -> None:
        self.configured = frozenset(configured)

    def __call__(self, origin: str | None, environ: dict) -> bool:
        return origin in self.configured or origin in own_origins(environ)
