"""The upload step's commands alone: deciding, progress and the upload URI, the outcome."""

import json

import pytest
from google.oauth2.credentials import Credentials

from visualizer_server import notifications as n
from visualizer_server.controller.finish_upload_command import FinishUploadCommand
from visualizer_server.controller.upload_command import UploadCommand
from visualizer_server.controller.upload_progress_command import UploadProgressCommand
from visualizer_server.model.vo.upload_messages import SessionRef, UploadProgress, UploadResult
from visualizer_server.model.youtube_credentials_proxy import CredentialsError, YouTubeCredentialsProxy


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / "token.json"
    path.write_text(json.dumps({"token": "t", "refresh_token": "r", "token_uri": "https://example.invalid/token",
                                "client_id": "c", "client_secret": "s", "expiry": "2999-01-01T00:00:00Z"}))  # fmt: skip
    return path


def _setup(core, token_file, upload=True, **video):
    core.proxies()
    core.facade.register_proxy(YouTubeCredentialsProxy(token_file, "https://127.0.0.1:1/token"))
    for name, command in ((n.VIDEO_BUILT, UploadCommand), (n.UPLOAD_PROGRESSED, UploadProgressCommand),
                          (n.UPLOAD_FINISHED, FinishUploadCommand)):  # fmt: skip
        core.command(name, command)
    spy = core.spy(n.START_UPLOAD, n.CLEANUP_SESSION, n.UPLOAD_COMPLETED, n.SESSION_FAILED)
    session = core.session(upload=upload, video=video)
    core.videos.video_path(session.id).write_bytes(b"x" * 1000)
    return session, spy


def test_a_session_without_upload_goes_straight_to_cleanup(core, token_file):
    session, spy = _setup(core, token_file, upload=False)
    core.facade.send_notification(n.VIDEO_BUILT, SessionRef(session.id))
    assert [ref.session_id for ref in spy.bodies(n.CLEANUP_SESSION)] == [session.id]
    assert spy.bodies(n.START_UPLOAD) == []


def test_the_upload_job_carries_metadata_credentials_and_the_token_uri_override(core, token_file):
    session, spy = _setup(core, token_file, title="Night drive", tags=["a"], privacy="unlisted")
    session.upload_uri = "https://upload.example/session-7"
    core.facade.send_notification(n.VIDEO_BUILT, SessionRef(session.id))
    [job] = spy.bodies(n.START_UPLOAD)
    assert job.metadata == {"snippet": {"title": "Night drive", "description": "", "categoryId": "10", "tags": ["a"]},
                            "status": {"privacyStatus": "unlisted"}}  # fmt: skip
    assert isinstance(job.credentials, Credentials) and job.credentials.token_uri == "https://127.0.0.1:1/token"
    assert job.resumable_uri == "https://upload.example/session-7" and job.chunk_bytes == core.settings.youtube_chunk_bytes
    assert session.state == "uploading" and session.upload_total_bytes == 1000


def test_missing_credentials_fail_the_upload_and_keep_the_video(core, tmp_path):
    session, spy = _setup(core, tmp_path / "absent.json")
    core.facade.send_notification(n.VIDEO_BUILT, SessionRef(session.id))
    [failure] = spy.bodies(n.SESSION_FAILED)
    assert failure.error["code"] == "upload_failed" and "visualizer-server authorize" in failure.error["message"]
    assert core.videos.find(session.id) is not None


def test_progress_saves_the_upload_uri_for_a_restart(core, token_file):
    session, _ = _setup(core, token_file)
    core.facade.send_notification(n.UPLOAD_PROGRESSED, UploadProgress(session.id, 262144, "https://u/1"))
    assert session.bytes_uploaded == 262144
    manifest = json.loads((core.settings.work_dir / session.id / "manifest.json").read_text())
    assert manifest["upload_uri"] == "https://u/1"


def test_the_outcome_completes_or_fails_the_session(core, token_file):
    done, spy = _setup(core, token_file)
    core.facade.send_notification(n.UPLOAD_FINISHED, UploadResult(done.id, video_id="abc"))
    [completed] = spy.bodies(n.UPLOAD_COMPLETED)
    assert (completed.video_id, completed.url) == ("abc", "https://www.youtube.com/watch?v=abc")
    assert [ref.session_id for ref in spy.bodies(n.CLEANUP_SESSION)] == [done.id]
    refused = core.session(upload=True)
    core.facade.send_notification(n.UPLOAD_FINISHED, UploadResult(refused.id, error_code="upload_quota", error_message="quota"))
    assert spy.bodies(n.SESSION_FAILED)[-1].error == {"code": "upload_quota", "message": "quota"}


def test_credentials_errors_say_what_to_do(tmp_path):
    with pytest.raises(CredentialsError, match="authorize"):
        YouTubeCredentialsProxy(tmp_path / "absent.json").credentials()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(CredentialsError, match="not a token file"):
        YouTubeCredentialsProxy(broken).credentials()
