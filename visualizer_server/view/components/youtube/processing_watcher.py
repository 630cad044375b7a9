"""Polls YouTube's processing of one uploaded video until it is processed, failed or rejected.

``videos.list(part="processingDetails,status")`` costs 1 unit of the shared 10,000-unit daily
quota; the delay between polls doubles from ``first_delay_s`` to ``max_delay_s`` (5 s to 60 s:
about 35 calls in the 30 minutes before the answer is ``timeout``). A failed poll (5xx, a broken
connection) is only a poll without an answer. Knows nothing of PureMVC.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

import eventlet
from googleapiclient.discovery import Resource
from googleapiclient.errors import HttpError

from ....errors import CredentialsError
from ....model.vo.processing_messages import ProcessingResult, ProcessingStatus, ProcessingWatch
from ..greenlets import BackgroundTask
from .youtube_client import BROKEN_CONNECTION, TRANSIENT_STATUSES, error_reason, youtube_client

log = logging.getLogger(__name__)


def outcome(item: dict[str, Any] | None) -> tuple[ProcessingStatus, str | None] | None:
    """What ``videos.list`` says of a video: (status, reason), or None while it is still processing."""
    if item is None:
        return ProcessingStatus.FAILED, "the video is no longer on YouTube"
    status, details = item.get("status", {}), item.get("processingDetails", {})
    upload_status = status.get("uploadStatus")
    if upload_status == "rejected":
        return ProcessingStatus.REJECTED, status.get("rejectionReason", "rejected")
    if upload_status in ("failed", "deleted"):
        return ProcessingStatus.FAILED, status.get("failureReason", upload_status)
    processing = details.get("processingStatus")
    if processing in ("failed", "terminated"):
        return ProcessingStatus.FAILED, details.get("processingFailureReason", processing)
    if upload_status == "processed" or processing == "succeeded":
        return ProcessingStatus.PROCESSED, None
    return None


class ProcessingWatcher(BackgroundTask):
    def __init__(self, watch: ProcessingWatch, on_finished: Callable[[ProcessingResult], None]) -> None:
        self.watch = watch
        self._on_finished = on_finished

    def _run(self) -> None:
        watch = self.watch
        try:
            status, reason = self._poll_until_known()
        except Exception as error:  # noqa: BLE001 - a lost exception would leave the video watched for ever
            log.exception("session %s: watching YouTube's processing failed", watch.session_id)
            status, reason = ProcessingStatus.TIMEOUT, f"the server could not read the processing status: {error}"
        log.info("session %s: YouTube video %s %s%s", watch.session_id, watch.video_id, status,
                 f" ({reason})" if reason else "")
        self._on_finished(ProcessingResult(watch.session_id, watch.video_id, status, reason))

    def _poll_until_known(self) -> tuple[ProcessingStatus, str | None]:
        watch, delay = self.watch, self.watch.first_delay_s
        youtube = None
        while True:
            wait = min(delay, watch.deadline - time.time())
            if wait < 0:
                reason = f"YouTube had not finished processing the video by the deadline ({watch.video_id})"
                return ProcessingStatus.TIMEOUT, reason
            eventlet.sleep(wait)
            try:
                youtube = youtube or self._client()
                known = self._ask(youtube)
            except HttpError as error:
                if error.resp.status not in TRANSIENT_STATUSES:
                    reason = (f"YouTube's processing status could not be read: {error_reason(error)} "
                              f"(HTTP {error.resp.status})")
                    return ProcessingStatus.TIMEOUT, reason
                known = None
            except (CredentialsError, *BROKEN_CONNECTION) as error:
                log.warning("session %s: YouTube's processing status not read this time: %s", watch.session_id, error)
                known = None
            if known is not None:
                return known
            delay = min(watch.max_delay_s, delay * 2)

    def _ask(self, youtube: Resource) -> tuple[ProcessingStatus, str | None] | None:
        answer = youtube.videos().list(part="processingDetails,status", id=self.watch.video_id).execute()
        items = answer.get("items", [])
        return outcome(items[0] if items else None)

    def _client(self) -> Resource:
        return youtube_client(self.watch.credentials(), self.watch.api_endpoint)
