"""deploy/: what an operator installs, checked as far as this machine can run it.

The systemd unit is verified by ``systemd-analyze`` (no systemd runs here) and its readiness
and watchdog protocol are spoken by the real server to a socket the test opens. No Docker
engine runs here: the compose file is validated against the Compose specification's schema
and the Dockerfile is parsed by the official (BuildKit) parser, then checked for what the
image must do.
"""

from __future__ import annotations

import configparser
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import dockerfile
import pytest
import yaml

from ..conftest import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "visualizer-server.service"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def _unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(UNIT)
    return unit


@pytest.fixture
def notify_socket():
    """A unix datagram socket in the abstract namespace, as systemd passes in NOTIFY_SOCKET."""
    name = f"@visualizer-test-{os.getpid()}-{secrets.token_hex(4)}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind("\0" + name[1:])
    listener.settimeout(20)
    yield name, listener
    listener.close()


def _messages(listener: socket.socket, count: int) -> list[dict[str, str]]:
    found = []
    for _ in range(count):
        datagram = listener.recv(4096).decode()
        found.append(dict(line.split("=", 1) for line in datagram.splitlines()))
    return found


def test_the_server_says_ready_pings_the_watchdog_and_says_stopping(tmp_path, notify_socket):
    name, listener = notify_socket
    server = ServerProcess(tmp_path / "work", tmp_path / "output",
                           env={"NOTIFY_SOCKET": name, "WATCHDOG_USEC": "200000"})  # fmt: skip
    try:
        [ready] = _messages(listener, 1)
        assert ready["READY"] == "1" and ready["MAINPID"] == str(server.process.pid)
        pings = _messages(listener, 5)  # every 0.1 s: half of WatchdogSec, as systemd advises
        assert all(ping == {"WATCHDOG": "1"} for ping in pings)
    finally:
        server.stop()
    messages = []
    while "STOPPING" not in (messages[-1] if messages else {}):
        messages += _messages(listener, 1)
    assert messages[-1]["STOPPING"] == "1"


def test_a_watchdog_meant_for_another_process_is_not_pinged(tmp_path, notify_socket):
    name, listener = notify_socket
    server = ServerProcess(tmp_path / "work", tmp_path / "output",
                           env={"NOTIFY_SOCKET": name, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"})  # fmt: skip
    try:
        [ready] = _messages(listener, 1)
        assert ready["READY"] == "1"
    finally:
        server.stop()
    [stopping] = _messages(listener, 1)  # no WATCHDOG=1 in between
    assert stopping["STOPPING"] == "1"


def test_the_unit_restarts_a_wedged_server_but_not_a_misconfigured_one():
    service = _unit()["Service"]
    assert service["Type"] == "notify" and service["NotifyAccess"] == "main"
    assert int(service["WatchdogSec"]) > 0 and service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # a bad setting: one line in the journal, exit 2
    assert service["User"] == "visualizer" and service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict" and "VISUALIZER_WORK_DIR=/var/lib/visualizer-server/work" in [
        value for key, value in _environment_lines()]


def _environment_lines() -> list[tuple[str, str]]:
    return [("Environment", line.split("=", 1)[1]) for line in UNIT.read_text().splitlines()
            if line.startswith("Environment=")]  # fmt: skip


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is installed by 'make cluster-parts'")
def test_systemd_analyze_accepts_the_unit_and_rates_it_well_hardened(tmp_path):
    # The unit as installed, with ExecStart pointing at this checkout's command.
    installed = UNIT.read_text().replace("/opt/visualizer-server/bin/visualizer-server",
                                         str(Path(sys.executable).parent / "visualizer-server"))  # fmt: skip
    unit = tmp_path / "visualizer-server.service"
    unit.write_text(installed)
    verified = subprocess.run([SYSTEMD_ANALYZE, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr
    security = subprocess.run([SYSTEMD_ANALYZE, "security", "--offline=yes", str(unit)],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    exposure = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout).group(1))
    assert exposure <= 2.0, security.stdout  # systemd's scale: 0 (locked down) to 10 (UNSAFE)


def _check_compose(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema",
                           "vendor.compose-spec", str(path)], capture_output=True, text=True, timeout=60)  # fmt: skip


def test_the_compose_file_follows_the_compose_specification(tmp_path):
    assert _check_compose(DEPLOY / "compose.yaml").returncode == 0
    broken = tmp_path / "compose.yaml"  # the check can fail: a port list that is not a list
    broken.write_text((DEPLOY / "compose.yaml").read_text().replace('ports:\n      - "127.0.0.1:8080:8080"',
                                                                    "ports: 8080"))  # fmt: skip
    assert _check_compose(broken).returncode != 0


def test_the_compose_nodes_share_one_volume_one_redis_and_the_same_settings():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    nodes = {name: service for name, service in compose["services"].items() if name.startswith("node")}
    assert len(nodes) == 2
    environments = [{k: v for k, v in node["environment"].items() if k != "VISUALIZER_NODE_NAME"} for node in nodes.values()]
    assert environments[0] == environments[1] and environments[0]["VISUALIZER_REDIS_URL"].startswith("redis://redis:")
    assert all(node["volumes"] == ["shared:/data"] for node in nodes.values())
    nginx = compose["services"]["nginx"]
    assert "./nginx.conf:/deploy/nginx.conf:ro" in nginx["volumes"]
    rewritten = " ".join(nginx["command"])
    for original in ("server 127.0.0.1:3001 ", "server 127.0.0.1:3002 ", "listen 127.0.0.1:8080;"):
        assert original.split("server ")[-1] in rewritten and original in (DEPLOY / "nginx.conf").read_text()


def test_the_dockerfile_parses_and_builds_the_package_as_an_unprivileged_user():
    commands = dockerfile.parse_file(str(DEPLOY / "Dockerfile"))
    names = [command.cmd for command in commands]
    for command in commands:
        if command.cmd == "COPY" and not any(flag.startswith("--from") for flag in command.flags):
            for source in command.value[:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
    last_from = len(names) - 1 - names[::-1].index("FROM")
    final = commands[last_from:]
    users = [command.value[0] for command in final if command.cmd == "USER"]
    assert users and users[-1] not in ("root", "0")
    [entrypoint] = [command for command in final if command.cmd == "ENTRYPOINT"]
    assert entrypoint.json and entrypoint.value == ("visualizer-server",)
    assert "visualizer-server = visualizer_server.__main__:run" in (ROOT / "setup.cfg").read_text()
    [health] = [command for command in final if command.cmd == "HEALTHCHECK"]
    assert "/healthz" in " ".join(health.value)
