"""The package as a user gets it: a wheel built from this tree, installed into a fresh venv, run
from a folder that holds no source. Its page, the page's libraries and one session must work."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path

import pytest

from ..conftest import ServerProcess
from ..media import encode_frame, probe

PROJECT = Path(__file__).resolve().parents[2]
FRAMES = 10
# Nothing of the test's own environment may lead the installed package back to this tree.
CLEAN_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, cwd=cwd, env=CLEAN_ENV,
                            timeout=600)  # fmt: skip
    assert result.returncode == 0, f"{command}: {result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh venv holding only the wheel and its dependencies (no Node.js involved).
    Slow (builds the wheel and installs it with its dependencies): only an installation shows what it lacks."""
    root = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", root / "dist", PROJECT)
    [wheel] = (root / "dist").glob("visualizer_server-*.whl")
    venv.create(root / "venv", with_pip=True)
    _run(root / "venv" / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)
    return root / "venv" / "bin"


@pytest.fixture(scope="module")
def server(installed, start_module_server) -> ServerProcess:
    elsewhere = start_module_server.folder  # no source tree, no node_modules/ in sight
    return start_module_server(launcher=(str(installed / "visualizer-server"),), cwd=elsewhere, env={"PYTHONPATH": ""})


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url) as response:
        assert response.status == 200
        return response.read()


def test_the_package_comes_from_the_venv(installed, tmp_path):
    location = _run(installed / "python", "-c", "import visualizer_server; print(visualizer_server.__file__)", cwd=tmp_path)
    assert location.startswith(str(installed.parent)) and str(PROJECT) not in location


def test_the_installed_server_serves_its_page_and_libraries(server):
    page = _get(server.url + "/").decode()
    assert "/vendor/socket.io.min.js" in page and "/page/app.js" in page
    assert _get(server.url + "/vendor/socket.io.min.js").startswith(b"/*!\n * Socket.IO v4")
    for module in ("app.js", "visual.js", "style_spectrum.js", "style_cover.js", "form.js"):
        assert _get(f"{server.url}/page/{module}")
    assert _get(server.url + "/favicon.svg").startswith(b"<svg")


def test_the_installed_server_makes_a_video(server, tmp_path, connect):
    client = connect(server.url)
    session_id = client.start(width=64, height=32, fps=10, format="jpeg")["session_id"]
    for index in range(FRAMES):
        assert client.send_frame(session_id, index, encode_frame(index, 64, 32, "jpeg"))["ok"]
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]
    video = tmp_path / "video.mp4"
    video.write_bytes(_get(server.url + client.wait_for("video_ready")["url"]))
    assert probe(video).frame_indexes == list(range(FRAMES))


def test_the_installed_command_refuses_a_bad_setting(installed, tmp_path):
    result = subprocess.run([installed / "visualizer-server", "--x264-preset", "sluggishly"], capture_output=True,
                            text=True, cwd=tmp_path, env=CLEAN_ENV, timeout=60)  # fmt: skip
    assert result.returncode == 2 and result.stderr.startswith("visualizer-server: --x264-preset must be one of")


def test_the_installed_client_talks_to_the_installed_server(installed, server, tmp_path):
    # WebSocket-only, as visualizer-client connects: it needs websocket-client among the wheel's dependencies.
    result = subprocess.run([installed / "visualizer-client", "ping", server.url.removeprefix("http://")],
                            capture_output=True, text=True, cwd=tmp_path, env=CLEAN_ENV, timeout=60)  # fmt: skip
    assert result.returncode == 0 and result.stdout.startswith("Cheers, "), result.stderr
