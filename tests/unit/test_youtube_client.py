"""The one place the YouTube components build the Google client and read its errors."""

import json

import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.errors import HttpError

from visualizer_server.view.components.youtube.youtube_client import error_reason, youtube_client


def _error(status: int, body: bytes) -> HttpError:
    return HttpError(httplib2.Response({"status": status}), body)


def test_the_reason_is_youtubes_word_for_it_or_the_status_when_the_body_says_nothing():
    quota = json.dumps({"error": {"errors": [{"reason": "quotaExceeded"}], "status": "PERMISSION_DENIED"}}).encode()
    assert error_reason(_error(403, quota)) == "quotaExceeded"
    assert error_reason(_error(400, json.dumps({"error": {"status": "INVALID_ARGUMENT"}}).encode())) == "INVALID_ARGUMENT"
    assert error_reason(_error(502, b"<html>Bad Gateway</html>")) == "502"


def test_the_client_speaks_to_the_endpoint_it_is_given_and_to_youtube_otherwise():
    credentials = Credentials(token="t")
    local = youtube_client(credentials, "https://127.0.0.1:8443/")
    assert local.videos().list(part="status", id="v").uri.startswith("https://127.0.0.1:8443/youtube/v3/videos?")
    default = youtube_client(credentials, None)
    assert default.videos().list(part="status", id="v").uri.startswith("https://youtube.googleapis.com/youtube/v3/")
