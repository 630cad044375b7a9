"""KeepSegmentCommand on a fresh core with the real proxies: a kept segment is durable, its frames
leave the spool and still count as received after a restart; a node that lost its claim keeps nothing."""

from __future__ import annotations

import pytest

from visualizer_server import notifications as n
from visualizer_server.controller.keep_segment_command import KeepSegmentCommand
from visualizer_server.model.files import FENCE_NAME
from visualizer_server.model.vo.encoder_messages import Segment, SegmentEncoded


def _setup(core, frames=6):
    core.command(n.SEGMENT_ENCODED, KeepSegmentCommand)
    core.proxies()
    spy = core.spy(n.LET_GO_OF_SESSION)
    session = core.session()
    for index in range(frames):
        session.frames_received.add(index)
        core.frames.store_frame(session, index, bytes(64 * 32 * 4))
    encoded = core.frames.intermediate_path(session)
    encoded.write_bytes(b"segment")
    return session, spy, encoded


def test_a_kept_segment_is_renamed_recorded_and_its_frames_leave_the_spool(core):
    session, spy, encoded = _setup(core)
    core.facade.send_notification(n.SEGMENT_ENCODED, SegmentEncoded(session.id, Segment(0, 4), encoded))
    kept = core.frames.segment_path(session, Segment(0, 4))
    assert kept.read_bytes() == b"segment" and not encoded.exists()
    assert kept.suffix == ".mp4" and encoded.suffix == ".mp4", "the container's own extension"
    assert [core.frames.frame_path(session, index).exists() for index in range(6)] == [False] * 4 + [True] * 2
    assert core.sessions.load(session.id).segments == [[0, 4]], "recorded in the manifest"
    assert core.frames.find_stored(session)[0] == list(range(6)), "a restart still counts its frames as received"
    assert core.frames.stored_segments(session) == [Segment(0, 4)]
    assert spy.bodies(n.LET_GO_OF_SESSION) == []


def test_a_node_that_lost_its_claim_keeps_nothing_and_lets_go(core):
    session, spy, encoded = _setup(core)
    session.fence = 3
    (core.sessions.session_dir(session.id) / FENCE_NAME).write_text("4")  # another node claimed it since
    core.facade.send_notification(n.SEGMENT_ENCODED, SegmentEncoded(session.id, Segment(0, 4), encoded))
    assert not encoded.exists() and core.frames.stored_segments(session) == []
    assert all(core.frames.frame_path(session, index).exists() for index in range(6)), "the holder needs the frames"
    assert [body.session_id for body in spy.bodies(n.LET_GO_OF_SESSION)] == [session.id]


def test_a_webm_session_s_segments_are_webm(core):
    core.proxies()
    session = core.session(codec="vp9", format="png")
    assert core.frames.intermediate_path(session).suffix == ".webm"
    assert core.frames.segment_path(session, Segment(0, 1)).name == "00000000-00000001.webm"


def test_a_segment_that_cannot_be_kept_leaves_no_part_file(core):
    session, spy, encoded = _setup(core)
    (core.frames.segment_path(session, Segment(0, 4))).mkdir(parents=True)  # its final name is taken: the rename fails
    with pytest.raises(OSError):
        core.facade.send_notification(n.SEGMENT_ENCODED, SegmentEncoded(session.id, Segment(0, 4), encoded))
    assert not encoded.exists(), "the encoder's report fails the session; its part file must not stay behind"
    assert all(core.frames.frame_path(session, index).exists() for index in range(6)), "nothing acknowledged is lost"
