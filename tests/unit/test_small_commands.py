"""Commands whose whole behaviour fits in a test or two: echo, progress, cancel, status."""

import eventlet

from visualizer_server import notifications as n
from visualizer_server.controller.cancel_session_command import CancelSessionCommand
from visualizer_server.controller.echo_command import EchoCommand
from visualizer_server.controller.encoder_progress_command import EncoderProgressCommand
from visualizer_server.controller.session_status_command import SessionStatusCommand
from visualizer_server.model.vo.encoder_messages import EncoderProgress, EncoderStage
from visualizer_server.model.vo.requests import EchoRequest, SessionRequest

from ..processes import wait_until


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
    core.facade.send_notification(n.ENCODER_PROGRESSED, EncoderProgress(session.id, EncoderStage.FEEDING, 4))
    core.facade.send_notification(n.ENCODER_PROGRESSED, EncoderProgress(session.id, EncoderStage.FEEDING, 5, restarts=1))
    assert (session.frames_encoded, session.encoder_restarts) == (5, 1)
    # Throttled: two updates within a quarter second make one report at once...
    [report] = spy.bodies(n.SESSION_PROGRESSED)
    assert (report.owner_sid, report.frames_encoded) == ("sid-1", 4)
    # ...and the one held back follows once the quarter is over, with the counts of then: the last
    # update of a burst (a segment kept, then nothing until the end) is never lost.
    core.facade.send_notification(n.ENCODER_PROGRESSED, EncoderProgress(session.id, EncoderStage.FEEDING, 6, restarts=1))
    wait_until(lambda: len(spy.bodies(n.SESSION_PROGRESSED)) == 2, timeout=5, pause=eventlet.sleep,
               what="the held-back report")  # fmt: skip
    assert spy.bodies(n.SESSION_PROGRESSED)[1].frames_encoded == 6
    eventlet.sleep(0.3)  # a window for a wrong third report (not synchronisation: nothing is awaited)
    assert len(spy.bodies(n.SESSION_PROGRESSED)) == 2, "one report for the burst, not one per update"


def test_waiting_for_a_slot_is_reported_at_once_and_joining_moves_the_state(core):
    core.command(n.ENCODER_PROGRESSED, EncoderProgressCommand)
    core.proxies()
    spy = core.spy(n.SESSION_PROGRESSED)
    session = core.session(frame_count=1)
    core.facade.send_notification(n.ENCODER_PROGRESSED, EncoderProgress(session.id, EncoderStage.QUEUED, 0))
    core.facade.send_notification(n.ENCODER_PROGRESSED, EncoderProgress(session.id, EncoderStage.FEEDING, 0))
    assert [report.waiting_for_encoder for report in spy.bodies(n.SESSION_PROGRESSED)] == [True, False]
    core.sessions.transition(session, "end")
    core.facade.send_notification(n.ENCODER_PROGRESSED, EncoderProgress(session.id, EncoderStage.JOINING, 1))
    assert session.state == "muxing"


def test_cancel_is_a_transition_and_a_finished_session_cannot_be_cancelled(core):
    core.command(n.CANCEL_SESSION, CancelSessionCommand)
    core.proxies()
    spy = core.spy(n.SESSION_CHANGED)
    session = core.session()
    request = SessionRequest("sid-1", session_id=session.id)
    core.facade.send_notification(n.CANCEL_SESSION, request)
    assert request.reply.to_ack() == {"ok": True, "session_id": session.id, "state": "cancelled"}
    assert spy.bodies(n.SESSION_CHANGED)[-1].event == "cancel"
    again = SessionRequest("sid-1", session_id=session.id)
    core.facade.send_notification(n.CANCEL_SESSION, again)
    assert again.reply.to_ack()["error"]["code"] == "conflict"


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
