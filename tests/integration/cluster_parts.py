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
    """A port free a moment ago: whoever binds it next may not be the test, so its users retry (see below)."""
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
    """A throwaway Redis (nothing saved), that a test can kill -9 and start again on the same port.

    Redis binds the port itself and says when it is ready; a port someone else took first (found
    free, then taken) makes it exit, and it is tried again: on another port at first, on its own
    port after a kill (until the old socket is gone).
    """

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "redis.log"
        self.port = 0
        self.process: subprocess.Popen | None = None
        for _ in range(5):
            self.port = free_port()
            if self._spawn():
                return
        raise RuntimeError("redis-server did not start on any of five free ports")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Again on its own port, as after a crash."""
        wait_until(self._spawn, timeout=20, what=f"redis-server's start on port {self.port}")

    def _spawn(self) -> bool:
        """Start redis-server on ``self.port``; True once it accepts connections, False if it could not bind."""
        self.log.write_text("")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--logfile", str(self.log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: "Ready to accept connections" in self.log.read_text() or self.process.poll() is not None,
                   timeout=20, what="redis-server's start")  # fmt: skip
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill()


class Nginx:
    """The project's deploy/nginx.conf, pointed at the test's nodes and a free port."""

    def __init__(self, folder: Path, node_urls: list[str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for _ in range(5):  # a port found free may be taken before nginx binds it: then another one
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            problem = self._start(folder, node_urls)
            if problem is None:
                return
            if "Address already in use" not in problem:
                break
        raise RuntimeError(f"nginx did not start: {problem}")

    def _start(self, folder: Path, node_urls: list[str]) -> str | None:
        """Start nginx on ``self.port``; None once it accepts, else what it said before it exited."""
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
        if self.process.poll() is None:
            return None
        log = folder / "error.log"
        return self.process.stderr.read().decode() + (log.read_text(errors="replace") if log.exists() else "")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
