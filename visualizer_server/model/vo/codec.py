"""The video codecs a session may ask for, and the container each one is written in.

What a codec means to the rest of the service (the file's extension, its Content-Type,
whether it can carry transparency); the ffmpeg settings of each live with the ffmpeg
command lines (``view/components/encoding/video_encoders.py``).
"""

from __future__ import annotations

import dataclasses

DEFAULT_CODEC = "h264"


@dataclasses.dataclass(frozen=True)
class Codec:
    name: str
    muxer: str  # ffmpeg's -f for the intermediate and the finished file
    extension: str  # of the finished video: /videos/<id>.<extension>
    mime_type: str
    keeps_alpha: bool = False  # VP9 in WebM (yuva420p) and ProRes 4444 in MOV carry an alpha plane


CODECS: dict[str, Codec] = {
    "h264": Codec("h264", "mp4", "mp4", "video/mp4"),
    "hevc": Codec("hevc", "mp4", "mp4", "video/mp4"),
    "av1": Codec("av1", "mp4", "mp4", "video/mp4"),
    "vp9": Codec("vp9", "webm", "webm", "video/webm", keeps_alpha=True),
    "prores": Codec("prores", "mov", "mov", "video/quicktime", keeps_alpha=True),
}
VIDEO_EXTENSIONS = {codec.extension: codec.mime_type for codec in CODECS.values()}
