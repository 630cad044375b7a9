"""Text no file, log or API can hold (a lone surrogate, from JSON's ``\\ud800``) is a bad request, not a crash."""

from __future__ import annotations

import pytest

from .client import RecordingClient


@pytest.fixture
def client(server, connect) -> RecordingClient:
    return connect(server.url)


def _assert_invalid(ack: dict, field: str) -> None:
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_request", ack
    assert f"'{field}'" in ack["error"]["message"]


def test_a_lone_surrogate_in_the_resume_token_is_invalid_request(client):
    session_id = client.start(width=64, height=64, format="jpeg")["session_id"]
    _assert_invalid(client.call("resume_session", {"session_id": session_id, "resume_token": "\ud800"}), "resume_token")


@pytest.mark.parametrize("video, field", [
    ({"description": "a\udcff"}, "video.description"), ({"title": "\ud83d"}, "video.title"),
    ({"tags": ["ok", "\ud800"]}, "video.tags"),
])  # fmt: skip
def test_a_lone_surrogate_in_the_video_metadata_is_invalid_request(client, video, field):
    ack = client.call("start_session", {"width": 64, "height": 64, "format": "jpeg", "upload": False, "video": video})
    _assert_invalid(ack, field)


def test_a_lone_surrogate_in_a_session_id_is_invalid_request(client):
    _assert_invalid(client.call("session_status", {"session_id": "\udfff"}), "session_id")
