"""What a client hears never names the server's files; the log does."""

from __future__ import annotations

from ..media import encode_frame


def test_an_encode_that_fails_on_a_missing_spool_file_names_no_path(tmp_path, start_server, connect):
    """With no frame kept in memory the encoder reads the spool; a frame removed behind the server's
    back fails the encode with an OS error that names the file (it reached the client before)."""
    process = start_server("--encoder-buffer-bytes", "0")
    client = connect(process.url)
    session_id = client.start(width=64, height=64, fps=10, format="jpeg", frame_count=10)["session_id"]
    for index in range(1, 10):  # the encoder starts on frame 0: until then nothing is read
        assert client.send_frame(session_id, index, encode_frame(index, 64, 64, "jpeg"))["ok"]
    next((process.work_dir / session_id / "frames").glob("00000005.*")).unlink()
    assert client.send_frame(session_id, 0, encode_frame(0, 64, 64, "jpeg"))["ok"]
    client.call("end_session", {"session_id": session_id, "frame_count": 10})
    failed = client.wait_for("session_failed")
    status = client.call("session_status", {"session_id": session_id})
    for message in (failed["error"]["message"], status["error"]["message"]):
        assert str(tmp_path) not in message and "00000005" not in message, message
    assert any(str(process.work_dir) in line for line in process.lines)  # the details are in the log
