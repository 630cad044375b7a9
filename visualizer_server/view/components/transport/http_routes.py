"""The plain HTTP side of the port: the visualizer page, its client libraries, health, and the videos."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from ....model.vo.codec import VIDEO_EXTENSIONS

# The page's own modules (page/) and its browser libraries (vendor/: copied from npm into the
# package by scripts/refresh_vendor.py, so an installed wheel needs no Node.js): plain names only.
PAGE_MODULE = re.compile(r"[a-z_]+\.js")
VENDOR_FILE = re.compile(r"[a-z][a-z0-9.-]*\.(js|map)")
# The recorder SDK (sdk/) and its vendored socket.io-client (sdk/vendor/), for pages of any allowed origin.
SDK_FILE = re.compile(r"(vendor/)?[a-z][a-z0-9_.-]*\.(js|map)")


class HttpRoutes:
    """A WSGI app; what it serves comes from the callables it is given."""

    def __init__(
        self,
        page_dir: Path,
        health: Callable[[], dict[str, Any]],
        find_video: Callable[[str, str], Path | None],
        accepts_token: Callable[[str | None], bool],
        metrics: Callable[[], bytes],
        metrics_need_token: bool = True,
        allows_origin: Callable[[str | None, dict], bool] = lambda origin, environ: False,
    ) -> None:
        """``metrics_need_token``: ``/metrics`` reveals activity, so it asks for the token unless told not to.
        ``allows_origin``: the browser origins the SDK is served to (CORS), as the Socket.IO server allows them."""
        self.page_dir = page_dir
        self.health = health
        self.find_video = find_video
        self.accepts_token = accepts_token
        self.metrics = metrics
        self.metrics_need_token = metrics_need_token
        self.allows_origin = allows_origin
        self.url_map = Map(
            [
                Rule("/", endpoint="page"),
                Rule("/favicon.svg", endpoint="favicon"),
                Rule("/vendor/<name>", endpoint="vendor"),
                Rule("/page/<name>", endpoint="module"),
                Rule("/sdk/<path:name>", endpoint="sdk"),
                Rule("/healthz", endpoint="healthz"),
                Rule("/metrics", endpoint="metrics"),
                Rule("/videos/<session_id>.<extension>", endpoint="video"),
            ]
        )

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        request = Request(environ)
        try:
            endpoint, values = self.url_map.bind_to_environ(environ).match()
            response = getattr(self, f"_{endpoint}")(request, **values)
        except HTTPException as error:
            response = error.get_response(environ)
        return response(environ, start_response)

    def _page(self, request: Request) -> Response:
        return self._file(request, self.page_dir / "index.html")

    def _favicon(self, request: Request) -> Response:
        return self._file(request, self.page_dir / "favicon.svg")

    def _vendor(self, request: Request, name: str) -> Response:
        if not VENDOR_FILE.fullmatch(name):
            raise NotFound()
        return self._file(request, self.page_dir / "vendor" / name)

    def _module(self, request: Request, name: str) -> Response:
        if not PAGE_MODULE.fullmatch(name):
            raise NotFound()
        return self._file(request, self.page_dir / "page" / name)

    def _sdk(self, request: Request, name: str) -> Response:
        if not SDK_FILE.fullmatch(name):
            raise NotFound()
        response = self._file(request, self.page_dir / "sdk" / name)
        origin = request.headers.get("Origin")
        if origin is not None and self.allows_origin(origin, request.environ):
            response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
        return response

    def _healthz(self, request: Request) -> Response:
        return Response(json.dumps(self.health()), mimetype="application/json")

    def _metrics(self, request: Request) -> Response:
        if self.metrics_need_token and not self.accepts_token(self._token(request)):
            return self._unauthorized()
        return Response(self.metrics(), mimetype="text/plain; version=0.0.4; charset=utf-8")

    def _video(self, request: Request, session_id: str, extension: str) -> Response:
        if not self.accepts_token(self._token(request)):
            return self._unauthorized()
        path = self.find_video(session_id, extension)
        if path is None:
            raise NotFound(f"no finished video for session {session_id}")
        # conditional=True answers Range requests with 206, so <video> can seek.
        return send_file(path, request.environ, mimetype=VIDEO_EXTENSIONS[extension], conditional=True, max_age=0)

    @staticmethod
    def _unauthorized() -> Response:
        return Response("unauthorized: send Authorization: Bearer <token> or ?token=<token>\n", status=401,
                        headers={"WWW-Authenticate": "Bearer"}, mimetype="text/plain")  # fmt: skip

    @staticmethod
    def _token(request: Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        return request.args.get("token")

    @staticmethod
    def _file(request: Request, path: Path) -> Response:
        if not path.is_file():
            raise NotFound(f"{path.name} is not part of the page")
        return send_file(path, request.environ, conditional=True, max_age=0)
