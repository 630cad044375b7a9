"""After an upload: YouTube's processing polled through the real Google client against the local fake,
the new status fields (made for kids, scheduled publishing), and an unverified project's lock."""

from __future__ import annotations

import datetime as dt

import pytest

from ..media import encode_frame
from ..processes import wait_until
from .client import RecordingClient

WIDTH, HEIGHT, FRAMES = 64, 64, 6


def _polling(timeout_s: int = 1800) -> tuple[str, ...]:
    """Polls 20 ms apart at first (5 s in production), so the tests wait for answers, not for clocks."""
    return ("--youtube-processing-poll-ms", "20", "--youtube-processing-poll-max-ms", "100",
            "--youtube-processing-timeout-s", str(timeout_s))  # fmt: skip


def _render(client: RecordingClient, **video) -> dict:
    started = client.start(width=WIDTH, height=HEIGHT, fps=30, format="jpeg", upload=True, video=video)
    for index in range(FRAMES):
        assert client.send_frame(started["session_id"], index, encode_frame(index, WIDTH, HEIGHT, "jpeg"))["ok"]
    assert client.call("end_session", {"session_id": started["session_id"], "frame_count": FRAMES})["ok"]
    return started


def test_processing_is_polled_until_youtube_says_processed_and_the_status_fields_reach_youtube(
    youtube, start_youtube_server, connect
):
    publish_at = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)).replace(microsecond=0)
    server = start_youtube_server(*_polling())
    client = connect(server.url)
    session_id = _render(client, title="Lullaby", made_for_kids=True, publish_at=publish_at.isoformat())["session_id"]
    video_id = client.wait_for("upload_complete")["video_id"]
    assert client.wait_for("youtube_processed") == {"session_id": session_id, "video_id": video_id,
                                                    "status": "processed"}  # fmt: skip
    assert youtube.status_polls[video_id] == youtube.faults.processing_answers + 1
    [upload] = youtube.uploads.values()
    assert upload.metadata["status"] == {"privacyStatus": "private", "selfDeclaredMadeForKids": True,
                                         "publishAt": publish_at.strftime("%Y-%m-%dT%H:%M:%SZ")}  # fmt: skip
    status = client.call("session_status", {"session_id": session_id})
    assert status["state"] == "done" and status["youtube_processing"]["status"] == "processed"


def test_a_video_declares_it_is_not_made_for_kids_unless_told(youtube, start_youtube_server, connect):
    server = start_youtube_server(*_polling())
    client = connect(server.url)
    _render(client, privacy="unlisted")
    client.wait_for("youtube_processed")
    [upload] = youtube.uploads.values()
    assert upload.metadata["status"] == {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False}


@pytest.mark.parametrize(("outcome", "reason"), [("rejected", "duplicate"), ("failed", "codec")])
def test_a_rejected_or_failed_video_is_reported_with_the_reason(
    youtube, outcome, reason, start_youtube_server, connect
):
    youtube.faults.processing_outcome = outcome
    server = start_youtube_server(*_polling())
    client = connect(server.url)
    _render(client)
    processed = client.wait_for("youtube_processed")
    assert (processed["status"], processed["reason"]) == (outcome, reason)


def test_processing_that_never_ends_is_reported_as_a_timeout(youtube, start_youtube_server, connect):
    youtube.faults.hold_processing = True
    server = start_youtube_server(*_polling(timeout_s=2))
    client = connect(server.url)
    _render(client)
    processed = client.wait_for("youtube_processed")
    assert processed["status"] == "timeout" and "deadline" in processed["reason"]
    assert sum(youtube.status_polls.values()) > 3, "it kept asking, with a bounded backoff"


def test_a_restarted_server_watches_the_processing_again(youtube, start_youtube_server, connect):
    youtube.faults.hold_processing = True
    server = start_youtube_server(*_polling())
    client = connect(server.url)
    started = _render(client)
    video_id = client.wait_for("upload_complete")["video_id"]
    wait_until(lambda: youtube.status_polls.get(video_id), what="a first poll")
    server.kill()
    client.close()

    restarted = start_youtube_server(*_polling())
    again = connect(restarted.url)
    assert again.call("resume_session", {"session_id": started["session_id"],
                                         "resume_token": started["resume_token"]})["state"] == "done"  # fmt: skip
    polls = youtube.status_polls[video_id]
    wait_until(lambda: youtube.status_polls[video_id] > polls, what="a poll from the restarted server")
    youtube.processing_done.set()
    assert again.wait_for("youtube_processed")["status"] == "processed"


def test_an_unverified_project_s_private_lock_is_a_warning_in_upload_complete(youtube, start_youtube_server, connect):
    youtube.faults.lock_private = True
    server = start_youtube_server(*_polling())
    client = connect(server.url)
    _render(client, privacy="public")
    [warning] = client.wait_for("upload_complete")["warnings"]
    assert "private although public was asked" in warning and "unverified" in warning


@pytest.mark.parametrize(("video", "words"), [
    ({"publish_at": "2099-01-01T00:00:00Z", "privacy": "public"}, "needs 'video.privacy' private"),
    ({"publish_at": "2000-01-01T00:00:00Z"}, "must be in the future"),
    ({"publish_at": "2099-01-01T00:00:00"}, "time zone"),
    ({"publish_at": "tomorrow"}, "ISO 8601"),
    ({"made_for_kids": "no"}, "'video.made_for_kids' must be a bool"),
])  # fmt: skip
def test_impossible_youtube_fields_are_refused_at_the_start(server, connect, video, words):
    client = connect(server.url)
    ack = client.call("start_session", {"width": WIDTH, "height": HEIGHT, "format": "jpeg", "video": video})
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_request" and words in ack["error"]["message"]
