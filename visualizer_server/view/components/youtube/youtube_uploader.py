"""One video's resumable, chunked, retried upload to YouTube (``videos.insert``), in a greenlet.

google-api-python-client does the protocol; this adds what it leaves to the caller:
- retries of broken connections with exponential backoff and jitter (5xx, 429 and
  rate-limit 403s are retried by ``next_chunk(num_retries=...)`` itself);
- continuing a previous run's upload session (``resumable_uri``) without a new insert;
- a media class that re-sends the chunk's bytes on a retry (the stock one re-sends an empty
  body: the chunk is read from a one-shot stream slice);
- errors turned into the contract's codes: quota errors are never retried.
Knows nothing of PureMVC.
"""

from __future__ import annotations

import logging
import random
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

import eventlet
from eventlet.green import subprocess
from googleapiclient.discovery import Resource
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload

from ....errors import UPLOAD_FAILED, UPLOAD_QUOTA, CredentialsError
from ....model.vo.codec import VIDEO_EXTENSIONS
from ....model.vo.upload_messages import UploadJob, UploadProgress, UploadResult
from ..greenlets import BackgroundTask
from .upload_session_reporter import UploadSessionReporter
from .youtube_client import BROKEN_CONNECTION, QUOTA_REASONS, error_reason, youtube_client
from ..encoding.ffmpeg_commands import ffmpeg_exe

log = logging.getLogger(__name__)
T = TypeVar("T")

CHUNK_RETRIES = 8  # 5xx / 429 / rate limits, inside next_chunk
CONNECTION_RETRIES = 8  # broken connections, here


class RetryingMediaFileUpload(MediaFileUpload):
    """Chunks as bytes, not as a one-shot stream slice, so a retried request sends them again."""

    def has_stream(self) -> bool:
        return False


