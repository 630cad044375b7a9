"""The one place that builds the Google API client for YouTube and reads its errors.

The uploader and the processing watcher both talk to the Data API through it: the same
``httplib2`` transport (``build_http()``, whose redirect codes leave the resumable 308 alone),
the same offline discovery document, the same endpoint override for a local fake, and the same
reading of what went wrong. Knows nothing of PureMVC.
"""

from __future__ import annotations

import http.client
import json
import socket

import google_auth_httplib2
import httplib2
from google.auth.exceptions import TransportError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import Resource, build
from googleapiclient.errors import HttpError
from googleapiclient.http import build_http

# A request that never got an answer: worth asking again after a while.
BROKEN_CONNECTION = (httplib2.HttpLib2Error, http.client.HTTPException, TransportError, ConnectionError, socket.timeout,
                     OSError)  # fmt: skip
# Answers that say "later", not "no".
TRANSIENT_STATUSES = {429, 500, 502, 503, 504}
# Reasons YouTube gives when a quota is spent: never retried.
QUOTA_REASONS = {"quotaExceeded", "uploadLimitExceeded", "dailyLimitExceeded", "rateLimitExceeded"}


def youtube_client(credentials: Credentials, api_endpoint: str | None) -> Resource:
    """The YouTube Data API v3 client, authorised by ``credentials``, at ``api_endpoint`` when given."""
    authorized = google_auth_httplib2.AuthorizedHttp(credentials, http=build_http())
    options = {"api_endpoint": api_endpoint} if api_endpoint else None
    return build("youtube", "v3", http=authorized, static_discovery=True, client_options=options)


def error_reason(error: HttpError) -> str:
    """The reason YouTube gives in an error's body (``quotaExceeded``...), or its HTTP status."""
    try:
        details = json.loads(error.content.decode())["error"]
        return details.get("errors", [{}])[0].get("reason") or details.get("status") or str(error.resp.status)
    except (ValueError, KeyError, IndexError, AttributeError):
        return str(error.resp.status)
