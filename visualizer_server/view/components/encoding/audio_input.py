"""How every ffmpeg reads a session's audio: its demuxer forced, local files only, never a guess.

A guessing ffmpeg follows playlists and manifests (HLS, DASH, ffconcat) wherever they point;
a forced demuxer of a plain audio format reads the one file it is given. ``-protocol_whitelist
file`` and the ``file:`` prefix keep even that demuxer from opening anything but a local file.
"""

from __future__ import annotations

from pathlib import Path

from ....model.audio_format import HEAD_BYTES, require_audio


def audio_input_args(path: Path) -> list[str]:
    """The input options and ``-i`` for the audio at ``path``; raises the contract's refusal if its bytes
    are none of the accepted formats (the session's end checked that already, so this is a second look)."""
    with path.open("rb") as audio:
        found = require_audio(audio.read(HEAD_BYTES))
    return ["-f", found.demuxer, "-protocol_whitelist", "file", "-i", f"file:{path}"]
