import dataclasses
import json

from visualizer_server import notifications as n
from visualizer_server.controller.start_session_command import StartSessionCommand
from visualizer_server.model.vo.requests import StartSessionRequest
from visualizer_server.model.vo.session import SessionSpec


def _start(core, **spec):
    core.command(n.START_SESSION, StartSessionCommand)
    core.proxies()
    request = StartSessionRequest("sid-1", spec=SessionSpec(**{"width": 640, "height": 360, "fps": 30,
                                                              "format": "png", **spec}))  # fmt: skip
    core.facade.send_notification(n.START_SESSION, request)
    return request.reply.to_ack()


def test_creates_a_session_with_its_folder_and_manifest(core):
    ack = _start(core)
    assert ack["ok"] and ack["window"] == core.settings.window
    assert ack["max_frame_bytes"] == 640 * 360 * 4 + 64 * 1024
    session = core.sessions.find(ack["session_id"])
    assert session.owner_sid == "sid-1" and session.spec.upload is False
    assert ack["upload"] is False, "no credentials: the client learns it will not wait for YouTube"
    manifest = json.loads((core.settings.work_dir / session.id / "manifest.json").read_text())
    assert manifest["resume_token"] == ack["resume_token"] and manifest["state"] == "receiving"


def test_upload_without_credentials_is_an_invalid_request(core):
    ack = _start(core, upload=True)
    assert ack["error"]["code"] == "invalid_request"
    assert "--youtube-token-file" in ack["error"]["message"]
    assert core.sessions.sessions == {}


def test_rgba_frames_above_the_server_limit_are_refused(core, settings):
    core.settings = dataclasses.replace(settings, max_frame_bytes=1000)
    ack = _start(core, format="rgba")
    assert ack["error"]["code"] == "limit_exceeded"
