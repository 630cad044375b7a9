from visualizer_server import notifications as n
from visualizer_server.controller.receive_frame_command import ReceiveFrameCommand
from visualizer_server.model.vo.requests import FrameRequest

from .conftest import rgba


def _send(core, session, index, data, sid="sid-1"):
    request = FrameRequest(sid, session_id=session.id, index=index, data=data)
    core.facade.send_notification(n.RECEIVE_FRAME, request)
    return request.reply.to_ack()


def _setup(core, **spec):
    core.command(n.RECEIVE_FRAME, ReceiveFrameCommand)
    core.proxies()
    spy = core.spy(n.FRAME_STORED, n.WAIT_FOR_ENCODER)
    return core.session(**spec), spy


def test_stores_the_frame_then_offers_it_to_the_encoder_in_memory(core):
    session, spy = _setup(core)
    ack = _send(core, session, 0, rgba(value=7))
    assert ack == {"ok": True, "index": 0, "frames_received": [[0, 0]]}
    assert core.frames.frame_path(session, 0).read_bytes() == rgba(value=7)
    [stored] = spy.bodies(n.FRAME_STORED)
    assert (stored.session_id, stored.index, stored.data) == (session.id, 0, rgba(value=7))
    [wait] = spy.bodies(n.WAIT_FOR_ENCODER)
    assert (wait.index, wait.max_behind) == (0, 2 * core.settings.window)


def test_an_ended_or_cancelled_session_takes_no_frames(core):
    session, _ = _setup(core)
    _send(core, session, 0, rgba())
    session.frame_count = 1
    core.sessions.transition(session, "end")
    assert _send(core, session, 1, rgba())["error"]["code"] == "conflict"


def test_a_resend_is_acknowledged_and_changes_nothing(core):
    session, spy = _setup(core)
    _send(core, session, 3, rgba(value=1))
    ack = _send(core, session, 3, rgba(value=2))
    assert ack["ok"] and ack["frames_received"] == [[3, 3]]
    assert core.frames.frame_path(session, 3).read_bytes() == rgba(value=1)
    assert len(spy.bodies(n.FRAME_STORED)) == 1


def test_a_bad_frame_is_refused_and_nothing_is_stored(core):
    session, spy = _setup(core)
    ack = _send(core, session, 0, rgba()[:-4])
    assert ack["error"]["code"] == "bad_frame"
    assert not core.frames.frame_path(session, 0).exists() and spy.seen == []
    assert len(session.frames_received) == 0


def test_only_the_owner_may_send_frames(core):
    session, _ = _setup(core)
    assert _send(core, session, 0, rgba(), sid="sid-2")["error"]["code"] == "unauthorized"


def test_unknown_session_and_index_out_of_range(core):
    session, _ = _setup(core, frame_count=5)
    assert _send(core, session, 5, rgba())["error"]["code"] == "invalid_request"
    request = FrameRequest("sid-1", session_id="0" * 32, index=0, data=rgba())
    core.facade.send_notification(n.RECEIVE_FRAME, request)
    assert request.reply.to_ack()["error"]["code"] == "unknown_session"


def test_a_frame_above_the_session_limit_is_too_large(core):
    session, _ = _setup(core, format="png")
    assert _send(core, session, 0, b"x" * (64 * 32 * 4 + 64 * 1024 + 1))["error"]["code"] == "too_large"
