"""Upload alone on a fresh core: an uploading session's video goes to YouTube, then its processing is watched."""

import pytest

from visualizer_server import notifications as n
from visualizer_server.controller.upload_command import UploadCommand
from visualizer_server.model.vo.events import SessionChange
from visualizer_server.model.vo.lifecycle import Event, State
from visualizer_server.model.youtube_credentials_proxy import YouTubeCredentialsProxy


@pytest.fixture
def uploading(core, tmp_path):
    core.proxies()
    core.facade.register_proxy(YouTubeCredentialsProxy(tmp_path / "token.json"))
    core.command(n.UPLOAD_VIDEO, UploadCommand)
    return core.spy(n.START_UPLOAD, n.WATCH_PROCESSING)


def test_uploading_starts_an_upload_whose_credentials_are_fetched_by_the_upload(core, uploading):
    session = core.session(upload=True, video={"title": "Night drive", "tags": ["a"], "privacy": "unlisted"})
    session.upload_uri = "https://upload.example/session-7"
    core.videos.video_path(session.id, "mp4").write_bytes(b"x" * 1000)
    core.facade.send_notification(n.UPLOAD_VIDEO, SessionChange(session.id, State.MUXING, State.UPLOADING, Event.UPLOAD))
    [job] = uploading.bodies(n.START_UPLOAD)
    assert job.metadata == {"snippet": {"title": "Night drive", "description": "", "categoryId": "10", "tags": ["a"]},
                            "status": {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False}}  # fmt: skip
    assert callable(job.credentials), "no network I/O here: the upload refreshes the token in its own greenlet"
    assert job.resumable_uri == "https://upload.example/session-7" and session.upload_total_bytes == 1000
    assert uploading.bodies(n.WATCH_PROCESSING) == []


@pytest.mark.parametrize(("before", "event"), [(State.UPLOADING, Event.UPLOADED), (State.DONE, Event.RESTART)])
def test_an_uploaded_video_has_its_processing_watched_until_the_deadline_from_the_upload(core, uploading, before, event):
    session = core.session(upload=True)
    session.video_id, session.youtube_processing = "video-1", {"since": 1000.0}
    core.facade.send_notification(n.UPLOAD_VIDEO, SessionChange(session.id, before, State.DONE, event))
    [watch] = uploading.bodies(n.WATCH_PROCESSING)
    assert (watch.session_id, watch.video_id) == (session.id, "video-1")
    assert watch.deadline == 1000.0 + core.settings.youtube_processing_timeout_s
    assert uploading.bodies(n.START_UPLOAD) == []
