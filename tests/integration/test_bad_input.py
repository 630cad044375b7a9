"""Bad frames and bad payloads are refused with the contract's codes; the good work goes on."""

from __future__ import annotations

import io
import json
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ..conftest import ServerProcess
from ..media import encode_frame, probe
from .client import RecordingClient

WIDTH, HEIGHT = 320, 180
CODES = {"invalid_request", "unauthorized", "unknown_session", "bad_frame", "too_large", "limit_exceeded",
         "incomplete", "conflict", "server_busy"}  # fmt: skip
EVENTS = ["test", "start_session", "audio_chunk", "frame", "end_session", "resume_session", "cancel_session",
          "session_status"]  # fmt: skip


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(buffer, "PNG")
    return buffer.getvalue()


BAD_FRAMES = {
    "truncated": encode_frame(3, WIDTH, HEIGHT, "jpeg")[:-200],
    "other format": _png((WIDTH, HEIGHT)),
    "other size": encode_frame(3, WIDTH + 2, HEIGHT, "jpeg"),
    "empty": b"",
    "garbage": b"\xff\xd8 this is not a jpeg at all \xff\xd9",
}


def test_bad_frames_are_refused_and_the_video_has_exactly_the_good_ones(server, connect):
    client = connect(server.url)
    session_id = client.start(width=WIDTH, height=HEIGHT, fps=30, format="jpeg")["session_id"]
    refused = {}
    for index in range(30):
        if index % 6 == 3:  # a bad frame first, then the good one for the same index
            name = list(BAD_FRAMES)[index // 6]
            refused[name] = client.send_frame(session_id, index, BAD_FRAMES[name])["error"]["code"]
        assert client.send_frame(session_id, index, encode_frame(index, WIDTH, HEIGHT, "jpeg"))["ok"]
    assert refused == {name: "bad_frame" for name in BAD_FRAMES}
    assert client.call("end_session", {"session_id": session_id, "frame_count": 30})["ok"]
    client.wait_for("video_ready")
    assert probe(server.output_dir / f"{session_id}.mp4").frame_indexes == list(range(30))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)  # fmt: skip
field_names = st.sampled_from(["session_id", "index", "data", "offset", "frame_count", "width", "height", "fps",
                               "format", "audio", "video", "upload", "resume_token", "extra"])  # fmt: skip
# At most one binary value per event: a packet announcing more is closed as malformed (by design,
# see docs/reliability.md; test_protocol_hardening covers it), which is not what this test is about.
payloads = (
    json_values
    | st.binary(max_size=64)
    | st.builds(lambda fields, binary: {**fields, **binary}, st.dictionaries(field_names, json_values, max_size=7),
                st.dictionaries(field_names, st.binary(max_size=64), max_size=1))
)  # fmt: skip


@pytest.fixture(scope="module")
def fuzz_server(start_module_server) -> ServerProcess:
    return start_module_server("--max-events-per-second", "100000", "--max-sessions-per-connection", "1000",
                               "--max-sessions", "1000")  # fmt: skip


@pytest.fixture(scope="module")
def fuzzer(fuzz_server) -> Iterator[RecordingClient]:
    """One connection for all the module's examples (a function's ``connect`` would make 300)."""
    client = RecordingClient(fuzz_server.url)
    yield client
    client.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=st.sampled_from(EVENTS), payload=payloads)
def test_any_payload_gets_a_contract_answer_and_never_a_traceback(fuzzer, event, payload):
    """Slow (300 examples, one round trip each): Hypothesis looks for any payload that breaks the contract."""
    ack = fuzzer.call(event, payload)
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    if not ack["ok"]:
        assert ack["error"]["code"] in CODES, ack
        assert isinstance(ack["error"]["message"], str) and ack["error"]["message"]
        assert "Traceback" not in json.dumps(ack["error"], default=str)


def test_a_good_session_completes_beside_the_fuzzing(fuzz_server, fuzzer, connect):
    good = connect(fuzz_server.url)
    session_id = good.start(width=WIDTH, height=HEIGHT, fps=30, format="png", frame_count=20)["session_id"]
    for index in range(20):
        fuzzer.call("frame", {"session_id": session_id, "index": index, "data": b"not mine"})
        assert good.send_frame(session_id, index, encode_frame(index, WIDTH, HEIGHT, "png"))["ok"]
    assert good.call("end_session", {"session_id": session_id, "frame_count": 20})["ok"]
    good.wait_for("video_ready")
    assert probe(fuzz_server.output_dir / f"{session_id}.mp4").frame_indexes == list(range(20))
    assert "Traceback" not in "\n".join(fuzz_server.lines)
    good.close()
