"""The encode supervisor alone, with the real ffmpeg, driven by eventlet (no PureMVC)."""

from __future__ import annotations

from pathlib import Path

import os

import eventlet
import eventlet.event

from visualizer_server.model.vo.encoder_messages import (
    EncodeJob,
    EncoderStage,
    FinishEncode,
    PreparedAudio,
    Segment,
    SegmentEncoded,
)
from visualizer_server.model.vo.index_ranges import IndexRanges
from visualizer_server.view.components.encoding.encode_supervisor import EncodeSupervisor
from visualizer_server.view.components.encoding.encoder_slots import EncoderSlots

from ..media import encode_frame, probe
from ..processes import kill_ffmpeg, pids_with, wait_until

W, H, FPS = 64, 32, 10


class Run:
    """One supervised encode over a spool in ``folder``; a kept segment goes where the server keeps it,
    and its frames leave the spool, as KeepSegmentCommand does."""

    def __init__(self, folder: Path, buffer_bytes: int = 10**8, max_restarts: int = 3, slots: EncoderSlots | None = None,
                 image_format: str = "png", hardware_encoder: str | None = None, segment_frames: int = 1 << 31,
                 idle_close_s: float | None = None, stall_s: float | None = None,
                 finished: tuple[Segment, ...] = (), prepared_audio: tuple[PreparedAudio, ...] = (),
                 audio_slots: EncoderSlots | None = None) -> None:  # fmt: skip
        self.folder, self.format = folder, image_format
        (folder / "segments").mkdir(parents=True, exist_ok=True)
        self.frames = IndexRanges()
        self.progress: list = []
        self.kept: list[Segment] = []
        self.finished = eventlet.event.Event()
        counter = iter(range(1000))
        self.job = EncodeJob("s", W, H, FPS, image_format, "ultrafast", 23, self.frames,
                             frame_path=self.frame_path,
                             new_intermediate=lambda: folder / "segments" / f"part-{next(counter)}.mp4",
                             buffer_bytes=buffer_bytes, max_restarts=max_restarts,
                             hardware_encoder=hardware_encoder, segment_frames=segment_frames,
                             idle_close_s=idle_close_s, stall_s=stall_s, finished=finished,
                             segment_path=lambda s: folder / "segments" / f"{s.first:08d}-{s.count:08d}.mp4",
                             prepared_audio=prepared_audio)  # fmt: skip
        for segment in finished:  # a restart: the kept segments' frames count as received
            for index in range(segment.first, segment.end):
                self.frames.add(index)
        self.supervisor = EncodeSupervisor(self.job, slots or EncoderSlots(1), self.progress.append,
                                           self.finished.send, self.keep, audio_slots)  # fmt: skip
        self.supervisor.start()

    def frame_path(self, index: int) -> Path:
        return self.folder / f"{index}.{self.format}"

    def keep(self, encoded: SegmentEncoded) -> None:
        os.replace(encoded.path, self.job.segment_path(encoded.segment))
        for index in range(encoded.segment.first, encoded.segment.end):
            self.frame_path(index).unlink()
        self.kept.append(encoded.segment)

    def store(self, index: int, data: bytes | None = None) -> None:
        data = data if data is not None else encode_frame(index, W, H, self.format)
        self.frame_path(index).write_bytes(data)
        self.frames.add(index)
        self.supervisor.offer(index, data)

    def end(self, count: int) -> FinishEncode:
        finish = FinishEncode("s", count, self.folder / "out.mp4.part", None, count / FPS)
        self.supervisor.end_input(finish)
        return finish


def test_frames_in_any_order_from_memory_and_from_the_spool_make_one_video(tmp_path):
    run = Run(tmp_path, buffer_bytes=2 * len(encode_frame(0, W, H, "png")))  # two frames fit in memory
    for index in [3, 1, 0, 2, *range(4, 12)]:
        run.store(index)
    run.end(12)
    result = run.finished.wait()
    assert result.ok and result.frames_encoded == 12 and result.restarts == 0
    assert probe(tmp_path / "out.mp4.part").frame_indexes == list(range(12))
    assert not list(tmp_path.glob("segments/part-*")), "no temporary file is left"


def test_a_killed_ffmpeg_is_started_again_from_the_spool(tmp_path):
    run = Run(tmp_path)
    for index in range(5):
        run.store(index)
    kill_ffmpeg(str(tmp_path), pause=eventlet.sleep)
    wait_until(lambda: any(p.restarts == 1 for p in run.progress), pause=eventlet.sleep, what="a restart")
    for index in range(5, 10):
        run.store(index)
    run.end(10)
    result = run.finished.wait()
    assert result.ok and result.restarts == 1
    assert probe(tmp_path / "out.mp4.part").frame_indexes == list(range(10))


