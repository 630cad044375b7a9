"""What operators rely on: /metrics, the Admin UI's password, the effective configuration."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import socketio

from ..media import encode_frame
from .metrics import read_metrics


def test_metrics_parse_and_move_by_the_right_amounts(server, connect):
    before = read_metrics(server.url)
    client = connect(server.url)
    session_id = client.start(width=64, height=32, fps=10, format="jpeg")["session_id"]
    frames = [encode_frame(index, 64, 32, "jpeg") for index in range(12)]
    for index, frame in enumerate(frames):
        client.send_frame(session_id, index, frame)
    client.send_frame(session_id, 12, b"garbage")
    client.call("end_session", {"session_id": session_id, "frame_count": 99})  # incomplete
    client.call("end_session", {"session_id": session_id, "frame_count": 12})
    client.wait_for("video_ready")
    after = read_metrics(server.url)

    def moved(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert moved("visualizer_frames_received_total") == 12
    assert moved("visualizer_frame_bytes_received_total") == sum(len(frame) for frame in frames)
    assert moved("visualizer_bad_frames_total") == 1
    assert moved("visualizer_requests_refused_total", code="bad_frame") == 1
    assert moved("visualizer_requests_refused_total", code="incomplete") == 1
    assert moved("visualizer_videos_built_total") == 1
    assert moved("visualizer_encode_duration_seconds_count") == 1
    assert after[("visualizer_sessions", (("state", "done"),))] == 1
    assert after[("visualizer_ffmpeg_processes", ())] == 0


def test_the_admin_ui_refuses_a_wrong_password(start_server):
    server = start_server("--admin-ui", "--admin-username", "admin", "--admin-password", "right")
    for password, admitted in (("wrong", False), ("right", True)):
        admin = socketio.Client(reconnection=False)
        refusals: list = []
        admin.on("connect_error", refusals.append, namespace="/admin")
        try:
            admin.connect(server.url, namespaces=["/admin"], transports=["websocket"],
                          auth={"username": "admin", "password": password}, wait_timeout=10)  # fmt: skip
            connected = True
        except socketio.exceptions.ConnectionError:
            connected = False
        assert connected is admitted, (password, refusals)
        admin.disconnect()


def test_the_admin_ui_needs_credentials():
    result = subprocess.run([sys.executable, "-m", "visualizer_server", "--admin-ui", "--port", "0"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode != 0 and "--admin-password" in result.stderr


def test_config_precedence_file_then_environment_then_flag(tmp_path):
    config = tmp_path / "server.toml"
    config.write_text('port = 4001\nwindow = 4\nx264_preset = "slow"\ntoken = ["from-file"]\n')
    environ = {**os.environ, "VISUALIZER_CONFIG": str(config), "VISUALIZER_WINDOW": "6", "VISUALIZER_PORT": "4002"}
    result = subprocess.run([sys.executable, "-m", "visualizer_server", "--print-config", "--port", "4003"],
                            capture_output=True, text=True, env=environ, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    effective = json.loads(result.stdout)
    assert effective["x264_preset"] == {"value": "slow", "source": f"file {config}"}
    assert effective["window"] == {"value": 6, "source": "env VISUALIZER_WINDOW"}  # environment over file
    assert effective["port"] == {"value": 4003, "source": "flag --port"}  # flag over both
    assert effective["token"] == {"value": ["***"], "source": f"file {config}"}  # secrets masked
    assert effective["x264_crf"] == {"value": 20, "source": "default"}


@pytest.mark.parametrize(
    "args, flag",
    [(["--x264-preset", "sluggishly"], "--x264-preset"), (["--log-level", "LOUD"], "--log-level"),
     (["--port", "99999"], "--port")],
)  # fmt: skip
def test_a_bad_setting_stops_the_command_with_one_sentence_and_exit_code_2(tmp_path, args, flag):
    result = subprocess.run([sys.executable, "-m", "visualizer_server", "--work-dir", str(tmp_path / "w"), *args],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("visualizer-server: ") and flag in line
    assert not (tmp_path / "w").exists()  # stopped before anything was made


def test_json_logs_are_one_object_a_line(start_server):
    server = start_server("--log-format", "json")
    server.stop()
    records = [json.loads(line) for line in server.lines if line.startswith("{")]
    assert any("listening on" in record["message"] for record in records)
    assert all({"asctime", "levelname", "name", "message"} <= set(record) for record in records)
