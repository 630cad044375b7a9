"""The harness's parts that are not fixtures: a server factory, and the snapshot the leak check compares with."""

from __future__ import annotations

from pathlib import Path

from ..conftest import FROM_SOURCE, ServerProcess
from .client import RecordingClient


class ServerFactory:
    """Starts servers in one folder (or in the ones given) and stops every one of them at ``stop_all``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[ServerProcess] = []

    def __call__(
        self, *args: str, env: dict[str, str] | None = None, work: Path | None = None, output: Path | None = None,
        launcher: tuple[str, ...] = FROM_SOURCE, cwd: Path | None = None,
    ) -> ServerProcess:  # fmt: skip
        """A server with these extra flags, by default in the folder's ``work`` and ``output``
        (so that a restart finds its predecessor's spool)."""
        process = ServerProcess(work or self.folder / "work", output or self.folder / "output", list(args), env=env,
                                launcher=launcher, cwd=cwd)  # fmt: skip
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        """Stop each server (kill -9 the ones that do not stop in time), then report the first that would not."""
        errors = []
        for process in self.started:
            try:
                process.stop()
            except Exception as error:  # noqa: BLE001 -- every server is stopped before one failure is raised
                process.kill()
                errors.append(error)
        if errors:
            raise errors[0]


class Snapshot:
    """The servers and clients made so far; ``leaks()`` ends and names those made since that still run."""

    def __init__(self) -> None:
        self.servers, self.clients = set(ServerProcess.made), set(RecordingClient.made)

    def leaks(self) -> tuple[list[ServerProcess], list[RecordingClient]]:
        """The servers still running and clients still connected that were made since; each is ended
        (kill -9, disconnect) so that one test's leak does not become the next one's failure."""
        new_servers, new_clients = ServerProcess.made - self.servers, RecordingClient.made - self.clients
        servers = [process for process in new_servers if process.process.poll() is None]
        clients = [client for client in new_clients if client.sio.connected]
        for process in servers:
            process.kill()
        for client in clients:
            client.close()
        ServerProcess.made.difference_update(new_servers)
        RecordingClient.made.difference_update(new_clients)
        return servers, clients