def test_a_hardware_encoder_that_fails_is_replaced_by_software_from_the_spool(tmp_path, caplog):
    # No GPU here: h264_nvenc cannot load libcuda, so the real ffmpeg fails as a broken driver would.
    run = Run(tmp_path, max_restarts=0, hardware_encoder="h264_nvenc")
    for index in range(6):
        run.store(index)
    run.end(6)
    result = run.finished.wait()
    assert result.ok and result.restarts == 0, "the software try is not taken from --encoder-restarts"
    assert run.supervisor.job.hardware_encoder is None
    facts = probe(tmp_path / "out.mp4.part")
    assert facts.video_codec == "h264" and facts.frame_indexes == list(range(6))
    assert "the hardware encoder h264_nvenc failed" in caplog.text and "in software" in caplog.text


def test_stopping_a_running_encode_leaves_no_ffmpeg_behind(tmp_path):
    run = Run(tmp_path)
    for index in range(3):
        run.store(index)
    wait_until(lambda: pids_with(str(tmp_path)), pause=eventlet.sleep, what="ffmpeg running")
    run.supervisor.stop()
    assert pids_with(str(tmp_path)) == [], "the killed ffmpeg was not taken for a crash and started again"
    assert not run.finished.ready(), "a stopped encode reports nothing"


def test_input_ffmpeg_cannot_decode_fails_after_the_restarts_with_its_words(tmp_path):
    run = Run(tmp_path, max_restarts=1)
    run.store(0, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    run.end(1)
    result = run.finished.wait()
    assert not result.ok and result.restarts == 1
    assert "exited with code" in result.error_lines[0] and "|" in result.error_lines[0], "ffmpeg's own lines"


def test_a_second_encode_waits_for_the_slot_and_says_so(tmp_path):
    slots = EncoderSlots(1)
    first, second = Run(tmp_path / "a", slots=slots), Run(tmp_path / "b", slots=slots)
    first.store(0)
    wait_until(lambda: first.supervisor.holds_slot, pause=eventlet.sleep, what="the first encode's start")
    second.store(0)
    wait_until(lambda: any(p.stage == EncoderStage.QUEUED for p in second.progress), pause=eventlet.sleep,
               what="the second encode saying it waits")
    assert EncoderStage.QUEUED in [p.stage for p in second.progress] and not second.supervisor.holds_slot
    first.end(1)
    assert first.finished.wait().ok
    second.end(1)
    assert second.finished.wait().ok
    assert [p.stage for p in second.progress][-2:] == [EncoderStage.FEEDING, EncoderStage.JOINING]


def test_acks_wait_only_for_frames_the_encoder_can_reach(tmp_path):
    run = Run(tmp_path)
    for index in range(1, 40):  # frame 0 missing: a gap holds the whole backlog
        run.store(index)
    with eventlet.Timeout(1):
        run.supervisor.wait_for(39, 2)  # beyond a gap: never held
    run.store(0)  # fills the gap: 40 frames can go now
    wait_until(lambda: run.supervisor.holds_slot, pause=eventlet.sleep, what="the encode's start")
    with eventlet.Timeout(1):
        run.supervisor.wait_for(0, 2)  # the frame that filled the gap is not held by the backlog it released
    for index in range(40, 80):  # frames the client sends now are held while the encoder is behind them
        run.store(index)
    run.supervisor.wait_for(79, 2)
    assert run.supervisor._fed >= 77
    run.end(80)
    assert run.finished.wait().ok


def test_stop_kills_ffmpeg_and_gives_the_slot_back(tmp_path):
    slots = EncoderSlots(1)
    run = Run(tmp_path, slots=slots)
    run.store(0)
    wait_until(lambda: run.supervisor.holds_slot, pause=eventlet.sleep, what="the encode's start")
    run.supervisor.stop()
    assert slots.try_take() and not run.supervisor.holds_slot
    assert not run.finished.ready(), "a stopped encode reports nothing"


def test_a_pass_that_starts_from_a_full_spool_holds_no_ack(tmp_path):
    run = Run(tmp_path)
    for index in range(40):  # what a restarted server or another node finds in the spool
        (tmp_path / f"{index}.png").write_bytes(encode_frame(index, W, H, "png"))
        run.frames.add(index)
    run.store(40)  # the supervisor starts (frame 0 is there): its first pass feeds 41 frames
    wait_until(lambda: run.supervisor.holds_slot, pause=eventlet.sleep, what="the encode's start")
    with eventlet.Timeout(1):
        run.supervisor.wait_for(40, 2)  # the client had no part in that backlog
    run.end(41)
    assert run.finished.wait().ok
