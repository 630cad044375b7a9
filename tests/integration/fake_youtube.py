"""A local HTTPS server speaking YouTube's resumable upload protocol and OAuth2's token endpoint.

The real google-api-python-client talks to it as to Google. Faults are injected by PUT
number: a 503, a connection dropped in the middle of a chunk, an expired access token, a
pause (to kill the uploading server at a known point); and a quota error on the insert.
``videos.list(part="processingDetails,status")`` answers "processing" a few times, then the
video's outcome (processed, failed, or rejected with a reason), or "processing" while held; an
unverified project's lock (every upload private) can be switched on.
"""

from __future__ import annotations

import dataclasses
import json
import re
import ssl
import subprocess
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the test is its own CA)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)  # fmt: skip
    return cert, key


@dataclasses.dataclass
class Upload:
    metadata: dict
    size: int
    data: bytearray = dataclasses.field(default_factory=bytearray)
    video_id: str | None = None


@dataclasses.dataclass
class Faults:
    status_at_put: dict[int, int] = dataclasses.field(default_factory=dict)  # PUT number -> HTTP status
    drop_at_put: set[int] = dataclasses.field(default_factory=set)  # close mid-body, no answer
    expire_token_at_put: set[int] = dataclasses.field(default_factory=set)
    pause_at_put: int | None = None
    quota_on_insert: bool = False
    refuse_refresh: bool = False  # the refresh token was revoked: invalid_grant
    processing_answers: int = 2  # "processing" answers to videos.list before the outcome
    processing_outcome: str = "succeeded"  # or "failed", "rejected"
    hold_processing: bool = False  # answer "processing" until ``FakeYouTube.processing_done`` is set
    lock_private: bool = False  # an unverified API project: every upload is made private


