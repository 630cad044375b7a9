"""The hardware probe alone: with the real ffmpeg on whatever machine runs the tests (asserting what it
finds, GPU or none), and with stand-in ffmpeg programs for the answers this machine may not give."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from visualizer_server.view.components.encoding.ffmpeg_commands import ffmpeg_exe
from visualizer_server.view.components.encoding.hardware_probe import HardwareProbe
from visualizer_server.view.components.encoding.video_encoders import HARDWARE_CODECS, HARDWARE_FAMILIES, hardware_args

from ..processes import stand_in_ffmpeg

ALL_H264 = [f"h264_{family}" for family in HARDWARE_FAMILIES]


def _opens_here(encoder: str) -> bool:
    """A witness beside the probe: do a few frames encode with ``encoder``, as a session would use it?"""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-f", "lavfi", "-i", "testsrc2=size=256x144:rate=30",
               "-frames:v", "5", *hardware_args(encoder, 30), "-f", "null", "-"]  # fmt: skip
    return subprocess.run(command, capture_output=True, timeout=60).returncode == 0


def _assert_consistent(probe: HardwareProbe, chosen: dict[str, str], families: tuple[str, ...]) -> None:
    """What the probe chose is the first of ``families`` whose h264 opens, with those of its codecs that open."""
    if not chosen:
        assert list(probe.refused) == [f"h264_{family}" for family in families], "no family goes further than h264"
    else:
        family = chosen["h264"].rsplit("_", 1)[1]
        assert set(chosen) <= set(HARDWARE_CODECS) and all(name.endswith(f"_{family}") for name in chosen.values())
        assert all(f"h264_{earlier}" in probe.refused for earlier in families[: families.index(family)])
        assert all(f"{codec}_{family}" in probe.refused for codec in HARDWARE_CODECS if codec not in chosen)
    assert not set(chosen.values()) & set(probe.refused)
    assert all(reason and "@ 0x" not in reason for reason in probe.refused.values())


def test_auto_keeps_the_first_family_that_opens_here_and_says_why_the_others_did_not():
    probe = HardwareProbe(ffmpeg_exe())
    chosen = probe.choose("auto")
    _assert_consistent(probe, chosen, HARDWARE_FAMILIES)
    for encoder in [*chosen.values(), *probe.refused]:  # the machine agrees with the probe, encoder by encoder
        assert _opens_here(encoder) == (encoder in chosen.values()), encoder


@pytest.mark.parametrize("family", HARDWARE_FAMILIES)
def test_a_family_asked_for_by_name_is_the_only_one_tried(family):
    probe = HardwareProbe(ffmpeg_exe())
    chosen = probe.choose(family)
    _assert_consistent(probe, chosen, (family,))
    assert all(encoder.endswith(f"_{family}") for encoder in [*chosen.values(), *probe.refused])


def test_off_runs_nothing():
    probe = HardwareProbe(ffmpeg_exe())
    assert probe.choose("off") == {} and probe.refused == {}


def test_without_any_device_every_family_is_refused_with_ffmpeg_s_first_complaint(tmp_path: Path):
    probe = HardwareProbe(str(stand_in_ffmpeg(tmp_path, opens=set())))
    assert probe.choose("auto") == {}
    assert list(probe.refused) == ALL_H264, "a family whose h264 fails goes no further"
    assert set(probe.refused.values()) == {"Cannot load libcuda.so.1"}, "ffmpeg's first complaint is kept, not its last"


def test_the_first_family_whose_h264_opens_is_used_for_the_codecs_it_has(tmp_path: Path):
    probe = HardwareProbe(str(stand_in_ffmpeg(tmp_path, opens={"h264_vaapi", "hevc_vaapi", "h264_qsv", "av1_qsv"})))
    assert probe.choose("auto") == {"h264": "h264_vaapi", "hevc": "hevc_vaapi"}  # no AV1 on this one: software
    assert list(probe.refused) == ["h264_nvenc", "av1_vaapi"]


def test_an_encoder_that_does_not_answer_in_time_is_refused(tmp_path):
    stuck = tmp_path / "stuck-ffmpeg"  # a real program that hangs like a stuck driver, whatever it is asked
    stuck.write_text("#!/bin/sh\nexec sleep 30\n")
    stuck.chmod(0o755)
    probe = HardwareProbe(str(stuck), timeout_s=0.2)
    assert probe.choose("nvenc") == {}
    assert probe.refused == {"h264_nvenc": "no answer within 0.2 s"}
