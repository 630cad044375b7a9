"""Segments, with the real ffmpeg and the supervisor alone: what a fault costs, when the slot goes
back, turns between sessions, the watchdog, and a start from segments already made."""

from __future__ import annotations

import os
import signal

import eventlet

from visualizer_server.model.vo.encoder_messages import EncoderStage, Segment
from visualizer_server.view.components.encoding.encoder_slots import EncoderSlots

from ..media import encode_frame, probe
from ..processes import kill_ffmpeg, pids_with, wait_until
from .test_encode_supervisor import FPS, H, W, Run

SEGMENT = 10  # frames: 1 s at 10 fps


def test_frames_leave_the_spool_segment_by_segment_and_the_video_is_exact(tmp_path):
    run = Run(tmp_path, segment_frames=SEGMENT)
    for index in range(25):
        run.store(index)
    wait_until(lambda: len(run.kept) == 2, pause=eventlet.sleep, what="two segments kept")
    assert not any((tmp_path / f"{index}.png").exists() for index in range(20)), "kept frames left the spool"
    assert all((tmp_path / f"{index}.png").exists() for index in range(20, 25))
    run.end(25)
    result = run.finished.wait()
    assert result.ok and result.frames_encoded == 25
    assert run.kept == [Segment(0, 10), Segment(10, 10), Segment(20, 5)]
    facts = probe(tmp_path / "out.mp4.part")
    assert facts.frame_indexes == list(range(25)) and abs(facts.video_duration_s - 2.5) < 1e-6


def test_a_killed_ffmpeg_costs_its_segment_only(tmp_path):
    run = Run(tmp_path, segment_frames=SEGMENT)
    for index in range(25):
        run.store(index)
    wait_until(lambda: len(run.kept) == 2, pause=eventlet.sleep, what="two segments kept")
    kept_files = {path.name: path.stat().st_mtime_ns for path in (tmp_path / "segments").glob("000*")}
    kill_ffmpeg(str(tmp_path), pause=eventlet.sleep)  # the third segment's ffmpeg, waiting for frame 25
    wait_until(lambda: any(p.restarts == 1 for p in run.progress), pause=eventlet.sleep, what="a restart")
    for index in range(25, 30):
        run.store(index)
    run.end(30)
    result = run.finished.wait()
    assert result.ok and result.restarts == 1
    assert run.kept == [Segment(0, 10), Segment(10, 10), Segment(20, 10)], "each segment kept once"
    assert {name: (tmp_path / "segments" / name).stat().st_mtime_ns for name in kept_files} == kept_files
    assert probe(tmp_path / "out.mp4.part").frame_indexes == list(range(30))


def test_an_idle_session_closes_its_segment_and_gives_the_slot_back(tmp_path):
    slots = EncoderSlots(1)
    idle = Run(tmp_path / "idle", slots=slots, segment_frames=SEGMENT, idle_close_s=0.5)
    for index in range(4):
        idle.store(index)
    wait_until(lambda: idle.supervisor.holds_slot, pause=eventlet.sleep, what="the idle session's encode")
    busy = Run(tmp_path / "busy", slots=slots, segment_frames=SEGMENT)
    for index in range(5):
        busy.store(index)
    busy.end(5)
    with eventlet.Timeout(0.5 + 1 + 10):  # the idle delay, a second, and the busy session's own encode
        assert busy.finished.wait().ok
    assert idle.kept == [Segment(0, 4)] and not idle.supervisor.holds_slot
    for index in range(4, 12):  # its next frame opens a new segment
        idle.store(index)
    idle.end(12)
    assert idle.finished.wait().ok
    assert idle.kept == [Segment(0, 4), Segment(4, 8)]
    assert probe(tmp_path / "idle" / "out.mp4.part").frame_indexes == list(range(12))


def test_sessions_that_wait_take_turns_segment_by_segment(tmp_path):
    slots = EncoderSlots(1)
    runs = [Run(tmp_path / name, slots=slots, segment_frames=SEGMENT) for name in "ab"]
    order: list[str] = []
    for name, run in zip("ab", runs):
        keep = run.keep
        run.supervisor._on_segment = lambda encoded, keep=keep, name=name: (order.append(name), keep(encoded))
    for index in range(40):  # both have four segments' worth of frames from the start
        for run in runs:
            run.store(index)
    for run in runs:
        run.end(40)
    assert all(run.finished.wait().ok for run in runs)
    assert order[:6] in (list("ababab"), list("bababa")), f"no session starves the other: {order}"


def test_a_stalled_ffmpeg_is_stopped_by_the_watchdog_and_its_segment_encoded_again(tmp_path):
    run = Run(tmp_path, segment_frames=SEGMENT, stall_s=2)
    for index in range(3):
        run.store(index)
    pid = wait_until(lambda: pids_with(str(tmp_path)), pause=eventlet.sleep, what="ffmpeg running")[0]
    os.kill(pid, signal.SIGSTOP)  # alive, and never another byte of progress
    for index in range(3, 10):
        run.store(index)
    wait_until(lambda: any(p.restarts == 1 for p in run.progress), timeout=20, pause=eventlet.sleep,
               what="the watchdog's restart")
    run.end(10)
    result = run.finished.wait()
    assert result.ok and result.restarts == 1
    assert probe(tmp_path / "out.mp4.part").frame_indexes == list(range(10))