class FakeYouTube:
    def __init__(self, folder: Path) -> None:
        self.cert, key = make_certificate(folder)
        self.faults = Faults()
        self.uploads: dict[str, Upload] = {}
        self.inserts = 0
        self.puts = 0
        self.refreshes = 0
        self.codes_exchanged: list[str] = []
        self.empty_chunk_puts = 0  # a chunk PUT whose whole body is empty: the stock client's retry bug
        self.access_token = "access-0"
        self.thumbnails: dict[str, bytes] = {}  # video id -> image
        self.playlist_items: list[dict] = []
        self.status_polls: dict[str, int] = {}  # video id -> videos.list calls
        self.processing_done = threading.Event()
        self.paused = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def write_token_file(self, path: Path, expired: bool = False) -> None:
        path.write_text(json.dumps({
            "token": "stale" if expired else self.access_token, "refresh_token": "refresh-1",
            "token_uri": "https://oauth2.googleapis.com/token", "client_id": "client", "client_secret": "secret",
            "scopes": ["https://www.googleapis.com/auth/youtube.upload"],
            "expiry": "2000-01-01T00:00:00Z" if expired else "2999-01-01T00:00:00Z",
        }))  # fmt: skip

    def video_status(self, video_id: str, polls: int) -> dict:
        """The video resource videos.list answers: still processing, or how it ended."""
        faults = self.faults
        processing = polls <= faults.processing_answers or (faults.hold_processing and not self.processing_done.is_set())
        if processing:
            return {"id": video_id, "status": {"uploadStatus": "uploaded"},
                    "processingDetails": {"processingStatus": "processing"}}  # fmt: skip
        if faults.processing_outcome == "rejected":
            return {"id": video_id, "status": {"uploadStatus": "rejected", "rejectionReason": "duplicate"},
                    "processingDetails": {"processingStatus": "succeeded"}}  # fmt: skip
        if faults.processing_outcome == "failed":
            return {"id": video_id, "status": {"uploadStatus": "failed", "failureReason": "codec"},
                    "processingDetails": {"processingStatus": "failed", "processingFailureReason": "streamingFailed"}}  # fmt: skip
        return {"id": video_id, "status": {"uploadStatus": "processed"},
                "processingDetails": {"processingStatus": "succeeded"}}  # fmt: skip

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
                payload = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _read_body(self, length: int) -> bytes | None:
                """The body, or None when the connection was cut before all of it arrived."""
                try:
                    data = self.rfile.read(length)
                except OSError:  # ssl.SSLEOFError: the peer vanished without closing TLS
                    return None
                return data if len(data) == length else None

            def _authorized(self) -> bool:
                if self.headers.get("Authorization") == f"Bearer {fake.access_token}":
                    return True
                self._send(401, {"error": {"code": 401, "message": "Invalid Credentials",
                                           "errors": [{"reason": "authError"}]}})  # fmt: skip
                return False

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/token" and fake.faults.refuse_refresh:
                    self._send(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
                    return
                if self.path == "/token":
                    form = urllib.parse.parse_qs(body.decode())
                    answer = {"expires_in": 3600, "token_type": "Bearer"}
                    with fake.lock:
                        if form.get("grant_type") == ["authorization_code"]:  # the consent flow's exchange
                            fake.codes_exchanged.append(form["code"][0])
                            answer["refresh_token"] = "refresh-from-consent"
                        else:
                            fake.refreshes += 1
                        fake.access_token = answer["access_token"] = f"access-{fake.refreshes}-{len(fake.codes_exchanged)}"
                    self._send(200, answer)
                    return
                if not self._authorized():
                    return
                route = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(route.query)
                if route.path == "/upload/youtube/v3/thumbnails/set":
                    fake.thumbnails[query["videoId"][0]] = body
                    self._send(200, {"kind": "youtube#thumbnailSetResponse", "items": [{}]})
                    return
                if route.path == "/youtube/v3/playlistItems":
                    fake.playlist_items.append(json.loads(body))
                    self._send(200, {"kind": "youtube#playlistItem", "id": f"item-{len(fake.playlist_items)}"})
                    return
                if fake.faults.quota_on_insert:
                    self._send(403, {"error": {"code": 403, "message": "quota", "errors": [{"reason": "quotaExceeded"}]}})
                    return
                with fake.lock:
                    fake.inserts += 1
                    upload_id = f"u{fake.inserts}"
                    fake.uploads[upload_id] = Upload(json.loads(body), int(self.headers["X-Upload-Content-Length"]))
                location = f"{fake.endpoint}/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
                self._send(200, {}, {"Location": location})

            def do_GET(self) -> None:  # noqa: N802
                route = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(route.query)
                if route.path != "/youtube/v3/videos" or query.get("part") != ["processingDetails,status"]:
                    self._send(400, {"error": {"code": 400, "message": f"unexpected GET {self.path}"}})
                    return
                if not self._authorized():
                    return
                video_id = query["id"][0]
                with fake.lock:
                    fake.status_polls[video_id] = polls = fake.status_polls.get(video_id, 0) + 1
                known = [upload for upload in fake.uploads.values() if upload.video_id == video_id]
                items = [fake.video_status(video_id, polls)] if known else []
                self._send(200, {"kind": "youtube#videoListResponse", "items": items})

            def do_PUT(self) -> None:  # noqa: N802
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                upload = fake.uploads.get(query.get("upload_id", [""])[0])
                length = int(self.headers.get("Content-Length", 0))
                content_range = self.headers.get("Content-Range", "")
                with fake.lock:
                    fake.puts += 1
                    number = fake.puts
                if number in fake.faults.drop_at_put:
                    self.rfile.read(length // 2)
                    self.connection.shutdown(2)  # mid-chunk: no answer at all
                    self.close_connection = True
                    return
                # The whole body first, as a server does: how much of it arrives before a pause, and so
                # before the test kills the uploader, must not be luck.
                data = self._read_body(length)
                if number == fake.faults.pause_at_put:
                    fake.paused.set()
                    fake.release.wait(60)
                if data is None:  # the uploader died mid-body: a cut request, not an empty chunk
                    self.close_connection = True
                    return
                if upload is None:
                    self._send(404, {"error": {"code": 404, "message": "no such upload"}})
                    return
                if number in fake.faults.expire_token_at_put:
                    fake.access_token = "expired-by-test"
                if not self._authorized():
                    return
                if number in fake.faults.status_at_put:
                    self._send(fake.faults.status_at_put[number], {"error": {"code": 503, "message": "backend error"}})
                    return
                match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", content_range)
                if match:
                    start = int(match.group(1))
                    if not data:
                        fake.empty_chunk_puts += 1
                    if start <= len(upload.data):
                        upload.data[start:] = data
                elif not content_range.startswith("bytes */"):
                    self._send(400, {"error": {"code": 400, "message": f"bad Content-Range {content_range!r}"}})
                    return
                if len(upload.data) >= upload.size:
                    upload.video_id = upload.video_id or f"video-{len(fake.uploads)}"
                    answer = {"kind": "youtube#video", "id": upload.video_id, **upload.metadata}
                    if fake.faults.lock_private:
                        answer["status"] = {**answer["status"], "privacyStatus": "private"}
                    self._send(200, answer)
                    return
                headers = {"Range": f"bytes=0-{len(upload.data) - 1}"} if upload.data else {}
                self._send(308, None, headers)

        return Handler
