"""Settings that would silently weaken the server stop it with a sentence and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(tmp_path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "visualizer_server", "--work-dir", str(tmp_path / "w"), "--output-dir",
         str(tmp_path / "o"), *args], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_an_empty_token_is_refused_instead_of_turning_authentication_off(tmp_path):
    for result in (_run(tmp_path, "--token", "", "--port", "0"), _run(tmp_path, "--port", "0", env={"VISUALIZER_TOKEN": ""})):
        assert result.returncode == 2, result.stderr
        assert "--token has an empty value" in result.stderr and "Traceback" not in result.stderr


def test_a_second_server_on_a_port_in_use_stops_with_a_sentence(server, tmp_path):
    port = server.url.rsplit(":", 1)[1]
    result = _run(tmp_path, "--port", port)
    assert result.returncode == 2, result.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr and "Traceback" not in result.stderr
    assert server.process.poll() is None  # the first one serves on


def test_print_config_masks_the_redis_password_tokens_and_the_admin_password(tmp_path):
    result = _run(tmp_path, "--print-config", "--redis-url", "redis://app:hunter2@127.0.0.1:6379/0",
                  "--token", "t0ken-secret", "--admin-password", "adm1n-secret")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "redis://app:***@127.0.0.1:6379/0" in result.stdout
    for secret in ("hunter2", "t0ken-secret", "adm1n-secret"):
        assert secret not in result.stdout


def test_print_config_masks_a_redis_password_given_as_a_query_parameter(tmp_path):
    result = _run(tmp_path, "--print-config", "--redis-url", "redis://127.0.0.1:6379/0?password=hunter2&db=0")
    assert result.returncode == 0, result.stderr
    assert "redis://127.0.0.1:6379/0?password=***&db=0" in result.stdout and "hunter2" not in result.stdout

