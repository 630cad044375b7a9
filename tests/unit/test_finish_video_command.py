import dataclasses

from visualizer_server import notifications as n
from visualizer_server.controller.finish_video_command import FinishVideoCommand
from visualizer_server.model.vo.encoder_messages import EncoderResult


def _setup(core, frames=3):
    core.command(n.ENCODER_FINISHED, FinishVideoCommand)
    core.proxies()
    spy = core.spy(n.VIDEO_BUILT, n.SESSION_CHANGED)
    session = core.session()
    for index in range(frames):
        session.frames_received.add(index)
        core.frames.store_frame(session, index, b"x")
    session.frame_count = frames
    for event in ("end", "encoded"):
        core.sessions.transition(session, event)
    session.partial = core.videos.partial_path(session.id, "mp4")  # the encode's own output file
    session.partial.write_bytes(b"video")
    return session, spy


def _finish(core, session, ok=True, frames=3, errors=(), reason=None):
    result = EncoderResult(session.id, ok, frames, session.partial, error_lines=errors, restarts=3, reason=reason)
    core.facade.send_notification(n.ENCODER_FINISHED, result)


def test_a_checked_video_is_published_and_announced(core):
    session, spy = _setup(core)
    _finish(core, session)
    assert core.videos.find(session.id).read_bytes() == b"video"
    assert not session.partial.exists()
    [built] = spy.bodies(n.VIDEO_BUILT)
    assert (built.frames, built.bytes, built.duration_s, built.url) == (3, 5, 0.3, f"/videos/{session.id}.mp4")
    assert session.state == "done" and spy.bodies(n.SESSION_CHANGED)[-1].event == "built"


def test_ffmpeg_failure_fails_the_session_saying_what_failed_and_logs_ffmpegs_words(core, caplog):
    session, spy = _setup(core)
    words = f"{session.partial}: Invalid data found when processing input"
    _finish(core, session, ok=False, errors=(words,), reason="the encoder failed 4 times on one segment (frames from 0)")
    assert session.state == "failed" and session.error["code"] == "encode_failed"
    message = session.error["message"]
    assert "4 times on one segment" in message, message
    assert "Invalid data" not in message and "/" not in message, "no ffmpeg output, no server path for the client"
    assert words in caplog.text
    assert core.videos.find(session.id) is None and spy.bodies(n.VIDEO_BUILT) == []


def test_a_session_that_asked_for_it_goes_on_to_upload(core):
    session, _ = _setup(core)
    session.spec = dataclasses.replace(session.spec, upload=True)
    _finish(core, session)
    assert session.state == "uploading"
