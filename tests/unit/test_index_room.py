"""The index of a long MP4 or MOV fits the room the finish keeps for it at the front: a join with too
little room would fail at its very end, after the whole copy, on every try."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest

from visualizer_server.model.vo.encoder_messages import FinishEncode, Segment
from visualizer_server.view.components.encoding.ffmpeg_commands import concat_list, ffmpeg_exe, join_args, moov_room
from visualizer_server.view.components.encoding.video_encoders import video_codec_args

from ..media import make_wav

FPS, SECONDS = 60, 60  # the densest index the service writes: 60 frames a second beside 47 audio packets


def _top_boxes(path: Path) -> list[tuple[str, int]]:
    """The file's top-level boxes in order: (type, size)."""
    data, boxes, offset = path.read_bytes(), [], 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0] if size == 1 else size
        boxes.append((kind.decode(), size))
        offset += size
    return boxes


@pytest.mark.parametrize("muxer", ["mp4", "mov"])
def test_a_long_dense_video_has_its_index_at_the_front_in_half_the_room_kept(tmp_path, muxer):
    """Slow (about 3 s): a minute of 64x36 frames at 60 fps (H.264 with B-frames), and AAC or PCM audio."""
    frames = FPS * SECONDS
    segment = tmp_path / f"00000000-{frames:08d}.{muxer}"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", f"testsrc=size=64x36:rate={FPS}",
                    "-t", str(SECONDS), *video_codec_args(FPS, "veryfast", 20), "-f", muxer, "-y", str(segment)],
                   check=True)  # fmt: skip
    audio = tmp_path / "tone.wav"
    make_wav(audio, SECONDS)
    concat = tmp_path / "segments.ffconcat"
    concat.write_text(concat_list([(Segment(0, frames), segment)], FPS))
    finish = FinishEncode("session", frames, tmp_path / f"video.{muxer}", audio, float(SECONDS))
    subprocess.run(join_args(concat, finish, muxer), check=True, capture_output=True)
    boxes = _top_boxes(finish.output_path)
    names = [name for name, _ in boxes]
    room = moov_room(frames, SECONDS)
    assert names.index("moov") < names.index("mdat"), boxes
    (_, moov), (after, unused) = boxes[names.index("moov") : names.index("moov") + 2]
    assert (after, moov + unused) == ("free", room), f"the index was not written into its room: {boxes}"
    assert moov * 2 < room, boxes
