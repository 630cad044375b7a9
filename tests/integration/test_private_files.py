"""Work and output are private to the service's user unless its operator widens them (``--umask``).

Before, manifests (which hold resume tokens), frames and videos were world-readable (0644, 0755).
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Callable

import pytest

from ..conftest import ServerProcess
from ..media import encode_frame, make_wav
from .client import RecordingClient


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _session_files(
    connect: Callable[..., RecordingClient], process: ServerProcess, tmp_path: Path
) -> dict[str, int]:
    """The modes of everything one session leaves: folders, manifest, a frame, the audio, the video."""
    client = connect(process.url)
    audio = make_wav(tmp_path / "a.wav", 1.0)
    session_id = client.start(width=64, height=64, fps=10, format="jpeg",
                              audio={"filename": "a.wav", "size": len(audio)})["session_id"]  # fmt: skip
    client.send_audio(session_id, audio)
    for index in range(10):
        assert client.send_frame(session_id, index, encode_frame(index, 64, 64, "jpeg"))["ok"]
    folder = process.work_dir / session_id
    modes = {"work": _mode(process.work_dir), "session folder": _mode(folder),
             "manifest": _mode(folder / "manifest.json"), "audio": _mode(folder / "audio.bin"),
             "frame": _mode(next((folder / "frames").iterdir()))}  # fmt: skip
    assert client.call("end_session", {"session_id": session_id, "frame_count": 10})["ok"]
    client.wait_for("video_ready")
    modes |= {"output": _mode(process.output_dir), "video": _mode(process.output_dir / f"{session_id}.mp4")}
    return modes


@pytest.mark.parametrize("umask, folders, files", [(None, 0o700, 0o600), ("027", 0o750, 0o640)],
                         ids=["private by default", "widened for the group"])  # fmt: skip
def test_work_and_output_are_private_unless_widened(tmp_path, umask, folders, files, start_server, connect):
    process = start_server(*(["--umask", umask] if umask else []))
    modes = _session_files(connect, process, tmp_path)
    expected = {name: folders if name in ("work", "output", "session folder") else files for name in modes}
    assert {name: oct(mode) for name, mode in modes.items()} == {name: oct(mode) for name, mode in expected.items()}
