"""Structural checks of frame bytes, done before a frame is stored or reaches ffmpeg.

ffmpeg's ``image2pipe`` silently glues garbage to the previous frame and rescales
a frame of another size, so a bad frame would shorten or distort the video without
an error. These checks walk the container structure (no pixel decode) and read the
dimensions from the header.
"""

from __future__ import annotations

import struct

from eventlet import tpool

from ..errors import BAD_FRAME, ServiceError
from . import byte_search
from .h264 import check_access_unit

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic): they carry the size.
JPEG_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
JPEG_STANDALONE_MARKERS = {0x01, *range(0xD0, 0xD8)}
MAX_JPEG_SEGMENTS = 1024


def _bad(message: str) -> ServiceError:
    return ServiceError(BAD_FRAME, message)


def most_png_chunks(size: int) -> int:
    """Encoders write a PNG's image data in chunks of kilobytes (libpng: 8 KiB), with a few small chunks besides."""
    return 64 + size // 1024


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG whose chunks run cleanly from IHDR to IEND.

    A chunk is at least 12 bytes, so 64 MiB could hold five million empty ones; encoders write
    their image data in chunks of kilobytes, and more chunks than ``most_png_chunks`` allows
    are refused before they cost seconds.
    """
    if not data.startswith(PNG_SIGNATURE):
        raise _bad("not a PNG: the PNG signature is missing")
    if len(data) < len(PNG_SIGNATURE) + 25 or data[12:16] != b"IHDR" or struct.unpack_from(">I", data, 8)[0] < 8:
        raise _bad("PNG does not start with an IHDR chunk")
    size = struct.unpack_from(">II", data, 16)
    position, most = len(PNG_SIGNATURE), most_png_chunks(len(data))
    for _ in range(most):
        if position + 12 > len(data):
            break
        length, kind = struct.unpack_from(">I4s", data, position)
        position += 12 + length
        if kind == b"IEND":
            if position > len(data):
                break
            return size
    else:
        raise _bad(f"PNG has more than {most} chunks for its {len(data)} bytes: write the image data in bigger chunks")
    raise _bad("PNG is truncated: it does not end with a complete IEND chunk")


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height of a JPEG that has its markers in order up to its scan and ends with EOI.

    Fill bytes (runs of 0xFF) are skipped by a search, not byte by byte, and the header may hold
    at most ``MAX_JPEG_SEGMENTS`` segments (encoders write about ten).
    """
    if not data.startswith(b"\xff\xd8"):
        raise _bad("not a JPEG: the start-of-image marker is missing")
    if not data.endswith(b"\xff\xd9"):
        raise _bad("JPEG is truncated: it does not end with the end-of-image marker")
    position, size = 2, None
    for _ in range(MAX_JPEG_SEGMENTS):
        if position + 4 > len(data):
            break
        if data[position] != 0xFF:
            raise _bad(f"JPEG marker expected at byte {position}")
        position = byte_search.skip_ff(data, position + 1) - 1  # the last 0xFF before the marker code (fill skipped)
        if position + 2 > len(data):
            break
        marker = data[position + 1]
        if marker in JPEG_STANDALONE_MARKERS:
            position += 2
            continue
        if position + 4 > len(data):
            break
        (length,) = struct.unpack_from(">H", data, position + 2)
        if marker in JPEG_SOF_MARKERS and position + 9 <= len(data):
            height, width = struct.unpack_from(">HH", data, position + 5)
            size = (width, height)
        if marker == 0xDA:
            break
        position += 2 + length
    else:
        raise _bad(f"JPEG has more than {MAX_JPEG_SEGMENTS} segments before its image data")
    if size is None:
        raise _bad("JPEG has no start-of-frame header before its image data")
    return size


def webp_size(data: bytes) -> tuple[int, int]:
    """Width and height of a WebP whose RIFF length matches the bytes received."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise _bad("not a WebP: the RIFF/WEBP header is missing")
    (riff_length,) = struct.unpack_from("<I", data, 4)
    if riff_length + 8 != len(data):
        raise _bad(f"WebP RIFF length says {riff_length + 8} bytes, received {len(data)}")
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
    elif chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    elif chunk == b"VP8 ":
        width, height = (value & 0x3FFF for value in struct.unpack_from("<HH", data, 26))
    else:
        raise _bad(f"WebP has an unknown first chunk {chunk!r}")
    return width, height


# Above this size a frame is checked in a native thread: its windowed searches then let the event
# loop's thread run between windows, so no client waits for another's big frame.
OFF_LOOP_BYTES = 256 * 1024

SIZE_READERS = {"png": png_size, "jpeg": jpeg_size, "webp": webp_size}


def check_frame(data: bytes, image_format: str, width: int, height: int, index: int | None = None) -> None:
    """Raise ``bad_frame`` unless ``data`` is a complete image of this format and exact size
    (for ``h264``: one access unit of a stream of that size, a key unit at ``index`` 0)."""
    if not data:
        raise _bad("the frame is empty")
    if image_format == "h264":
        check_access_unit(data, width, height, key_required=index == 0)
        return
    if image_format == "rgba":
        expected = width * height * 4
        if len(data) != expected:
            raise _bad(f"an rgba frame of {width}x{height} is {expected} bytes, received {len(data)}")
        return
    actual = SIZE_READERS[image_format](data)
    if actual != (width, height):
        raise _bad(f"the frame is {actual[0]}x{actual[1]}, the session is {width}x{height}")


def check_frame_off_loop(data: bytes, image_format: str, width: int, height: int, index: int | None = None) -> None:
    """``check_frame``, in a native thread for a frame of ``OFF_LOOP_BYTES`` or more."""
    if len(data) < OFF_LOOP_BYTES:
        check_frame(data, image_format, width, height, index)
    else:
        tpool.execute(check_frame, data, image_format, width, height, index)