def test_segments_already_made_are_not_encoded_again(tmp_path):
    first = Run(tmp_path / "before", segment_frames=SEGMENT)
    for index in range(20):
        first.store(index)
    wait_until(lambda: len(first.kept) == 2, pause=eventlet.sleep, what="two segments kept")
    first.supervisor.stop()  # the server dies here
    folder = tmp_path / "after"
    (folder / "segments").mkdir(parents=True)
    for segment in first.kept:
        name = f"{segment.first:08d}-{segment.count:08d}.mp4"
        os.replace(tmp_path / "before" / "segments" / name, folder / "segments" / name)
    for index in range(20, 30):
        (folder / f"{index}.png").write_bytes(encode_frame(index, W, H, "png"))
    run = Run(folder, segment_frames=SEGMENT, finished=tuple(first.kept))
    fed: list[int] = []
    take = run.supervisor._take
    run.supervisor._take = lambda index: (fed.append(index), take(index))[1]
    for index in range(20, 30):
        run.frames.add(index)
    run.supervisor.offer(20, None)
    run.end(30)
    assert run.finished.wait().ok
    assert fed == list(range(20, 30)), "only the unfinished segment's frames are fed"
    facts = probe(folder / "out.mp4.part")
    assert facts.frame_indexes == list(range(30)) and abs(facts.video_duration_s - 30 / FPS) < 1e-6


def test_an_input_that_ends_on_a_segment_boundary_starts_no_empty_segment(tmp_path):
    run = Run(tmp_path, segment_frames=SEGMENT, max_restarts=0)
    for index in range(SEGMENT):
        run.store(index)
    wait_until(lambda: run.kept, pause=eventlet.sleep, what="the full segment kept")
    assert pids_with(str(tmp_path)) == [], "no ffmpeg waits for a frame that is not there"
    run.end(SEGMENT)  # the end comes after the last segment filled up
    result = run.finished.wait()
    assert result.ok and run.kept == [Segment(0, SEGMENT)]
    assert probe(tmp_path / "out.mp4.part").frame_indexes == list(range(SEGMENT))


def test_acks_are_held_across_segments_while_the_encoder_is_behind(tmp_path):
    run = Run(tmp_path, segment_frames=SEGMENT)
    for index in range(SEGMENT + 1):
        run.store(index)
    wait_until(lambda: run.kept and run.supervisor._fed > SEGMENT, pause=eventlet.sleep, what="the second segment")
    for index in range(SEGMENT + 1, 60):  # the client's own backlog, sent while the second segment runs
        run.store(index)
    run.supervisor.wait_for(59, 2)
    assert run.supervisor._fed >= 57, "a new segment does not take the client's backlog for a replay"
    run.end(60)
    assert run.finished.wait().ok


def _queued_behind_a_busy_encode(tmp_path) -> tuple[Run, Run]:
    """One slot, held by an encode that waits for its second frame; a second session queued for it
    with three segments' worth of frames stored, as a client that goes on sending while it waits."""
    slots = EncoderSlots(1)
    busy, queued = Run(tmp_path / "busy", slots=slots), Run(tmp_path / "queued", slots=slots, segment_frames=SEGMENT)
    busy.store(0)
    wait_until(lambda: busy.supervisor.holds_slot, pause=eventlet.sleep, what="the first encode's start")
    for index in range(3 * SEGMENT):
        queued.store(index)
    wait_until(lambda: queued.supervisor._stage == EncoderStage.QUEUED, pause=eventlet.sleep, what="the queue")
    return busy, queued


def test_a_session_queued_for_a_slot_holds_its_client_once_a_segment_waits_in_the_spool(tmp_path):
    busy, queued = _queued_behind_a_busy_encode(tmp_path)
    with eventlet.Timeout(1):
        queued.supervisor.wait_for(SEGMENT + 2, 2)  # a segment and the window's allowance: acknowledged at once
    held = eventlet.spawn(queued.supervisor.wait_for, 3 * SEGMENT - 1, 2)
    with eventlet.Timeout(1, False):
        held.wait()
    assert not held.dead, "a frame beyond a segment and the allowance was acknowledged while the session waited"
    busy.end(1)
    with eventlet.Timeout(60):
        held.wait()  # the slot came: the ack goes as the encoder catches up
    assert queued.supervisor.holds_slot or queued.kept
    assert busy.finished.wait().ok
    queued.end(3 * SEGMENT)
    assert queued.finished.wait().ok
    assert probe(tmp_path / "queued" / "out.mp4.part").frame_indexes == list(range(3 * SEGMENT))


def test_a_queued_session_that_is_stopped_lets_its_held_acks_go(tmp_path):
    busy, queued = _queued_behind_a_busy_encode(tmp_path)
    held = eventlet.spawn(queued.supervisor.wait_for, 3 * SEGMENT - 1, 2)
    eventlet.sleep(0)  # one turn of the hub: the held ack starts waiting
    queued.supervisor.stop()  # a cancel while queued
    with eventlet.Timeout(5):
        held.wait()
    busy.end(1)
    assert busy.finished.wait().ok
