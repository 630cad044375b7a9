"""Entering a state requests the design card's action for it, and only that."""

import pytest

from visualizer_server import notifications as n
from visualizer_server.controller.supervise_session_command import SuperviseSessionCommand
from visualizer_server.errors import ServiceError
from visualizer_server.model.vo.processing_messages import ProcessingStatus
from visualizer_server.model.vo.lifecycle import Event

ACTIONS = (n.BUILD_VIDEO, n.UPLOAD_VIDEO, n.CLEAN_UP_SESSION)


@pytest.fixture
def supervised(core):
    core.proxies()
    core.command(n.SESSION_CHANGED, SuperviseSessionCommand)
    return core.spy(*ACTIONS, n.SESSION_PROGRESSED)


def _requested(spy):
    return [name for name, _ in spy.seen if name in ACTIONS]


@pytest.mark.parametrize(("events", "actions"), [
    ((), [n.BUILD_VIDEO]),  # created: an encoder, which starts on frame 0
    ((Event.END,), [n.BUILD_VIDEO, n.BUILD_VIDEO]),  # every frame is in: the encoder's input ends
    ((Event.RESTART,), [n.BUILD_VIDEO, n.BUILD_VIDEO]),
    ((Event.END, Event.ENCODED), [n.BUILD_VIDEO, n.BUILD_VIDEO]),  # muxing needs nothing new
    ((Event.END, Event.ENCODED, Event.TAKEOVER), [n.BUILD_VIDEO, n.BUILD_VIDEO, n.BUILD_VIDEO]),
    ((Event.END, Event.ENCODED, Event.BUILT), [n.BUILD_VIDEO, n.BUILD_VIDEO, n.CLEAN_UP_SESSION]),
    ((Event.END, Event.ENCODED, Event.UPLOAD), [n.BUILD_VIDEO, n.BUILD_VIDEO, n.UPLOAD_VIDEO]),
    ((Event.END, Event.ENCODED, Event.UPLOAD, Event.RESTART), [n.BUILD_VIDEO, n.BUILD_VIDEO, n.UPLOAD_VIDEO, n.UPLOAD_VIDEO]),
    ((Event.CANCEL,), [n.BUILD_VIDEO, n.CLEAN_UP_SESSION]),
    ((Event.EXPIRE,), [n.BUILD_VIDEO, n.CLEAN_UP_SESSION]),
    ((Event.RESUME, Event.RESUME), [n.BUILD_VIDEO]),  # a resume changes nothing
])  # fmt: skip
def test_each_state_entered_requests_its_action(core, supervised, events, actions):
    session = core.session()
    session.frame_count = 1
    for event in events:
        error = ServiceError("expired", "idle") if event == Event.EXPIRE else None
        core.sessions.transition(session, event, error)
    assert _requested(supervised) == actions
    assert all(body.session_id == session.id for name, body in supervised.seen if name in ACTIONS)


def test_an_uploaded_video_is_cleaned_up_then_its_processing_watched(core, supervised):
    session = core.session(upload=True)
    session.frame_count = 1
    for event in (Event.END, Event.ENCODED, Event.UPLOAD):
        core.sessions.transition(session, event)
    session.video_id, session.youtube_processing = "v1", {"since": 0, "status": ProcessingStatus.WATCHING}
    supervised.seen.clear()
    core.sessions.transition(session, Event.UPLOADED)
    assert _requested(supervised) == [n.CLEAN_UP_SESSION, n.UPLOAD_VIDEO], "the clean-up stops all work: the watch comes after"


def test_a_failure_is_cleaned_up_once(core, supervised):
    session = core.session()
    core.sessions.transition(session, Event.FAIL, ServiceError("encode_failed", "it broke"))
    core.sessions.transition(session, Event.RESUME)
    assert _requested(supervised) == [n.BUILD_VIDEO, n.CLEAN_UP_SESSION]


def test_every_change_but_the_creation_is_reported_to_the_client(core, supervised):
    session = core.session()
    assert supervised.bodies(n.SESSION_PROGRESSED) == [], "the start_session answer tells the client"
    core.sessions.transition(session, Event.CANCEL)
    assert supervised.bodies(n.SESSION_PROGRESSED)[-1].stage == "cancelled"