class YouTubeUploader(BackgroundTask):
    def __init__(
        self,
        job: UploadJob,
        on_progress: Callable[[UploadProgress], None],
        on_finished: Callable[[UploadResult], None],
    ) -> None:
        self.job = job
        self._on_progress = on_progress
        self._on_finished = on_finished

    def _run(self) -> None:
        started = time.monotonic()
        try:
            youtube = self._client()
            video = self._upload(youtube)
            warnings = (*self._locked_private(video), *self._extras(youtube, video["id"]))
            result = UploadResult(self.job.session_id, video_id=video["id"], warnings=warnings)
        except HttpError as error:
            reason = error_reason(error)
            code = UPLOAD_QUOTA if reason in QUOTA_REASONS else UPLOAD_FAILED
            advice = (" (videos.insert has its own daily quota, 100 calls by default; it resets at midnight "
                      "Pacific time)") if code == UPLOAD_QUOTA else ""  # fmt: skip
            message = f"YouTube refused the upload: {reason} (HTTP {error.resp.status}){advice}; the video is kept"
            result = UploadResult(self.job.session_id, error_code=code, error_message=message)
        except CredentialsError as error:
            result = UploadResult(self.job.session_id, error_code=UPLOAD_FAILED, error_message=f"{error}; the video is kept")
        except Exception as error:  # noqa: BLE001 - any failure becomes the session's upload_failed
            log.exception("upload of session %s failed", self.job.session_id)
            message = f"the upload failed: {error}; the video is kept"
            result = UploadResult(self.job.session_id, error_code=UPLOAD_FAILED, error_message=message)
        self._on_finished(UploadResult(**{**result.__dict__, "duration_s": time.monotonic() - started}))

    def _client(self) -> Resource:
        """The API client, with credentials refreshed here, in this greenlet: the token endpoint
        may be slow or unreachable, and only this upload waits for it."""
        credentials = self._retrying(self.job.credentials, "the OAuth token endpoint")
        return youtube_client(credentials, self.job.api_endpoint)

    def _upload(self, youtube: Resource) -> dict[str, Any]:
        """The upload, to its end; returns the video resource YouTube answers with."""
        job = self.job
        mimetype = VIDEO_EXTENSIONS[job.path.suffix.lstrip(".")]
        media = RetryingMediaFileUpload(str(job.path), mimetype=mimetype, chunksize=job.chunk_bytes, resumable=True)
        request = youtube.videos().insert(part="snippet,status", body=job.metadata, media_body=media)
        request.http = UploadSessionReporter(request.http, lambda uri: self._on_progress(UploadProgress(job.session_id, 0, uri)))
        if job.resumable_uri:
            # Continue the previous run's session: in the error state, next_chunk first asks the
            # server how far it got (PUT "bytes */N") instead of inserting the video again.
            request.resumable_uri = job.resumable_uri
            request._in_error_state = True
        response = None
        while response is None:
            # After a broken connection, next_chunk first asks the server how far it got.
            status, response = self._retrying(lambda: request.next_chunk(num_retries=CHUNK_RETRIES), "YouTube")
            if status is not None:
                self._on_progress(UploadProgress(job.session_id, status.resumable_progress, request.resumable_uri))
        return response

    def _retrying(self, call: Callable[[], T], peer: str) -> T:
        """``call()``, again after a broken connection, with exponential backoff and jitter."""
        broken = 0
        while True:
            try:
                return call()
            except BROKEN_CONNECTION as error:
                broken += 1
                if broken > CONNECTION_RETRIES:
                    raise ConnectionError(f"{peer} could not be reached {broken} times in a row ({error})") from None
                delay = min(60.0, 2**broken) * (0.5 + random.random() / 2)
                log.warning("upload of session %s: %s unreachable (%s), retrying in %.1f s", self.job.session_id,
                            peer, error, delay)
                eventlet.sleep(delay)

    def _locked_private(self, video: dict[str, Any]) -> tuple[str, ...]:
        """YouTube locks uploads from an unverified API project (created after July 2020) private,
        whatever was asked: the creator must hear it, or the video silently stays hidden."""
        asked = self.job.metadata["status"]["privacyStatus"]
        given = video.get("status", {}).get("privacyStatus", asked)
        if asked == given or given != "private":
            return ()
        return (f"YouTube made the video private although {asked} was asked: uploads from an unverified API "
                "project are locked private. Have the project audited by Google (YouTube API Services audit) "
                "to publish from it; until then, change the privacy in YouTube Studio",)  # fmt: skip

    def _extras(self, youtube: Resource, video_id: str) -> tuple[str, ...]:
        """Thumbnail and playlist: the video is already up, so a failure here is a warning, not a failure."""
        warnings = []
        if self.job.thumbnail_frame is not None:
            try:
                thumbnail = self._extract_frame(self.job.thumbnail_frame)
                media = MediaFileUpload(str(thumbnail), mimetype="image/jpeg")
                youtube.thumbnails().set(videoId=video_id, media_body=media).execute(num_retries=CHUNK_RETRIES)
                thumbnail.unlink()
            except (HttpError, OSError, RuntimeError) as error:
                warnings.append(f"the thumbnail was not set: {error}")
        if self.job.playlist_id:
            item = {"snippet": {"playlistId": self.job.playlist_id,
                                "resourceId": {"kind": "youtube#video", "videoId": video_id}}}  # fmt: skip
            try:
                youtube.playlistItems().insert(part="snippet", body=item).execute(num_retries=CHUNK_RETRIES)
            except HttpError as error:
                warnings.append(f"the video was not added to playlist {self.job.playlist_id}: {error_reason(error)}")
        return tuple(warnings)

    def _extract_frame(self, index: int) -> Path:
        """Frame ``index`` of the video as a JPEG (YouTube takes thumbnails up to 2 MB)."""
        target = self.job.path.with_name(f"{self.job.session_id}.thumbnail.jpg")
        command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(self.job.path),
                   "-vf", f"select=eq(n\\,{index})", "-frames:v", "1", "-q:v", "3", str(target)]  # fmt: skip
        result = subprocess.run(command, capture_output=True)
        if result.returncode != 0 or not target.exists():
            raise RuntimeError(f"frame {index} could not be extracted: {result.stderr.decode(errors='replace')[-200:]}")
        return target
