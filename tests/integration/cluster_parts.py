"""The real parts of a cluster for the tests: Debian's redis-server and nginx on free loopback ports."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
from pathlib import Path

from ..processes import wait_until

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian puts it in sbin, not always on PATH


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class RedisServer:
    """A throwaway Redis (nothing saved), that a test can kill -9 and start again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: _accepts(self.port), timeout=20, what="redis-server's start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill()


class Nginx:
    """The project's deploy/nginx.conf, pointed at the test's nodes and a free port."""

    def __init__(self, folder: Path, node_urls: list[str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        config = (ROOT / "deploy" / "nginx.conf").read_text()
        upstream = "".join(f"        server {url.removeprefix('http://')} max_fails=1 fail_timeout=5s;\n"
                           for url in node_urls)  # fmt: skip
        config = re.sub(r"(upstream visualizer \{\n)(?:.*\n)*?(    \})", rf"\g<1>{upstream}\g<2>", config)
        config = config.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{self.port};")
        config = config.replace("http {\n", "http {\n    access_log off;\n", 1)
        (folder / "nginx.conf").write_text(config)
        self.process = subprocess.Popen(
            [NGINX, "-p", f"{folder}/", "-c", str(folder / "nginx.conf"),
             "-g", f"daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_until(lambda: _accepts(self.port) or self.process.poll() is not None, timeout=20, what="nginx's start")
        if self.process.poll() is not None:
            raise RuntimeError(f"nginx did not start: {self.process.stderr.read().decode()}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
