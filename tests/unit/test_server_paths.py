"""Error messages for clients lose the server's absolute paths, and nothing else."""

import pytest

from visualizer_server.view.components.transport.server_paths import HIDDEN, scrub_error, without_paths


@pytest.mark.parametrize("message, expected", [
    ("[Errno 2] No such file or directory: '/srv/work/abc/frames/00000005.jpg'",
     f"[Errno 2] No such file or directory: '{HIDDEN}'"),
    ("file:/srv/work/abc/audio.bin: Invalid data found", f"{HIDDEN}: Invalid data found"),
    ("ffmpeg exited with code 1: /usr/lib/x/ffmpeg | Error", f"ffmpeg exited with code 1: {HIDDEN} | Error"),
    ("see https://example.com/a/b and 1/2 of the frames", "see https://example.com/a/b and 1/2 of the frames"),
    ("send 'frame' events; /healthz is fine", "send 'frame' events; /healthz is fine"),
])  # fmt: skip
def test_absolute_paths_are_hidden(message, expected):
    assert without_paths(message) == expected


def test_only_the_error_message_of_a_payload_changes():
    payload = {"ok": False, "error": {"code": "encode_failed", "message": "gone: /srv/w/x.mp4", "detail": "/keep/me"},
               "url": "/videos/x.mp4"}  # fmt: skip
    assert scrub_error(payload) == {"ok": False, "url": "/videos/x.mp4",
                                    "error": {"code": "encode_failed", "message": f"gone: {HIDDEN}", "detail": "/keep/me"}}  # fmt: skip
    assert scrub_error({"ok": True}) == {"ok": True}
