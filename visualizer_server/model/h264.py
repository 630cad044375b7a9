"""Structural checks of H.264 access units in Annex B form, as WebCodecs' ``VideoEncoder`` sends them.

The server copies an ``h264`` session's stream into the MP4 without decoding it, so this is
the only look it gets: every unit must be one coded picture (start codes, NAL headers, one
first slice), key units must carry the SPS and PPS the rest depend on, and the SPS's size
(read with exp-Golomb, cropping included) must be the session's. B slices are refused: ffmpeg's
raw H.264 reader gives their packets no presentation time, so a copied stream with them would
play its frames in decode order (WebCodecs never makes them).
"""

from __future__ import annotations

import dataclasses
import re

from ..errors import BAD_FRAME, ServiceError
from . import byte_search

NON_IDR_SLICE, IDR_SLICE, SPS, PPS = 1, 5, 7, 8
SLICES = {NON_IDR_SLICE, IDR_SLICE}
B_SLICE = 1  # slice_type % 5
UNIT_OPENERS = {6, SPS, PPS, 9, 14, 15, 16, 17, 18}  # SEI, SPS, PPS, delimiter, reserved: only before a picture
# Profiles whose SPS carries chroma format, bit depths and scaling lists (H.264 7.3.2.1.1).
HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
START_CODE = re.compile(b"\x00\x00\x01")
EMULATION_PREVENTION = re.compile(b"\x00\x00\x03")
# The standard's ranges (H.264 7.4.2.1.1): they bound every loop of the SPS parser.
MAX_POC_CYCLE = 255  # num_ref_frames_in_pic_order_cnt_cycle
MAX_DPB_FRAMES = 16  # max_num_ref_frames
EXTRA_NAL_UNITS = 64  # SEI, parameter sets, delimiters: beyond one slice per macroblock
# The fields up to the cropping window, at their longest (12 scaling lists of 64 entries, a
# POC cycle of 255 entries, exp-Golomb codes of 65 bits), fit in well under 16 KiB.
SPS_BYTES_READ = 16 * 1024


def _bad(message: str) -> ServiceError:
    return ServiceError(BAD_FRAME, message)


class BitReader:
    """Reads an RBSP bit by bit: fixed-width fields and exp-Golomb codes.

    Each field is read from the few bytes it spans, so a read costs the same whatever the
    unit's size (one integer built from the whole unit, shifted per bit, made a 65 kB SPS cost
    seconds).
    """

    def __init__(self, rbsp: bytes) -> None:
        self._data = rbsp
        self._bits = len(rbsp) * 8
        self._position = 0

    def u(self, count: int) -> int:
        if count == 0:
            return 0
        end = self._position + count
        if end > self._bits:
            raise _bad("an H.264 parameter set or slice header ends too early")
        first, last = self._position >> 3, (end - 1) >> 3
        span = int.from_bytes(self._data[first : last + 1], "big")  # at most 5 bytes: count <= 32
        self._position = end
        return (span >> ((last + 1) * 8 - end)) & ((1 << count) - 1)

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise _bad("an H.264 exp-Golomb code is longer than 32 bits")
        return (1 << zeros) - 1 + self.u(zeros)

    def ue_at_most(self, limit: int, name: str) -> int:
        """An exp-Golomb field with the range the standard gives it: a larger value is not H.264."""
        value = self.ue()
        if value > limit:
            raise _bad(f"the H.264 {name} is {value}; the standard allows at most {limit}")
        return value

    def se(self) -> int:
        code = self.ue()
        return (code + 1) // 2 if code % 2 else -(code // 2)


@dataclasses.dataclass(frozen=True)
class SequenceParameters:
    profile_idc: int
    width: int
    height: int


