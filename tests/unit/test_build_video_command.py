"""BuildVideo alone on a fresh core: an encoder for a receiving session, its input ended once every frame is in."""

import pytest

from visualizer_server import notifications as n
from visualizer_server.controller.build_video_command import BuildVideoCommand
from visualizer_server.errors import CONFLICT, ServiceError
from visualizer_server.model.files import FENCE_NAME
from visualizer_server.model.vo.encoder_messages import PreparedAudio, Segment
from visualizer_server.model.vo.events import SessionChange
from visualizer_server.model.vo.lifecycle import Event, State


@pytest.fixture
def building(core):
    core.proxies()
    core.command(n.BUILD_VIDEO, BuildVideoCommand)
    return core.spy(n.START_ENCODER, n.AUDIO_STORED, n.END_ENCODER_INPUT)


def _build(core, session, before, after, event):
    core.facade.send_notification(n.BUILD_VIDEO, SessionChange(session.id, before, after, event))


def test_a_new_session_gets_an_encoder_that_reads_its_spool(core, building):
    session = core.session(fps=25)
    _build(core, session, None, State.RECEIVING, Event.CREATE)
    [job] = building.bodies(n.START_ENCODER)
    assert (job.session_id, job.fps, job.preset, job.max_restarts) == (session.id, 25, "veryfast", 3)
    assert job.frames is session.frames_received  # the live set, so the encoder sees new frames
    assert job.frame_path(7) == core.frames.frame_path(session, 7)
    assert job.new_intermediate() != job.new_intermediate(), "every encoder run writes a fresh file"
    assert building.bodies(n.END_ENCODER_INPUT) == []


@pytest.mark.parametrize(("spec", "encoder"), [
    ({"codec": "h264"}, "h264_nvenc"), ({"codec": "hevc"}, "hevc_nvenc"), ({"codec": "av1"}, None),
    ({"codec": "vp9"}, None), ({"format": "h264"}, None),
])  # fmt: skip
def test_the_encoder_gets_the_hardware_encoder_found_for_its_codec_unless_it_copies(core, building, spec, encoder):
    core.config.hardware_encoders = {"h264": "h264_nvenc", "hevc": "hevc_nvenc"}  # as a probe on an older GPU finds
    session = core.session(**spec)
    _build(core, session, None, State.RECEIVING, Event.CREATE)
    [job] = building.bodies(n.START_ENCODER)
    assert job.hardware_encoder == encoder


def test_the_end_closes_the_encoders_input_with_the_count_and_the_audio(core, building):
    session = core.session(fps=10, audio_filename="a.wav", audio_size=3)
    session.frame_count = 4
    _build(core, session, State.RECEIVING, State.ENCODING, Event.END)
    assert building.bodies(n.START_ENCODER) == [], "the encoder runs already"
    [finish] = building.bodies(n.END_ENCODER_INPUT)
    assert (finish.frame_count, finish.duration_s) == (4, 0.4)
    assert finish.audio_path == core.frames.audio_path(session)
    assert finish.output_path.parent == core.videos.output_dir and finish.output_path.name.endswith(".mp4.part")


@pytest.mark.parametrize("event", [Event.RESTART, Event.TAKEOVER])
def test_a_session_taken_back_mid_encode_starts_the_encoder_again_and_closes_its_input(core, building, event):
    session = core.session()
    session.frame_count = 1
    _build(core, session, State.ENCODING, State.ENCODING, event)
    assert len(building.bodies(n.START_ENCODER)) == 1 and len(building.bodies(n.END_ENCODER_INPUT)) == 1


