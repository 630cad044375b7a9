"""The Annex B checks of h264 sessions, on streams made by the real x264."""

import pytest

from visualizer_server.errors import ServiceError
from visualizer_server.model.frame_check import check_frame
from visualizer_server.model.h264 import SPS, check_access_unit, nal_units, parse_sps, split_access_units

from ..media import h264_units


@pytest.fixture(scope="module")
def units() -> list[bytes]:
    return h264_units(96, 64, 35)


def _sps(unit: bytes):
    return parse_sps(next(nal for nal in nal_units(unit) if nal[0] & 0x1F == SPS))


def test_every_unit_of_an_x264_stream_passes_and_frame_0_is_its_key_unit(units):
    assert len(units) == 35, "one access unit per frame"
    for index, unit in enumerate(units):
        check_frame(unit, "h264", 96, 64, index)
    check_frame(units[30], "h264", 96, 64, 0)  # the key unit of the second second may start a stream too


@pytest.mark.parametrize(
    "size, profile, extra",
    [
        ((320, 180), "baseline", ()),  # 180 is not a multiple of 16: the SPS crops 12 rows
        ((322, 182), "high", ()),  # cropping on both axes
        ((128, 96), "high", ("-x264-params", "cqm=jvt")),  # scaling lists in the SPS
        ((128, 96), "high", ("-pix_fmt", "yuv444p", "-profile:v", "high444")),  # 4:4:4 crops in luma units
    ],
)
def test_the_sps_gives_the_displayed_size(size, profile, extra):
    [unit] = h264_units(*size, 1, profile=profile, extra=extra)
    assert (_sps(unit).width, _sps(unit).height) == size


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda units: units[1], "key frame holding its SPS, PPS"),
        (lambda units: units[0][4:], "start code"),
        (lambda units: units[0] + units[1], "exactly one picture"),
        (lambda units: b"\x00\x00\x00\x01\x67\x42" + units[0][units[0].index(b"\x00\x00\x01\x68"):], "ends too early"),
        (lambda units: b"\x00\x00\x01\xff" + b"\x00" * 40, "forbidden_zero_bit"),
        (lambda units: units[0].split(b"\x00\x00\x01\x65")[0], "holds no slice"),
        (lambda units: b"\x00\x00\x01" + b"\x00\x00\x01\x65\x88", "empty NAL unit"),
    ],
)
def test_what_is_not_one_well_formed_picture_is_refused(units, make, fragment):
    with pytest.raises(ServiceError) as refused:
        check_access_unit(make(units), 96, 64, key_required=True)
    assert refused.value.code == "bad_frame" and fragment in refused.value.message


def test_a_stream_of_another_size_is_refused_with_both_sizes(units):
    with pytest.raises(ServiceError, match="the H.264 stream is 96x64, the session is 96x66"):
        check_access_unit(units[0], 96, 66, key_required=True)


def test_b_frames_are_refused_with_what_to_do_instead():
    units = h264_units(96, 64, 8, profile="high", extra=("-bf", "2", "-x264-params", "b-adapt=0"))
    with pytest.raises(ServiceError, match="-bf 0"):
        for index, unit in enumerate(units):
            check_access_unit(unit, 96, 64, key_required=index == 0)


def test_a_stream_is_cut_into_as_many_units_as_it_has_pictures(units):
    assert split_access_units(b"".join(units)) == units
