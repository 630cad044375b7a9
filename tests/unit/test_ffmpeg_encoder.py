"""The ffmpeg component alone, with the real binary, driven by eventlet (no PureMVC)."""

from pathlib import Path

import eventlet.event

from visualizer_server.model.vo.encoder_messages import EncodeJob, FinishEncode, FrameInput
from visualizer_server.view.components.ffmpeg_encoder import FfmpegEncoder

from ..media import encode_frame, probe


def _run(tmp_path: Path, frames: list[bytes], image_format: str = "png", buffer_bytes: int = 10**8):
    job = EncodeJob("s", 64, 32, 10, image_format, tmp_path / "inter.mp4", "ultrafast", 23, buffer_bytes, 4)
    finished, progress = eventlet.event.Event(), []
    encoder = FfmpegEncoder(job, progress.append, finished.send)
    encoder.start()
    for index, data in enumerate(frames):
        path = tmp_path / f"{index}.{image_format}"
        path.write_bytes(data)
        encoder.feed(FrameInput("s", index, path, data))
    encoder.finish(FinishEncode("s", tmp_path / "out.mp4.part", None, len(frames) / 10))
    return finished.wait(), progress


def test_frames_from_memory_and_from_the_spool_make_one_video(tmp_path):
    frames = [encode_frame(index, 64, 32, "png") for index in range(12)]
    # A budget of two frames: the rest are read back from their spool files.
    result, progress = _run(tmp_path, frames, buffer_bytes=2 * len(frames[0]))
    assert result.ok and result.frames_encoded == 12 and progress[-1] == 12
    facts = probe(tmp_path / "out.mp4.part")
    assert facts.frame_indexes == list(range(12)) and facts.audio_codec is None


def test_undecodable_input_fails_with_ffmpegs_words(tmp_path):
    result, _ = _run(tmp_path, [b"\x89PNG\r\n\x1a\n" + b"\x00" * 64], "png")
    assert not result.ok
    assert any("exited with code" in line for line in result.error_lines)
    assert len(result.error_lines) > 1, "ffmpeg's own error lines are kept"


def test_feeding_waits_while_ffmpeg_is_behind(tmp_path):
    job = EncodeJob("s", 64, 32, 10, "png", tmp_path / "inter.mp4", "ultrafast", 23, 10**8, 2)
    finished = eventlet.event.Event()
    encoder = FfmpegEncoder(job, lambda frames: None, finished.send)
    encoder.start()
    backlog = []
    for index in range(30):
        encoder.feed(FrameInput("s", index, Path(), encode_frame(index, 64, 32, "png")))
        encoder.wait_for_room()
        backlog.append(encoder._queue.qsize())
    encoder.finish(FinishEncode("s", tmp_path / "out.mp4.part", None, 3.0))
    assert finished.wait().frames_encoded == 30
    assert max(backlog) <= 2, "wait_for_room returned with more frames queued than allowed"
