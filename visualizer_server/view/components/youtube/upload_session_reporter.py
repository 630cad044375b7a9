"""An HTTP client wrapper that tells when YouTube opens a resumable upload session.

The Google client asks for the upload session (POST, answered with ``Location``) and sends the
first chunk in one ``next_chunk`` call, so the session's address is known to its caller only
after that chunk. Saved at once instead, a restart or another node continues the same upload
whatever moment it was stopped at, and the video is inserted once.
"""

from __future__ import annotations

from typing import Any, Callable


class UploadSessionReporter:
    def __init__(self, http: Any, on_session: Callable[[str], None]) -> None:
        self._http = http
        self._on_session = on_session

    def request(self, uri: str, method: str = "GET", *args: Any, **kwargs: Any) -> Any:
        response, content = self._http.request(uri, method, *args, **kwargs)
        if method == "POST" and "uploadType=resumable" in uri and response.status == 200 and "location" in response:
            self._on_session(response["location"])
        return response, content

    def __getattr__(self, name: str) -> Any:
        return getattr(self._http, name)
