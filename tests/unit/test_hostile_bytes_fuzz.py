"""Fuzzing the frame and audio checks with hypothesis: any bytes get an answer of the contract, fast.

Inputs start with each format's own signature (so the fuzzer reaches past the first test) and
repeat a short random pattern up to tens of kilobytes (where a quadratic walk would show).
Each example has a deadline; the only exception allowed is the contract's ``ServiceError``.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from visualizer_server.errors import BAD_FRAME, INVALID_REQUEST, ServiceError
from visualizer_server.model.audio_format import HEAD_BYTES, recognise, require_audio
from visualizer_server.model.frame_check import check_frame

PREFIXES = {
    "png": [b"\x89PNG\r\n\x1a\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"],
    "jpeg": [b"\xff\xd8", b"\xff\xd8\xff\xc0\x00\x11\x08"],
    "webp": [b"RIFF\x00\x00\x00\x00WEBPVP8X", b"RIFF\x00\x00\x00\x00WEBPVP8L"],
    "h264": [b"\x00\x00\x00\x01\x67", b"\x00\x00\x01\x65", b"\x00\x00\x01\x67\x64\x00\x1f"],
    "rgba": [b""],
}
SUFFIXES = [b"", b"\xff\xd9", b"\x00\x00\x00\x00IEND\xaeB`\x82", b"\x00\x00\x01\x68\xce"]
FUZZ = settings(max_examples=300, deadline=dt.timedelta(milliseconds=500),
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


@st.composite
def hostile(draw: st.DrawFn, prefixes: list[bytes]) -> bytes:
    pattern = draw(st.binary(min_size=1, max_size=16))
    repeats = draw(st.integers(min_value=0, max_value=4096))
    return draw(st.sampled_from(prefixes)) + draw(st.binary(max_size=64)) + pattern * repeats + draw(
        st.sampled_from(SUFFIXES))  # fmt: skip


@st.composite
def frames(draw: st.DrawFn) -> tuple[str, bytes]:
    image_format = draw(st.sampled_from(sorted(PREFIXES)))
    return image_format, draw(hostile(PREFIXES[image_format]))


@FUZZ
@given(frames(), st.sampled_from([(16, 16), (96, 64), (1920, 1080), (7680, 4320)]), st.integers(0, 2))
def test_any_frame_is_taken_or_refused_as_bad_frame(frame, size, index):
    image_format, data = frame
    try:
        check_frame(data, image_format, *size, index)
    except ServiceError as error:
        assert error.code == BAD_FRAME, error


AUDIO_PREFIXES = [b"RIFF\x00\x00\x00\x00WAVE", b"ID3\x04", b"fLaC", b"OggS", b"\xff\xfb", b"\xff\xf1",
                  b"\x00\x00\x00\x20ftypM4A ", b"<?xml", b"#EXTM3U", b"ffconcat"]  # fmt: skip


@FUZZ
@given(hostile(AUDIO_PREFIXES))
def test_any_audio_head_is_recognised_or_refused_as_invalid_request(data):
    head = data[:HEAD_BYTES]
    try:
        found = require_audio(head)
    except ServiceError as error:
        assert error.code == INVALID_REQUEST and "WAV, MP3, FLAC" in error.message
        assert recognise(head) is None
    else:
        assert found == recognise(head) and found.demuxer in ("wav", "mp3", "flac", "ogg", "aac", "mov")
