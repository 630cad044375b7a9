"""Entering a state starts or stops the session's work, and removes what is no longer needed."""

import json

import pytest

from visualizer_server import notifications as n
from visualizer_server.controller.supervise_session_command import SuperviseSessionCommand
from visualizer_server.errors import ServiceError
from visualizer_server.model.vo.lifecycle import CANCEL, ENCODED, END, EXPIRE, FAIL, RESTART, UPLOAD
from visualizer_server.model.youtube_credentials_proxy import YouTubeCredentialsProxy

WORK = (n.START_ENCODER, n.END_ENCODER_INPUT, n.STOP_ENCODER, n.START_UPLOAD, n.STOP_UPLOAD, n.SESSION_FAILED,
        n.SESSION_PROGRESSED)


@pytest.fixture
def supervised(core, tmp_path):
    core.proxies()
    core.facade.register_proxy(YouTubeCredentialsProxy(tmp_path / "token.json"))
    core.command(n.SESSION_CHANGED, SuperviseSessionCommand)
    return core.spy(*WORK)


def _stored(core, session, count):
    for index in range(count):
        core.frames.store_frame(session, index, b"x")
        session.frames_received.add(index)


def test_a_new_session_gets_an_encoder_that_reads_its_spool(core, supervised):
    session = core.session(fps=25)
    [job] = supervised.bodies(n.START_ENCODER)
    assert (job.session_id, job.fps, job.preset, job.max_restarts) == (session.id, 25, "veryfast", 3)
    assert job.frames is session.frames_received  # the live set, so the encoder sees new frames
    assert job.frame_path(7) == core.frames.frame_path(session, 7)
    assert job.new_intermediate() != job.new_intermediate(), "every encoder run writes a fresh file"
    assert supervised.bodies(n.SESSION_PROGRESSED) == [], "the start_session answer tells the client"


@pytest.mark.parametrize(("spec", "encoder"), [
    ({"codec": "h264"}, "h264_nvenc"), ({"codec": "hevc"}, "hevc_nvenc"), ({"codec": "av1"}, None),
    ({"codec": "vp9"}, None), ({"format": "h264"}, None),
])  # fmt: skip
def test_the_encoder_gets_the_hardware_encoder_found_for_its_codec_unless_it_copies(core, supervised, spec, encoder):
    core.config.hardware_encoders = {"h264": "h264_nvenc", "hevc": "hevc_nvenc"}  # as a probe on an older GPU finds
    core.session(**spec)
    [job] = supervised.bodies(n.START_ENCODER)
    assert job.hardware_encoder == encoder


def test_the_end_closes_the_encoders_input_with_the_count_and_the_audio(core, supervised):
    session = core.session(fps=10, audio_filename="a.wav", audio_size=3)
    _stored(core, session, 4)
    session.frame_count = 4
    core.sessions.transition(session, END)
    [finish] = supervised.bodies(n.END_ENCODER_INPUT)
    assert (finish.frame_count, finish.duration_s) == (4, 0.4)
    assert finish.audio_path == core.frames.audio_path(session)
    assert finish.output_path.parent == core.videos.output_dir and finish.output_path.name.endswith(".mp4.part")
    assert supervised.bodies(n.SESSION_PROGRESSED)[-1].stage == "encoding"


def test_a_restart_mid_encode_starts_the_encoder_again_and_closes_its_input(core, supervised):
    session = core.session()
    session.frame_count = 1
    for event in (END, ENCODED, RESTART):
        core.sessions.transition(session, event)
    assert session.state == "encoding"
    assert len(supervised.bodies(n.START_ENCODER)) == 2 and len(supervised.bodies(n.END_ENCODER_INPUT)) == 2


def test_uploading_starts_an_upload_whose_credentials_are_fetched_by_the_upload(core, supervised):
    session = core.session(upload=True, video={"title": "Night drive", "tags": ["a"], "privacy": "unlisted"})
    session.upload_uri = "https://upload.example/session-7"
    core.videos.video_path(session.id, "mp4").write_bytes(b"x" * 1000)
    for event in (END, ENCODED, UPLOAD):
        core.sessions.transition(session, event)
    [job] = supervised.bodies(n.START_UPLOAD)
    assert job.metadata == {"snippet": {"title": "Night drive", "description": "", "categoryId": "10", "tags": ["a"]},
                            "status": {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False}}  # fmt: skip
    assert callable(job.credentials), "no network I/O here: the upload refreshes the token in its own greenlet"
    assert job.resumable_uri == "https://upload.example/session-7" and session.upload_total_bytes == 1000


def test_cancel_stops_everything_and_removes_every_file(core, supervised):
    session = core.session()
    _stored(core, session, 2)
    partial = core.videos.partial_path(session.id, "mp4")
    partial.write_bytes(b"partial")
    core.sessions.transition(session, CANCEL)
    assert [ref.session_id for ref in supervised.bodies(n.STOP_ENCODER)] == [session.id]
    assert [ref.session_id for ref in supervised.bodies(n.STOP_UPLOAD)] == [session.id]
    assert not (core.settings.work_dir / session.id).exists() and not partial.exists()
    assert core.sessions.find(session.id) is None
    assert supervised.bodies(n.SESSION_PROGRESSED)[-1].stage == "cancelled"


@pytest.mark.parametrize("code, spool_kept", [("encode_failed", True), ("upload_failed", False)])
def test_a_failure_is_announced_and_keeps_what_helps(core, supervised, code, spool_kept):
    session = core.session()
    _stored(core, session, 1)
    core.sessions.transition(session, FAIL, ServiceError(code, "it broke"))
    [failure] = supervised.bodies(n.SESSION_FAILED)
    assert failure.error == {"code": code, "message": "it broke"} and failure.owner_sid == "sid-1"
    assert core.frames.frame_path(session, 0).exists() == spool_kept
    manifest = json.loads((core.settings.work_dir / session.id / "manifest.json").read_text())
    assert manifest["state"] == "failed" and manifest["error"]["code"] == code


def test_expiry_removes_the_frames_keeps_the_record_and_tells_the_client(core, supervised):
    session = core.session()
    _stored(core, session, 1)
    core.sessions.transition(session, EXPIRE, ServiceError("expired", "idle"))
    assert supervised.bodies(n.SESSION_FAILED)[0].error["code"] == "expired"
    assert not core.frames.frame_path(session, 0).exists() and core.sessions.find(session.id).state == "expired"
    assert supervised.bodies(n.SESSION_PROGRESSED)[-1].stage == "failed"
