"""Commands whose whole behaviour fits in a test or two: echo, progress, cleanup, cancel, status."""

from visualizer_server import notifications as n
from visualizer_server.controller.cancel_session_command import CancelSessionCommand
from visualizer_server.controller.cleanup_command import CleanupCommand
from visualizer_server.controller.echo_command import EchoCommand
from visualizer_server.controller.encoder_progress_command import EncoderProgressCommand
from visualizer_server.controller.session_status_command import SessionStatusCommand
from visualizer_server.model.vo.encoder_messages import EncoderProgress
from visualizer_server.model.vo.requests import EchoRequest, SessionRequest
from visualizer_server.model.vo.upload_messages import SessionRef


def test_echo_answers_cheers_to_the_sender(core):
    core.command(n.ECHO, EchoCommand)
    spy = core.spy(n.ECHOED)
    request = EchoRequest("abc", text="Allo?")
    core.facade.send_notification(n.ECHO, request)
    assert request.reply.to_ack() == {"ok": True}
    [echo] = spy.bodies(n.ECHOED)
    assert (echo.owner_sid, echo.payload()) == ("abc", "Cheers, abc")


def test_encoder_progress_is_recorded_and_reported(core):
    core.command(n.ENCODER_PROGRESSED, EncoderProgressCommand)
    core.proxies()
    spy = core.spy(n.SESSION_PROGRESSED)
    session = core.session(frame_count=10)
    core.facade.send_notification(n.ENCODER_PROGRESSED, EncoderProgress(session.id, 4))
    core.facade.send_notification(n.ENCODER_PROGRESSED, EncoderProgress(session.id, 5))
    assert session.frames_encoded == 5
    # Throttled: two updates within a quarter second make one report.
    [report] = spy.bodies(n.SESSION_PROGRESSED)
    assert (report.owner_sid, report.frames_encoded) == ("sid-1", 4)


def test_cleanup_removes_frames_and_keeps_the_manifest(core):
    core.command(n.CLEANUP_SESSION, CleanupCommand)
    core.proxies()
    spy = core.spy(n.SESSION_PROGRESSED)
    session = core.session()
    core.frames.store_frame(session, 0, b"x")
    core.facade.send_notification(n.CLEANUP_SESSION, SessionRef(session.id))
    assert session.state == "done"
    assert not core.frames.frame_path(session, 0).exists()
    assert (core.settings.work_dir / session.id / "manifest.json").exists()
    assert spy.bodies(n.SESSION_PROGRESSED)[-1].percent == 100.0


def test_cancel_stops_the_encoder_and_removes_everything(core):
    core.command(n.CANCEL_SESSION, CancelSessionCommand)
    core.proxies()
    spy = core.spy(n.STOP_ENCODER, n.SESSION_PROGRESSED)
    session = core.session()
    core.frames.store_frame(session, 0, b"x")
    core.videos.partial_path(session.id).write_bytes(b"partial")
    request = SessionRequest("sid-1", session_id=session.id)
    core.facade.send_notification(n.CANCEL_SESSION, request)
    assert request.reply.to_ack()["state"] == "cancelled"
    assert [stop.session_id for stop in spy.bodies(n.STOP_ENCODER)] == [session.id]
    assert not (core.settings.work_dir / session.id).exists()
    assert not core.videos.partial_path(session.id).exists()
    assert core.sessions.find(session.id) is None
    assert spy.bodies(n.SESSION_PROGRESSED)[-1].stage == "cancelled"


def test_status_is_for_the_owner_only(core):
    core.command(n.GET_SESSION_STATUS, SessionStatusCommand)
    core.proxies()
    session = core.session(frame_count=8)
    for index in (0, 1, 5):
        session.frames_received.add(index)
    mine = SessionRequest("sid-1", session_id=session.id)
    core.facade.send_notification(n.GET_SESSION_STATUS, mine)
    ack = mine.reply.to_ack()
    assert (ack["state"], ack["frames_received"], ack["frame_ranges"]) == ("receiving", 3, [[0, 1], [5, 5]])
    assert ack["percent"] == 37.5
    theirs = SessionRequest("sid-2", session_id=session.id)
    core.facade.send_notification(n.GET_SESSION_STATUS, theirs)
    assert theirs.reply.to_ack()["error"]["code"] == "unauthorized"