def _unit_spans(data: bytes) -> list[tuple[int, int]]:
    """Where each NAL unit of an Annex B access unit lies: (its header byte, the next start code or the end).

    Start codes are found by windowed ``bytes.find`` (C speed, never one long call), and no
    unit is copied: a frame of tens of MiB costs one pass over its bytes.
    """
    if not (data.startswith(b"\x00\x00\x01") or data.startswith(b"\x00\x00\x00\x01")):
        raise _bad("not an H.264 access unit in Annex B form: it does not begin with a start code (00 00 01)")
    spans, start = [], data.index(b"\x00\x00\x01") + 3
    while True:
        following = byte_search.find(data, b"\x00\x00\x01", start)
        spans.append((start, len(data) if following < 0 else following))
        if following < 0:
            return spans
        start = following + 3


def _check_headers(data: bytes, spans: list[tuple[int, int]]) -> list[int]:
    """The NAL unit types, after checking every unit has a header byte with its forbidden bit clear.

    A unit whose first byte is zero is empty: the zeros belong to the next start code.
    """
    if any(start == end or data[start] == 0 for start, end in spans):
        raise _bad("the H.264 access unit holds an empty NAL unit")
    if any(data[start] & 0x80 for start, _ in spans):
        raise _bad("an H.264 NAL unit has its forbidden_zero_bit set: the data is not H.264")
    return [data[start] & 0x1F for start, _ in spans]


def nal_units(data: bytes) -> list[bytes]:
    """The NAL units of an Annex B access unit (start codes of 3 or 4 bytes), header byte first."""
    spans = _unit_spans(data)
    _check_headers(data, spans)
    return [data[start:end].rstrip(b"\x00") for start, end in spans]  # trailing zeros belong to the next start code


def split_access_units(stream: bytes) -> list[bytes]:
    """An Annex B stream (what ``ffmpeg -f h264`` writes) cut into access units, one picture each.

    A unit begins with the NAL units that must precede its first slice (SEI, SPS, PPS, an
    access unit delimiter) or with a slice whose first macroblock is 0 (H.264 7.4.1.2.3).
    """
    starts = [match.start() for match in START_CODE.finditer(stream)]
    starts = [start - 1 if start and stream[start - 1] == 0 else start for start in starts]
    units: list[bytes] = []
    current, has_slice = bytearray(), False
    for start, end in zip(starts, starts[1:] + [len(stream)]):
        nal = stream[start:end]
        header = nal.lstrip(b"\x00")[1:]
        kind = header[0] & 0x1F
        begins = kind in UNIT_OPENERS or (kind in SLICES and _slice_header(header)[0] == 0)
        if has_slice and begins:
            units.append(bytes(current))
            current, has_slice = bytearray(), False
        current += nal
        has_slice = has_slice or kind in SLICES
    if current:
        units.append(bytes(current))
    return units


def rbsp(nal: bytes) -> bytes:
    """The payload after the header byte, with the emulation-prevention bytes (00 00 03) removed."""
    return EMULATION_PREVENTION.sub(b"\x00\x00", nal[1:])


def _skip_scaling_list(bits: BitReader, size: int) -> None:
    last = next_scale = 8
    for _ in range(size):
        if next_scale:
            next_scale = (last + bits.se() + 256) % 256
        last = next_scale or last


