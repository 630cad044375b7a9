"""``visualizer-server`` as a new operator meets it: its help, its config into a pipe, YouTube set-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from ..conftest import ServerProcess
from .cluster_parts import free_port
from .fake_youtube import FakeYouTube

SERVER = (sys.executable, "-m", "visualizer_server")


def _run(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([*SERVER, *args], capture_output=True, text=True, timeout=60, **options)


@pytest.fixture
def youtube(tmp_path):
    fake = FakeYouTube(tmp_path)
    yield fake
    fake.close()


def test_help_shows_the_authorize_command():
    result = _run("--help")
    assert result.returncode == 0 and "visualizer-server authorize --client-secrets" in " ".join(result.stdout.split())


def test_print_config_into_a_pipe_closed_early_ends_without_a_traceback(tmp_path):
    # What `visualizer-server --print-config | head -1` does: the reader goes away before the writer is done.
    read_end, write_end = os.pipe()
    os.close(read_end)
    with os.fdopen(write_end, "w") as closed_pipe:
        result = subprocess.run([*SERVER, "--print-config"], stdout=closed_pipe, stderr=subprocess.PIPE,
                                text=True, timeout=60)  # fmt: skip
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr
    assert result.returncode == 0


@pytest.mark.parametrize("content, why", [
    ({"installed": {"client_id": "cid", "client_secret": "s"}}, "it has no refresh_token"),  # the client secret itself
    ({"token": "only-an-access-token"}, "it has no refresh_token, client_id, client_secret"),
    ("{not json", "Expecting property name"),
])  # fmt: skip
def test_a_file_that_is_not_a_token_file_stops_the_server_at_startup(tmp_path, content, why):
    token_file = tmp_path / "token.json"
    token_file.write_text(content if isinstance(content, str) else json.dumps(content))
    result = _run("--port", "0", "--work-dir", str(tmp_path / "w"), "--output-dir", str(tmp_path / "o"),
                  "--youtube-token-file", str(token_file))  # fmt: skip
    assert result.returncode == 2, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.strip()]  # one line, no traceback
    assert "is not a token file" in line and why in line and "visualizer-server authorize" in line


def test_authorize_refuses_a_file_that_is_not_a_client_secret(tmp_path):
    for content in ('{"token": "x"}', "not json", '{"installed": {"client_id": "only"}}'):
        secrets = tmp_path / "client_secret.json"
        secrets.write_text(content)
        result = _run("authorize", "--client-secrets", str(secrets), "--no-browser")
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "is not an OAuth client secret" in result.stderr and "Desktop app" in result.stderr


def test_authorize_listens_on_the_port_given_for_ssh_forwarding(tmp_path, youtube):
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps({"installed": {
        "client_id": "cid", "client_secret": "csecret", "auth_uri": youtube.endpoint + "/auth",
        "token_uri": youtube.endpoint + "/token", "redirect_uris": ["http://localhost"]}}))  # fmt: skip
    token_file, port = tmp_path / "token.json", free_port()
    authorize = subprocess.Popen(
        [*SERVER, "authorize", "--client-secrets", str(secrets), "--token-file", str(token_file), "--no-browser",
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "REQUESTS_CA_BUNDLE": str(youtube.cert), "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        prompt = authorize.stdout.readline()
        assert prompt.startswith("Open this URL"), authorize.stderr.read() if authorize.poll() is not None else prompt
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(prompt.split(": ", 1)[1].strip()).query)
        redirect_uri = query["redirect_uri"][0]
        assert urllib.parse.urlsplit(redirect_uri).port == port  # what `ssh -L PORT:127.0.0.1:PORT` forwards
        with urllib.request.urlopen(f"{redirect_uri}?code=the-code&state={query['state'][0]}") as response:
            assert response.status == 200
        out, err = authorize.communicate(timeout=60)
    finally:
        authorize.kill()
    assert authorize.returncode == 0, err
    assert os.stat(token_file).st_mode & 0o777 == 0o600
    # The file it wrote is one the server takes at startup.
    server = ServerProcess(tmp_path / "work", tmp_path / "output", ["--youtube-token-file", str(token_file)])
    server.stop()


def test_authorize_on_a_port_in_use_is_a_sentence(tmp_path, youtube):
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps({"installed": {
        "client_id": "cid", "client_secret": "csecret", "auth_uri": youtube.endpoint + "/auth",
        "token_uri": youtube.endpoint + "/token", "redirect_uris": ["http://localhost"]}}))  # fmt: skip
    port = urllib.parse.urlsplit(youtube.endpoint).port  # taken by the fake
    result = _run("authorize", "--client-secrets", str(secrets), "--no-browser", "--port", str(port))
    assert result.returncode == 2 and "pick another --port" in result.stderr and "Traceback" not in result.stderr
