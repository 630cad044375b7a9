"""The upload's facts: progress and the upload URI, then the outcome."""

import json

import pytest

from visualizer_server import notifications as n
from visualizer_server.controller.finish_upload_command import FinishUploadCommand
from visualizer_server.controller.upload_progress_command import UploadProgressCommand
from visualizer_server.errors import CredentialsError
from visualizer_server.model.vo.lifecycle import Event
from visualizer_server.model.vo.upload_messages import UploadProgress, UploadResult
from visualizer_server.model.youtube_credentials_proxy import YouTubeCredentialsProxy


@pytest.fixture
def uploading(core, tmp_path):
    core.proxies()
    core.facade.register_proxy(YouTubeCredentialsProxy(tmp_path / "token.json"))
    core.command(n.UPLOAD_PROGRESSED, UploadProgressCommand)
    core.command(n.UPLOAD_FINISHED, FinishUploadCommand)

    def session():
        made = core.session(upload=True)
        made.frame_count, made.upload_total_bytes = 1, 1000
        for event in (Event.END, Event.ENCODED, Event.UPLOAD):
            core.sessions.transition(made, event)
        return made

    return session


def test_progress_saves_the_upload_uri_for_a_restart(core, uploading):
    session = uploading()
    core.facade.send_notification(n.UPLOAD_PROGRESSED, UploadProgress(session.id, 262144, "https://u/1"))
    assert session.bytes_uploaded == 262144
    manifest = json.loads((core.settings.work_dir / session.id / "manifest.json").read_text())
    assert manifest["upload_uri"] == "https://u/1"


def test_the_outcome_completes_or_fails_the_session(core, uploading):
    spy = core.spy(n.UPLOAD_COMPLETED, n.SESSION_CHANGED)
    done = uploading()
    core.facade.send_notification(n.UPLOAD_FINISHED, UploadResult(done.id, video_id="abc"))
    [completed] = spy.bodies(n.UPLOAD_COMPLETED)
    assert (completed.video_id, completed.url) == ("abc", "https://www.youtube.com/watch?v=abc")
    assert done.state == "done" and done.bytes_uploaded == 1000
    refused = uploading()
    core.facade.send_notification(n.UPLOAD_FINISHED, UploadResult(refused.id, error_code="upload_quota", error_message="quota"))
    assert refused.state == "failed" and refused.error == {"code": "upload_quota", "message": "quota"}


def test_credentials_errors_say_what_to_do(tmp_path):
    with pytest.raises(CredentialsError, match="authorize"):
        YouTubeCredentialsProxy(tmp_path / "absent.json").credentials()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(CredentialsError, match="not a token file"):
        YouTubeCredentialsProxy(broken).credentials()
