"""A folder of numbered frames: one format, one size, checked before anything is sent."""

from __future__ import annotations

import dataclasses
import re
import warnings
from pathlib import Path

from ..errors import ServiceError

with warnings.catch_warnings():
    # frame_check imports eventlet (for the server's thread pool), which announces its bugfix-only
    # maintenance on import: a choice of the server's, not news for a command-line user.
    warnings.simplefilter("ignore")
    from ..model.frame_check import SIZE_READERS

EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}
EXPECTED = ".png, .jpg or .webp files"
NUMBER = re.compile(r"(\d+)\D*$")  # the last run of digits in the name: frame_0007.png, 7.png, take2-0007.png


class FolderError(Exception):
    """The folder cannot be sent as it is; the message says why."""


@dataclasses.dataclass(frozen=True)
class FrameFolder:
    paths: tuple[Path, ...]
    format: str
    width: int
    height: int


def scan_frames(folder: Path, allow_gaps: bool = False) -> FrameFolder:
    """The frames of ``folder`` in number order (``0001.png`` ...), with their common format and size.

    A gap in the numbering (1, 2, 3, 7) is refused unless ``allow_gaps``: sent as they are,
    the frames would play one after another, and the video would jump where frames are missing.
    """
    if not folder.is_dir():
        raise FolderError(f"{folder} is not a folder")
    files = [path for path in folder.iterdir() if path.is_file() and not path.name.startswith(".")]
    if not files:
        raise FolderError(f"{folder} holds no frames: expected numbered images of one format and size, "
                          f"such as 0001.png, 0002.png ... ({EXPECTED})")  # fmt: skip
    formats = {EXTENSIONS.get(path.suffix.lower()) for path in files}
    if None in formats:
        odd = next(path.name for path in sorted(files) if path.suffix.lower() not in EXTENSIONS)
        raise FolderError(f"{odd} is not a frame: the folder may hold only {EXPECTED}")
    files = _in_number_order(files)
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
    if not allow_gaps:
        _refuse_gaps(files)
    return FrameFolder(tuple(files), image_format, width, height)


def frame_number(path: Path) -> int | None:
    match = NUMBER.search(path.stem)
    return int(match.group(1)) if match else None


def _in_number_order(files: list[Path]) -> list[Path]:
    """By frame number, so 2.png comes before 10.png (name order would not)."""
    unnumbered = next((path.name for path in files if frame_number(path) is None), None)
    if unnumbered is not None:
        raise FolderError(f"{unnumbered} carries no frame number: name the frames 0001.png, 0002.png ...")
    ordered = sorted(files, key=lambda path: (frame_number(path), path.name))
    for before, after in zip(ordered, ordered[1:]):
        if frame_number(before) == frame_number(after):
            raise FolderError(f"{before.name} and {after.name} carry the same frame number")
    return ordered


def gaps(files: list[Path] | tuple[Path, ...]) -> list[tuple[int, int]]:
    """The missing frame numbers between the first and the last, as inclusive ranges."""
    numbers = [frame_number(path) for path in files]
    return [(low + 1, high - 1) for low, high in zip(numbers, numbers[1:]) if high - low > 1]


def describe_gaps(missing: list[tuple[int, int]]) -> str:
    shown = ", ".join(str(low) if low == high else f"{low} to {high}" for low, high in missing[:5])
    return shown + (f" and {len(missing) - 5} more gaps" if len(missing) > 5 else "")


def _refuse_gaps(files: list[Path]) -> None:
    missing = gaps(files)
    if missing:
        raise FolderError(f"frames {describe_gaps(missing)} are missing from the numbering; the video would jump "
                          "there. Render them, or pass --allow-gaps to send the frames one after another")  # fmt: skip
