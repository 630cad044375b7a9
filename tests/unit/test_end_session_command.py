from visualizer_server import notifications as n
from visualizer_server.controller.end_session_command import EndSessionCommand
from visualizer_server.model.vo.requests import EndSessionRequest


def _end(core, session, count):
    request = EndSessionRequest("sid-1", session_id=session.id, frame_count=count)
    core.facade.send_notification(n.END_SESSION, request)
    return request.reply.to_ack()


def _setup(core, received, **spec):
    core.command(n.END_SESSION, EndSessionCommand)
    core.proxies()
    spy = core.spy(n.SESSION_CHANGED)
    session = core.session(**spec)
    spy.seen.clear()
    for index in received:
        session.frames_received.add(index)
    return session, spy


def test_incomplete_lists_missing_frames_and_audio(core):
    session, spy = _setup(core, [0, 1, 4], audio_filename="a.wav", audio_size=100)
    session.audio_received_bytes = 60
    ack = _end(core, session, 7)
    assert ack["error"]["code"] == "incomplete"
    assert ack["error"]["missing_frames"] == [[2, 3], [5, 6]]
    assert ack["error"]["missing_audio_bytes"] == 40
    assert session.state == "receiving" and spy.seen == []


def test_complete_session_is_closed_once(core):
    session, spy = _setup(core, range(3))
    assert _end(core, session, 3)["ok"]
    assert _end(core, session, 3)["ok"]
    assert session.state == "encoding" and session.frame_count == 3
    assert [change.event for change in spy.bodies(n.SESSION_CHANGED)] == ["end"]


def test_counts_that_disagree_are_conflicts(core):
    session, _ = _setup(core, range(5), frame_count=5)
    assert _end(core, session, 4)["error"]["code"] == "conflict"
    other = core.session()
    other.frames_received.add(9)
    request = EndSessionRequest("sid-1", session_id=other.id, frame_count=5)
    core.facade.send_notification(n.END_SESSION, request)
    assert request.reply.to_ack()["error"]["code"] == "conflict"
