"""Resume, taking in the work folder after a restart, and detaching on disconnect."""

from visualizer_server import notifications as n
from visualizer_server.controller.adopt_sessions_command import AdoptSessionsCommand
from visualizer_server.controller.detach_sessions_command import DetachSessionsCommand
from visualizer_server.controller.take_in_work_folder_command import TakeInWorkFolderCommand
from visualizer_server.controller.resume_session_command import ResumeSessionCommand
from visualizer_server.model.session_proxy import SessionProxy
from visualizer_server.model.vo.requests import ResumeSessionRequest

from .conftest import rgba


def _resume(core, session_id, token, sid="sid-2"):
    request = ResumeSessionRequest(sid, session_id=session_id, resume_token=token)
    core.facade.send_notification(n.RESUME_SESSION, request)
    return request.reply.to_ack()


def test_resume_rebinds_the_session_and_starts_no_work(core):
    core.command(n.RESUME_SESSION, ResumeSessionCommand)
    core.proxies()
    session = core.session()
    spy = core.spy(n.SESSION_CHANGED, n.START_ENCODER)
    session.frames_received.add(0)
    assert _resume(core, session.id, "wrong")["error"]["code"] == "unauthorized"
    assert _resume(core, "f" * 32, session.resume_token)["error"]["code"] == "unknown_session"
    assert session.owner_sid == "sid-1" and spy.seen == []
    ack = _resume(core, session.id, session.resume_token)
    assert ack["ok"] and ack["frames_received"] == [[0, 0]] and session.owner_sid == "sid-2"
    assert [change.event for change in spy.bodies(n.SESSION_CHANGED)] == ["resume"]
    assert spy.bodies(n.START_ENCODER) == []


def test_restore_reads_the_spool_drops_partials_and_restarts_each_session(core):
    core.command(n.STARTUP, TakeInWorkFolderCommand)
    core.command(n.ADOPT_SESSIONS, AdoptSessionsCommand)
    core.proxies()
    ended, waiting = core.session(audio_filename="a.wav", audio_size=3), core.session()
    for index in (0, 1, 2):
        core.frames.store_frame(ended, index, rgba())
    core.frames.store_frame(waiting, 5, rgba())
    (core.frames.frame_path(waiting, 6).with_suffix(".rgba.tmp")).write_bytes(b"half")
    core.frames.append_audio(ended, 0, b"abc")
    ended.frame_count = 3
    core.sessions.transition(ended, "end")
    partial = core.videos.partial_path(ended.id, "mp4")
    partial.write_bytes(b"half a video")

    # A new run: fresh proxies over the same folders.
    core.facade.register_proxy(SessionProxy(core.settings.work_dir))
    spy = core.spy(n.SESSION_CHANGED, n.SWEEP)
    core.facade.send_notification(n.STARTUP)
    assert spy.seen[-1][0] == n.SWEEP

    restored = core.sessions.find(ended.id)
    assert restored.state == "encoding" and restored.owner_sid is None
    assert restored.frames_received.ranges() == [[0, 2]] and restored.audio_received_bytes == 3
    assert core.sessions.find(waiting.id).frames_received.ranges() == [[5, 5]]
    assert not partial.exists()
    restarts = [(change.session_id, change.after) for change in spy.bodies(n.SESSION_CHANGED)]
    assert sorted(restarts) == sorted([(ended.id, "encoding"), (waiting.id, "receiving")])


def test_a_disconnect_detaches_sessions_without_cancelling_them(core):
    core.command(n.CLIENT_DISCONNECTED, DetachSessionsCommand)
    core.proxies()
    mine, other = core.session("sid-1"), core.session("sid-9")
    core.facade.send_notification(n.CLIENT_DISCONNECTED, "sid-1")
    assert mine.owner_sid is None and mine.state == "receiving"
    assert other.owner_sid == "sid-9"
