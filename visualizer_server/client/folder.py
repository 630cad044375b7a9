"""A folder of numbered frames: one format, one size, checked before anything is sent."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..errors import ServiceError
from ..model.frame_check import SIZE_READERS

EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}


class FolderError(Exception):
    """The folder cannot be sent as it is; the message says why."""


@dataclasses.dataclass(frozen=True)
class FrameFolder:
    paths: tuple[Path, ...]
    format: str
    width: int
    height: int


def scan_frames(folder: Path) -> FrameFolder:
    """The frames of ``folder`` in name order (``0001.png`` ...), with their common format and size."""
    if not folder.is_dir():
        raise FolderError(f"{folder} is not a folder")
    files = sorted(path for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))
    if not files:
        raise FolderError(f"{folder} holds no frames")
    formats = {EXTENSIONS.get(path.suffix.lower()) for path in files}
    if None in formats:
        odd = next(path.name for path in files if path.suffix.lower() not in EXTENSIONS)
        raise FolderError(f"{odd} is not a frame: the folder may hold only .png, .jpg or .webp files")
    if len(formats) > 1:
        raise FolderError(f"the folder mixes formats ({', '.join(sorted(formats))}); one session takes one format")
    image_format = formats.pop()
    sizes = {}
    for path in files:
        try:
            sizes.setdefault(SIZE_READERS[image_format](path.read_bytes()), path.name)
        except ServiceError as error:
            raise FolderError(f"{path.name}: {error.message}") from None
    if len(sizes) > 1:
        described = ", ".join(f"{w}x{h} ({name})" for (w, h), name in sizes.items())
        raise FolderError(f"the frames differ in size: {described}")
    (width, height), _ = sizes.popitem()
    return FrameFolder(tuple(files), image_format, width, height)
