"""Frames and audio built to attack the server's checks (tests/integration and tests/unit share them)."""

from __future__ import annotations

import struct
import zlib

from .media import h264_units


class BitWriter:
    def __init__(self) -> None:
        self.bits: list[str] = []

    def u(self, count: int, value: int) -> None:
        self.bits.append(format(value, f"0{count}b") if count else "")

    def ue(self, value: int) -> None:
        code = format(value + 1, "b")
        self.bits.append("0" * (len(code) - 1) + code)

    def to_bytes(self) -> bytes:
        text = "".join(self.bits)
        text += "1" + "0" * (-(len(text) + 1) % 8)  # rbsp_stop_one_bit and alignment
        return int(text, 2).to_bytes(len(text) // 8, "big")


def huge_poc_cycle_sps(padding_bits: int) -> bytes:
    """A baseline SPS whose POC cycle claims 2**32 - 2 entries, followed by ``padding_bits`` of se(0) codes."""
    bits = BitWriter()
    bits.u(8, 66), bits.u(8, 0), bits.u(8, 30)  # profile, constraints, level
    bits.ue(0), bits.ue(0), bits.ue(1)  # sps id, log2_max_frame_num_minus4, pic_order_cnt_type 1
    bits.u(1, 0), bits.ue(0), bits.ue(0)  # delta_pic_order_always_zero, two offsets (se 0)
    bits.ue(2**32 - 2)
    bits.bits.append("1" * padding_bits)  # each a se(0): what the old parser looped over
    return b"\x00\x00\x00\x01\x67" + bits.to_bytes().replace(b"\x00\x00", b"\x00\x00\x03")


def key_unit_with(sps: bytes) -> bytes:
    """A real x264 key unit of 96x64 whose SPS is replaced by ``sps``."""
    [unit] = h264_units(96, 64, 1)
    return sps + unit[unit.index(b"\x00\x00\x01\x68") - 1 :]  # its PPS and IDR slice


def png_of_empty_chunks(width: int, height: int, chunks: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    empty = struct.pack(">I", 0) + b"tEXt" + struct.pack(">I", zlib.crc32(b"tEXt"))
    return head + empty * chunks + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))


def jpeg_of_fill_bytes(width: int, height: int, fill: int) -> bytes:
    """A JPEG header whose SOF and SOS are ``fill`` bytes of 0xFF apart (legal fill before a marker)."""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + sof + b"\xff" * fill + sos + b"\x00" * 16 + b"\xff\xd9"


def dash_manifest(media: str, live: bool) -> bytes:
    """An MPD naming ``media`` as its one audio segment: a live one (``type="dynamic"``) never ends."""
    kind = 'type="dynamic" availabilityStartTime="1970-01-01T00:00:00Z" minimumUpdatePeriod="PT1S"' if live \
        else 'type="static" mediaPresentationDuration="PT5S"'  # fmt: skip
    return (f'<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" {kind} '
            f'profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><Period><AdaptationSet mimeType="audio/mp4">'
            f'<Representation id="a" bandwidth="128000"><BaseURL>{media}</BaseURL></Representation>'
            f'</AdaptationSet></Period></MPD>\n').encode()  # fmt: skip
