"""Cleanup alone on a fresh core: a final state stops the work and removes what it no longer needs."""

import json

import pytest

from visualizer_server import notifications as n
from visualizer_server.controller.cleanup_command import CleanupCommand
from visualizer_server.model.vo.events import SessionChange
from visualizer_server.model.vo.lifecycle import Event, State


@pytest.fixture
def cleaning(core):
    core.proxies()
    core.command(n.CLEAN_UP_SESSION, CleanupCommand)
    return core.spy(n.STOP_ENCODER, n.STOP_UPLOAD, n.STOP_WATCHING_PROCESSING, n.SESSION_FAILED)


def _stored(core, session, count):
    for index in range(count):
        core.frames.store_frame(session, index, b"x")
        session.frames_received.add(index)


def _enter(core, session, state, event, error=None):
    session.state, session.error = state, error
    core.sessions.save(session)
    core.facade.send_notification(n.CLEAN_UP_SESSION, SessionChange(session.id, State.RECEIVING, state, event))


def test_cancel_stops_everything_and_removes_every_file(core, cleaning):
    session = core.session()
    _stored(core, session, 2)
    partial = core.videos.partial_path(session.id, "mp4")
    partial.write_bytes(b"partial")
    _enter(core, session, State.CANCELLED, Event.CANCEL)
    for stop in (n.STOP_ENCODER, n.STOP_UPLOAD, n.STOP_WATCHING_PROCESSING):
        assert [ref.session_id for ref in cleaning.bodies(stop)] == [session.id]
    assert not (core.settings.work_dir / session.id).exists() and not partial.exists()
    assert core.sessions.find(session.id) is None
    assert cleaning.bodies(n.SESSION_FAILED) == []


@pytest.mark.parametrize("code, spool_kept", [("encode_failed", True), ("upload_failed", False), ("upload_quota", False)])
def test_a_failure_is_announced_and_keeps_what_helps(core, cleaning, code, spool_kept):
    session = core.session()
    _stored(core, session, 1)
    _enter(core, session, State.FAILED, Event.FAIL, {"code": code, "message": "it broke"})
    [failure] = cleaning.bodies(n.SESSION_FAILED)
    assert failure.error == {"code": code, "message": "it broke"} and failure.owner_sid == "sid-1"
    assert core.frames.frame_path(session, 0).exists() == spool_kept
    manifest = json.loads((core.settings.work_dir / session.id / "manifest.json").read_text())
    assert manifest["state"] == "failed" and manifest["error"]["code"] == code


def test_expiry_removes_the_frames_keeps_the_record_and_tells_the_client(core, cleaning):
    session = core.session()
    _stored(core, session, 1)
    _enter(core, session, State.EXPIRED, Event.EXPIRE, {"code": "expired", "message": "idle"})
    assert cleaning.bodies(n.SESSION_FAILED)[0].error["code"] == "expired"
    assert not core.frames.frame_path(session, 0).exists() and core.sessions.find(session.id).state == "expired"


def test_done_removes_the_frames_and_keeps_the_video(core, cleaning):
    session = core.session()
    _stored(core, session, 1)
    video = core.videos.video_path(session.id, "mp4")
    video.write_bytes(b"video")
    _enter(core, session, State.DONE, "built")
    assert not core.frames.frame_path(session, 0).exists() and video.exists()
    assert cleaning.bodies(n.SESSION_FAILED) == []


def test_a_final_state_a_full_disk_held_back_is_saved_by_its_cleanup_into_the_room_the_spool_frees(core, cleaning):
    """The spool is what fills the disk: it goes at once (kept until a later save, it kept the disk
    full), and the state is saved right after, so a restart finds it done, not muxing without a spool."""
    session = core.session()
    _stored(core, session, 1)
    session.state, session.unsaved = State.DONE, True  # the move happened, its save did not
    core.facade.send_notification(n.CLEAN_UP_SESSION, SessionChange(session.id, State.MUXING, State.DONE, Event.BUILT))
    assert not core.frames.frame_path(session, 0).exists()
    manifest = json.loads((core.settings.work_dir / session.id / "manifest.json").read_text())
    assert manifest["state"] == "done" and not session.unsaved
