"""Uploads through the real google-api-python-client to a local server speaking YouTube's protocol."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

import numpy as np
from PIL import Image

from ..media import encode_frame, read_index
from .client import RecordingClient
from .fake_youtube import FakeYouTube

WIDTH, HEIGHT, FRAMES = 640, 360, 60
CHUNK = 256 * 1024
METADATA = {"title": "Night drive", "description": "rendered in a browser", "tags": ["music", "visualizer"],
            "privacy": "unlisted"}  # fmt: skip


CHUNKED = ("--youtube-chunk-bytes", str(CHUNK))


def _noisy_frame(index: int) -> bytes:
    """Grainy frames, so the video is several chunks long."""
    pixels = np.random.default_rng(index).integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _render(client: RecordingClient, **extra) -> str:
    session_id = client.start(width=WIDTH, height=HEIGHT, fps=30, format="jpeg", video=METADATA, **extra)["session_id"]
    for index in range(FRAMES):
        assert client.send_frame(session_id, index, _noisy_frame(index))["ok"]
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]
    return session_id


def _assert_uploaded_exactly(youtube: FakeYouTube, video) -> None:
    [upload] = youtube.uploads.values()
    assert youtube.inserts == 1, "the upload was started twice (quota!)"
    assert bytes(upload.data) == video.read_bytes()
    assert youtube.empty_chunk_puts == 0
    assert upload.metadata["snippet"]["title"] == "Night drive"
    assert upload.metadata["snippet"]["tags"] == ["music", "visualizer"]
    assert upload.metadata["status"]["privacyStatus"] == "unlisted"


def test_a_session_is_uploaded_whole_and_cleaned_up(youtube, start_youtube_server, connect):
    server = start_youtube_server(*CHUNKED)
    client = connect(server.url)
    session_id = _render(client)  # no "upload" field: with credentials it defaults to true
    done = client.wait_for("upload_complete")
    video = server.output_dir / f"{session_id}.mp4"
    assert video.stat().st_size > 3 * CHUNK
    assert done == {"session_id": session_id, "video_id": "video-1", "url": "https://www.youtube.com/watch?v=video-1",
                    "warnings": []}  # fmt: skip
    _assert_uploaded_exactly(youtube, video)
    assert client.wait_for_stage("done")["bytes_uploaded"] == video.stat().st_size
    assert "uploading" in [p["stage"] for p in client.events["progress"]]
    assert not (server.work_dir / session_id / "frames").exists()
    assert client.call("session_status", {"session_id": session_id})["state"] == "done"


def test_a_chosen_frame_becomes_the_thumbnail_and_the_video_joins_a_playlist(youtube, start_youtube_server, connect):
    server = start_youtube_server(*CHUNKED)
    client = connect(server.url)
    session_id = client.start(width=WIDTH, height=HEIGHT, fps=30, format="jpeg", upload=True,
                              video={**METADATA, "thumbnail_frame": 37, "playlist_id": "PL-visuals"})["session_id"]  # fmt: skip
    for index in range(FRAMES):
        assert client.send_frame(session_id, index, encode_frame(index, WIDTH, HEIGHT, "jpeg"))["ok"]
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]
    done = client.wait_for("upload_complete")
    assert done["warnings"] == []
    thumbnail = Image.open(io.BytesIO(youtube.thumbnails[done["video_id"]]))
    assert (thumbnail.format, thumbnail.size) == ("JPEG", (WIDTH, HEIGHT))
    assert read_index(np.asarray(thumbnail.convert("RGB"))) == 37
    [item] = youtube.playlist_items
    assert item["snippet"] == {"playlistId": "PL-visuals",
                               "resourceId": {"kind": "youtube#video", "videoId": done["video_id"]}}  # fmt: skip


def test_a_503_a_dropped_connection_and_an_expired_token_still_give_one_whole_upload(
    tmp_path, youtube, start_youtube_server, connect
):
    youtube.faults.status_at_put = {2: 503}
    youtube.faults.drop_at_put = {4}
    youtube.faults.expire_token_at_put = {6}
    server = start_youtube_server(*CHUNKED)
    client = connect(server.url)
    session_id = _render(client, upload=True)
    client.wait_for("upload_complete", timeout=180)
    _assert_uploaded_exactly(youtube, server.output_dir / f"{session_id}.mp4")
    assert youtube.refreshes == 1  # the 401 went through the token endpoint
    # The refreshed access token was written back to the token file, readable by its owner only.
    token_file = tmp_path / "token.json"
    assert youtube.access_token in token_file.read_text()
    assert token_file.stat().st_mode & 0o777 == 0o600


def test_a_quota_error_fails_the_upload_and_keeps_the_video(youtube, start_youtube_server, connect):
    youtube.faults.quota_on_insert = True
    server = start_youtube_server(*CHUNKED)
    client = connect(server.url)
    session_id = _render(client, upload=True)
    failure = client.wait_for("session_failed")
    assert failure["error"]["code"] == "upload_quota"
    assert "quotaExceeded" in failure["error"]["message"] and "kept" in failure["error"]["message"]
    with urllib.request.urlopen(server.url + f"/videos/{session_id}.mp4") as response:
        assert response.status == 200


def test_a_revoked_refresh_token_fails_the_upload_with_what_to_do(youtube, start_youtube_server, connect):
    youtube.faults.refuse_refresh = True
    server = start_youtube_server(*CHUNKED, expired_token=True)
    client = connect(server.url)
    session_id = _render(client, upload=True)
    failure = client.wait_for("session_failed")["error"]
    assert failure["code"] == "upload_failed"
    assert "invalid_grant" in failure["message"] and "7 days" in failure["message"]
    assert "authorize" in failure["message"] and youtube.inserts == 0
    assert (server.output_dir / f"{session_id}.mp4").exists()


def test_an_expired_token_is_refreshed_before_the_upload(youtube, start_youtube_server, connect):
    server = start_youtube_server(*CHUNKED, expired_token=True)
    client = connect(server.url)
    session_id = _render(client, upload=True)
    client.wait_for("upload_complete")
    _assert_uploaded_exactly(youtube, server.output_dir / f"{session_id}.mp4")
    assert youtube.refreshes == 1


def test_a_server_killed_during_the_upload_continues_the_same_upload_after_a_restart(
    youtube, start_youtube_server, connect
):
    youtube.faults.pause_at_put = 3  # two chunks in, the third waits while the server is killed
    server = start_youtube_server(*CHUNKED)
    client = connect(server.url)
    started_session = client.start(width=WIDTH, height=HEIGHT, fps=30, format="jpeg", video=METADATA, upload=True)
    session_id, token = started_session["session_id"], started_session["resume_token"]
    for index in range(FRAMES):
        assert client.send_frame(session_id, index, _noisy_frame(index))["ok"]
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]
    assert youtube.paused.wait(120)
    server.kill()
    client.close()
    youtube.release.set()

    restarted = start_youtube_server(*CHUNKED)
    again = connect(restarted.url)
    again.resume_until(session_id, token, "upload_complete")
    _assert_uploaded_exactly(youtube, restarted.output_dir / f"{session_id}.mp4")


def test_authorize_runs_the_consent_flow_and_writes_a_private_token_file(tmp_path, youtube):
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps({"installed": {
        "client_id": "cid", "client_secret": "csecret", "auth_uri": youtube.endpoint + "/auth",
        "token_uri": youtube.endpoint + "/token", "redirect_uris": ["http://localhost"]}}))  # fmt: skip
    token_file = tmp_path / "token.json"
    authorize = subprocess.Popen(
        [sys.executable, "-m", "visualizer_server", "authorize", "--client-secrets", str(secrets),
         "--token-file", str(token_file), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "REQUESTS_CA_BUNDLE": str(youtube.cert), "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    prompt = authorize.stdout.readline()  # "Open this URL to allow uploads: <consent page>"
    consent = urllib.parse.urlsplit(prompt.split(": ", 1)[1].strip())
    query = urllib.parse.parse_qs(consent.query)
    assert consent.path == "/auth" and "https://www.googleapis.com/auth/youtube.upload" in query["scope"][0]
    # What the browser does once the user said yes: Google redirects to the loopback listener.
    redirect = f"{query['redirect_uri'][0]}?code=the-code&state={query['state'][0]}"
    with urllib.request.urlopen(redirect) as response:
        assert response.status == 200
    out, err = authorize.communicate(timeout=60)
    assert authorize.returncode == 0, err
    assert youtube.codes_exchanged == ["the-code"]
    saved = json.loads(token_file.read_text())
    assert saved["refresh_token"] == "refresh-from-consent" and saved["token"] == youtube.access_token
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert f"--youtube-token-file {token_file}" in out
