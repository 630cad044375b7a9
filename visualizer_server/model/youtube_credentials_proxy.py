"""The YouTube OAuth2 user credentials: read from the token file, refreshed, written back (0600)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

import google_auth_httplib2
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from googleapiclient.http import build_http
from puremvc.patterns.proxy import Proxy

from ..errors import CredentialsError
from .files import write_private_file

log = logging.getLogger(__name__)

TOKEN_KEYS = ("refresh_token", "client_id", "client_secret")  # what a refresh needs; the access token may be gone
SCOPES = ["https://www.googleapis.com/auth/youtube.upload", "https://www.googleapis.com/auth/youtube"]


class YouTubeCredentialsProxy(Proxy):
    NAME = "YouTubeCredentialsProxy"

    def __init__(self, token_file: Path | None, token_uri: str | None = None) -> None:
        super().__init__(self.NAME, None)
        self.token_file = token_file
        self.token_uri = token_uri

    @property
    def configured(self) -> bool:
        return self.token_file is not None

    def credentials(self) -> Credentials:
        """Valid credentials, refreshed (and saved) if the access token has expired.

        The refresh is network I/O: only the upload's own greenlet calls this, never a command.
        """
        credentials = self.data or self._load()
        if not credentials.valid:
            self._refresh(credentials)
        self.data = credentials
        return credentials

    def check(self) -> None:
        """At startup: the token file is one ``authorize`` wrote, and the service may rewrite it.

        Found here, a wrong file stops the server with a sentence; found at the first upload,
        it would fail every session. The server rewrites the file after each refresh of the
        access token (a new ``.tmp`` beside it, then a rename), so the file and its folder
        must be writable by the user the service runs as.
        """
        self._load()
        folder = self.token_file.resolve().parent
        if not os.access(self.token_file, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
            raise CredentialsError(
                f"{self.token_file} and its folder {folder} must be writable by the user the server runs as: "
                "the server rewrites the file each time it refreshes the access token (chown it to that user)"
            )

    def save(self) -> None:
        """Write the current credentials back, readable by this user only (it holds a refresh token)."""
        if self.data is None or self.token_file is None:
            return
        write_private_file(self.token_file, self.data.to_json())

    def _load(self) -> Credentials:
        if self.token_file is None or not self.token_file.is_file():
            raise CredentialsError(
                f"no YouTube token file at {self.token_file}: run 'visualizer-server authorize "
                "--client-secrets client_secret.json' once to create it"
            )
        try:
            data = json.loads(self.token_file.read_text())
            missing = [key for key in TOKEN_KEYS if not isinstance(data, dict) or not data.get(key)]
            if missing:
                raise ValueError(f"it has no {', '.join(missing)}")
            # Built by hand: from_authorized_user_file() replaces the token_uri and treats a
            # token with no expiry as expired (seen with google-auth 2.63).
            expiry = data.get("expiry")
            return Credentials(
                token=data.get("token"),
                refresh_token=data.get("refresh_token"),
                token_uri=self.token_uri or data.get("token_uri"),
                client_id=data.get("client_id"),
                client_secret=data.get("client_secret"),
                scopes=data.get("scopes") or SCOPES,
                expiry=dt.datetime.fromisoformat(expiry.rstrip("Z")).replace(tzinfo=None) if expiry else None,
            )
        except (ValueError, TypeError, AttributeError) as error:
            raise CredentialsError(
                f"{self.token_file} is not a token file written by 'visualizer-server authorize' ({error}); "
                "run 'visualizer-server authorize --client-secrets client_secret.json' to write one"
            ) from None

    def _refresh(self, credentials: Credentials) -> None:
        if not credentials.refresh_token:
            raise CredentialsError("the YouTube token has expired and has no refresh token: run 'authorize' again")
        try:
            credentials.refresh(google_auth_httplib2.Request(build_http()))
        except RefreshError as error:
            if "invalid_grant" in str(error):
                raise CredentialsError(
                    "Google refused the refresh token (invalid_grant): it was revoked, or it expired "
                    "(an OAuth app in 'Testing' status gets tokens that last 7 days). Run "
                    "'visualizer-server authorize' again, or publish the app."
                ) from None
            raise CredentialsError(f"refreshing the YouTube token failed: {error}") from None
        log.info("YouTube access token refreshed")
        self.data = credentials
        self.save()
