"""The audio formats a musician has, recognised by their first bytes, and the demuxer that reads each.

Without ``-f``, ffmpeg guesses an input's format from its content, playlists and manifests
included: audio sent as a live DASH manifest hung the mux for ever, and a static one read a
local file of the server's into the video. So the server recognises the bytes itself and
forces that demuxer; anything else is refused with the list of what is taken.
"""

from __future__ import annotations

import dataclasses

from ..errors import INVALID_REQUEST, ServiceError

HEAD_BYTES = 12  # enough to tell every accepted format apart
ACCEPTED = "WAV, MP3, FLAC, Ogg (Vorbis or Opus) and AAC/M4A"


@dataclasses.dataclass(frozen=True)
class AudioFormat:
    name: str
    demuxer: str  # ffmpeg's -f


WAV = AudioFormat("WAV", "wav")
MP3 = AudioFormat("MP3", "mp3")
FLAC = AudioFormat("FLAC", "flac")
OGG = AudioFormat("Ogg", "ogg")
ADTS = AudioFormat("AAC (ADTS)", "aac")
M4A = AudioFormat("M4A", "mov")


def _mpeg_audio(head: bytes) -> AudioFormat | None:
    """An MPEG audio frame's sync word: layers 1 to 3 are MP3's demuxer, layer 0 with MPEG-4 sync is ADTS."""
    if head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    layer = (head[1] >> 1) & 0x03
    if layer:
        return MP3
    return ADTS if head[1] & 0xF6 == 0xF0 else None


def recognise(head: bytes) -> AudioFormat | None:
    """The format of audio beginning with ``head`` (at least ``HEAD_BYTES`` of it), or None."""
    if len(head) < HEAD_BYTES:
        return None
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return WAV
    if head[:4] == b"fLaC":
        return FLAC
    if head[:4] == b"OggS":
        return OGG
    if head[:3] == b"ID3":  # an ID3v2 tag, then MPEG audio frames
        return MP3
    if head[4:8] == b"ftyp":  # an ISO base media file: M4A, MP4
        return M4A
    return _mpeg_audio(head)


def refusal(reason: str) -> ServiceError:
    """``invalid_request`` for audio the server will not use, naming what it takes."""
    return ServiceError(INVALID_REQUEST, f"{reason}: this server takes {ACCEPTED} audio; convert it to one of them")


def require_audio(head: bytes) -> AudioFormat:
    """The format of ``head``, or the refusal: a playlist, a manifest or an unknown format is not audio."""
    found = recognise(head)
    if found is None:
        raise refusal("the audio is in none of the accepted formats (recognised by its first bytes)")
    return found
