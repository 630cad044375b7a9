from visualizer_server import notifications as n
from visualizer_server.controller.finish_video_command import FinishVideoCommand
from visualizer_server.model.vo.encoder_messages import EncoderResult


def _setup(core, frames=3):
    core.command(n.ENCODER_FINISHED, FinishVideoCommand)
    core.proxies()
    spy = core.spy(n.VIDEO_BUILT, n.SESSION_FAILED)
    session = core.session()
    for index in range(frames):
        session.frames_received.add(index)
        core.frames.store_frame(session, index, b"x")
    session.ended, session.frame_count, session.state = True, frames, "encoding"
    core.videos.partial_path(session.id).write_bytes(b"video")
    return session, spy


def _finish(core, session, ok=True, frames=3, errors=()):
    result = EncoderResult(session.id, ok, frames, core.videos.partial_path(session.id), error_lines=errors)
    core.facade.send_notification(n.ENCODER_FINISHED, result)


def test_a_checked_video_is_published_and_announced(core):
    session, spy = _setup(core)
    _finish(core, session)
    assert core.videos.find(session.id).read_bytes() == b"video"
    assert not core.videos.partial_path(session.id).exists()
    [built] = spy.bodies(n.VIDEO_BUILT)
    assert (built.frames, built.bytes, built.duration_s, built.url) == (3, 5, 0.3, f"/videos/{session.id}.mp4")


def test_ffmpeg_failure_fails_the_session_keeps_the_spool(core):
    session, spy = _setup(core)
    _finish(core, session, ok=False, errors=("pipe:0: Invalid data found when processing input",))
    [failure] = spy.bodies(n.SESSION_FAILED)
    assert failure.error["code"] == "encode_failed"
    assert "Invalid data found" in failure.error["message"]
    assert session.state == "failed" and core.videos.find(session.id) is None
    assert core.frames.frame_path(session, 0).exists()


def test_a_frame_count_mismatch_is_a_failure(core):
    session, spy = _setup(core)
    _finish(core, session, frames=2)
    assert "encoded 2 frames but 3" in spy.bodies(n.SESSION_FAILED)[0].error["message"]
    assert spy.bodies(n.VIDEO_BUILT) == []