@pytest.mark.parametrize(("upload", "spool", "after"), [
    (False, False, State.DONE), (True, True, State.UPLOADING), (True, False, State.FAILED),
])  # fmt: skip
def test_a_session_taken_back_after_its_video_was_published_is_announced_not_built_again(core, upload, spool, after):
    # A full disk kept the move to done (or uploading) from being saved; the server restarted before
    # the next save: the manifest says muxing, the video exists. With the spool gone, the cleanup of a
    # final state ran; after an upload nobody knows whether it ended, so it is not made twice.
    core.proxies()
    core.command(n.BUILD_VIDEO, BuildVideoCommand)
    announced = core.spy(n.START_ENCODER, n.AUDIO_STORED, n.END_ENCODER_INPUT, n.VIDEO_BUILT)
    session = core.session(upload=upload)
    session.frame_count, session.state = 40, State.ENCODING
    if spool:
        kept = core.frames.segment_path(session, Segment(0, 40))
        kept.parent.mkdir(parents=True)
        kept.write_bytes(b"segment")
    video = core.videos.video_path(session.id, "mp4")
    video.write_bytes(b"the checked video")
    _build(core, session, State.MUXING, State.ENCODING, Event.RESTART)
    assert announced.bodies(n.START_ENCODER) == [] and announced.bodies(n.END_ENCODER_INPUT) == []
    [built] = announced.bodies(n.VIDEO_BUILT)
    assert (built.frames, built.duration_s, built.url) == (40, 4.0, f"/videos/{session.id}.mp4")
    assert session.state == after and video.read_bytes() == b"the checked video"
    assert core.sessions.load(session.id).state == after, "saved this time"
    if after == State.FAILED:
        assert session.error["code"] == "upload_failed" and "look on the channel" in session.error["message"]


def test_a_video_of_another_container_is_not_taken_for_the_session_s(core, building):
    session = core.session()  # h264 in MP4
    session.frame_count, session.state = 4, State.ENCODING
    core.videos.video_path(session.id, "webm").write_bytes(b"not this session's video")
    _build(core, session, State.MUXING, State.ENCODING, Event.RESTART)
    assert len(building.bodies(n.START_ENCODER)) == 1 and session.state == State.ENCODING


@pytest.mark.parametrize(("stored", "told"), [(5, True), (4, False)])
def test_a_session_taken_back_with_all_its_audio_has_it_prepared_again(core, building, stored, told):
    session = core.session(audio_filename="a.wav", audio_size=5)
    session.audio_received_bytes = stored
    _build(core, session, State.RECEIVING, State.RECEIVING, Event.RESTART)
    names = [name for name, _ in building.seen]
    assert names == ([n.START_ENCODER, n.AUDIO_STORED] if told else [n.START_ENCODER])
    if told:
        assert building.bodies(n.AUDIO_STORED)[0].path == core.frames.audio_path(session)


def test_a_session_taken_back_finds_the_audio_a_previous_run_prepared(core, building):
    session = core.session(audio_filename="a.wav", audio_size=5, loudness_lufs=-14.5)
    kept = core.frames.prepared_audio_path(session, -14.5, 3.0, 5.0)
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"audio")
    (kept.parent / "audio-unknown.mp4").write_bytes(b"not ours")  # a name that says nothing is not trusted
    _build(core, session, State.RECEIVING, State.RECEIVING, Event.RESTART)
    [job] = building.bodies(n.START_ENCODER)
    assert job.prepared_audio == (PreparedAudio(kept, 3.0, 5.0, -14.5),)
    encoded = kept.parent / "part.mp4"
    encoded.write_bytes(b"prepared")
    again = job.keep_prepared_audio(encoded, None, 1.0, 3.0)
    assert again.name == "audio-plain-1000000us-3000000us.mp4" and again.read_bytes() == b"prepared"


def test_a_node_that_lost_the_session_keeps_no_prepared_audio(core, building):
    session = core.session(audio_filename="a.wav", audio_size=5)
    _build(core, session, State.RECEIVING, State.RECEIVING, Event.RESTART)
    [job] = building.bodies(n.START_ENCODER)
    session.fence = 3
    folder = core.sessions.session_dir(session.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FENCE_NAME).write_text("4")  # another node claimed it since: its folder is the holder's
    encoded = folder / "part.mp4"
    encoded.write_bytes(b"prepared")
    with pytest.raises(ServiceError) as refused:
        job.keep_prepared_audio(encoded, None, 1.0, 3.0)
    assert refused.value.code == CONFLICT
    assert core.frames.stored_prepared_audio(session) == [], "nothing written under a name the holder trusts"


def test_a_session_gone_meanwhile_gets_nothing(core, building):
    core.facade.send_notification(n.BUILD_VIDEO, SessionChange("gone", None, State.RECEIVING, Event.CREATE))
    assert building.seen == []
