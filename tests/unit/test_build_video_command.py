from visualizer_server import notifications as n
from visualizer_server.controller.build_video_command import BuildVideoCommand
from visualizer_server.model.vo.events import BuildStep


def _setup(core):
    core.command(n.BUILD_VIDEO, BuildVideoCommand)
    core.proxies()
    spy = core.spy(n.START_ENCODER, n.ENCODE_FRAME, n.FINISH_ENCODER, n.SESSION_PROGRESSED)
    return core.session(audio_filename="a.wav", audio_size=10), spy


def _arrive(core, session, index):
    session.frames_received.add(index)
    core.facade.send_notification(n.BUILD_VIDEO, BuildStep(session.id, index, b"frame-%d" % index))


def test_frames_are_fed_in_index_order_as_gaps_fill(core):
    session, spy = _setup(core)
    for index in (1, 2, 0, 4, 3):
        _arrive(core, session, index)
    assert len(spy.bodies(n.START_ENCODER)) == 1
    fed = spy.bodies(n.ENCODE_FRAME)
    assert [frame.index for frame in fed] == [0, 1, 2, 3, 4]
    # Only the frame that just arrived is handed over from memory; the others come from the spool.
    assert [frame.data for frame in fed] == [b"frame-0", None, None, b"frame-3", None]
    assert fed[1].path == core.frames.frame_path(session, 1)
    assert spy.bodies(n.FINISH_ENCODER) == []


def test_ending_the_session_finishes_the_encode_with_the_audio(core):
    session, spy = _setup(core)
    for index in range(3):
        _arrive(core, session, index)
    session.ended, session.frame_count = True, 3
    core.facade.send_notification(n.BUILD_VIDEO, BuildStep(session.id))
    core.facade.send_notification(n.BUILD_VIDEO, BuildStep(session.id))
    [finish] = spy.bodies(n.FINISH_ENCODER)
    assert finish.audio_path == core.frames.audio_path(session)
    assert finish.output_path == core.videos.partial_path(session.id)
    assert finish.duration_s == 0.3
    assert session.state == "encoding"
    assert spy.bodies(n.SESSION_PROGRESSED)[-1].stage == "encoding"