def parse_sps(nal: bytes) -> SequenceParameters:
    """Profile and displayed size of a sequence parameter set (H.264 7.3.2.1.1 and 7.4.2.1.1)."""
    bits = BitReader(rbsp(nal))
    profile_idc = bits.u(8)
    bits.u(16)  # constraint flags, level_idc
    bits.ue_at_most(31, "seq_parameter_set_id")
    chroma_format_idc, separate_planes = 1, 0
    if profile_idc in HIGH_PROFILES:
        chroma_format_idc = bits.ue_at_most(3, "chroma_format_idc")
        if chroma_format_idc == 3:
            separate_planes = bits.u(1)
        bits.ue_at_most(6, "bit_depth_luma_minus8"), bits.ue_at_most(6, "bit_depth_chroma_minus8")
        bits.u(1)  # qpprime_y_zero_transform_bypass_flag
        if bits.u(1):  # seq_scaling_matrix_present_flag
            for index in range(8 if chroma_format_idc != 3 else 12):
                if bits.u(1):
                    _skip_scaling_list(bits, 16 if index < 6 else 64)
    bits.ue_at_most(12, "log2_max_frame_num_minus4")
    poc_type = bits.ue_at_most(2, "pic_order_cnt_type")
    if poc_type == 0:
        bits.ue_at_most(12, "log2_max_pic_order_cnt_lsb_minus4")
    elif poc_type == 1:
        bits.u(1), bits.se(), bits.se()
        for _ in range(bits.ue_at_most(MAX_POC_CYCLE, "num_ref_frames_in_pic_order_cnt_cycle")):
            bits.se()
    bits.ue_at_most(MAX_DPB_FRAMES, "max_num_ref_frames")
    bits.u(1)  # gaps_in_frame_num_value_allowed_flag
    width_mbs, height_units = bits.ue() + 1, bits.ue() + 1
    frame_mbs_only = bits.u(1)
    if not frame_mbs_only:
        bits.u(1)  # mb_adaptive_frame_field_flag
    bits.u(1)  # direct_8x8_inference_flag
    crop = (bits.ue(), bits.ue(), bits.ue(), bits.ue()) if bits.u(1) else (0, 0, 0, 0)
    chroma_array_type = 0 if separate_planes else chroma_format_idc
    sub_width, sub_height = {1: (2, 2), 2: (2, 1), 3: (1, 1)}.get(chroma_array_type, (1, 1))
    crop_x = sub_width if chroma_array_type else 1
    crop_y = (2 - frame_mbs_only) * (sub_height if chroma_array_type else 1)
    width = width_mbs * 16 - crop_x * (crop[0] + crop[1])
    height = (2 - frame_mbs_only) * height_units * 16 - crop_y * (crop[2] + crop[3])
    return SequenceParameters(profile_idc, width, height)


def _slice_header(nal: bytes) -> tuple[int, int]:
    """first_mb_in_slice and slice_type % 5 of a slice NAL unit."""
    bits = BitReader(rbsp(nal[:64]))  # the two fields sit in the first bytes
    return bits.ue(), bits.ue() % 5


def check_access_unit(data: bytes, width: int, height: int, key_required: bool) -> None:
    """Raise ``bad_frame`` unless ``data`` is one coded picture of a ``width`` x ``height`` stream
    without B slices; with ``key_required``, an IDR picture with its SPS and PPS.

    Linear in the unit's size: one windowed search for the start codes (at most one unit per
    macroblock, plus a few), and only the first bytes of each unit are read.
    """
    most = (width // 16 + 1) * (height // 16 + 1) + EXTRA_NAL_UNITS  # a slice holds one macroblock or more
    if byte_search.count_exceeds(data, b"\x00\x00\x01", most):
        raise _bad(f"the H.264 access unit holds more than {most} NAL units: more than a {width}x{height} picture has")
    spans = _unit_spans(data)
    types = _check_headers(data, spans)
    slices = [data[start : min(end, start + 64)] for (start, end), kind in zip(spans, types) if kind in SLICES]
    if not slices:
        raise _bad(f"the H.264 access unit holds no slice (NAL types {sorted(set(types))}): it is not a picture")
    headers = [_slice_header(unit) for unit in slices]
    if headers[0][0] != 0 or sum(first_mb == 0 for first_mb, _ in headers) != 1:
        raise _bad("an H.264 access unit must hold exactly one picture: send each encoder output chunk as one frame")
    if any(slice_type == B_SLICE for _, slice_type in headers):
        raise _bad("the H.264 stream has B-frames, which this server cannot copy in order: encode without them "
                   "(WebCodecs never makes them; with x264, -bf 0)")  # fmt: skip
    if key_required and not {SPS, PPS, IDR_SLICE} <= set(types):
        raise _bad("frame 0 of an h264 session must be a key frame holding its SPS, PPS and IDR slice "
                   "(WebCodecs: the first chunk, with avc: {format: \"annexb\"})")  # fmt: skip
    for start, end in (span for span, kind in zip(spans, types) if kind == SPS):
        sps = parse_sps(data[start : min(end, start + SPS_BYTES_READ)])
        if (sps.width, sps.height) != (width, height):
            raise _bad(f"the H.264 stream is {sps.width}x{sps.height}, the session is {width}x{height}")
