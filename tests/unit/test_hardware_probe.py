"""The hardware probe alone, with the real ffmpeg, on this machine: no GPU, no /dev/dri."""

from __future__ import annotations

import pytest

from visualizer_server.view.components.encoding.ffmpeg_commands import ffmpeg_exe
from visualizer_server.view.components.encoding.hardware_probe import HardwareProbe


def test_auto_tries_every_family_and_finds_none_here_with_each_reason():
    probe = HardwareProbe(ffmpeg_exe())
    assert probe.choose("auto") == {}
    assert list(probe.refused) == ["h264_nvenc", "h264_vaapi", "h264_qsv"], "a family whose h264 fails goes no further"
    assert "libcuda" in probe.refused["h264_nvenc"], "ffmpeg's first complaint is kept, not its last"
    assert all(reason and "@ 0x" not in reason for reason in probe.refused.values())


@pytest.mark.parametrize("family", ["nvenc", "vaapi", "qsv"])
def test_a_family_asked_for_by_name_is_the_only_one_tried(family):
    probe = HardwareProbe(ffmpeg_exe())
    assert probe.choose(family) == {}
    assert list(probe.refused) == [f"h264_{family}"]


def test_off_runs_nothing():
    probe = HardwareProbe(ffmpeg_exe())
    assert probe.choose("off") == {} and probe.refused == {}


def test_an_encoder_that_does_not_answer_in_time_is_refused(tmp_path):
    stuck = tmp_path / "stuck-ffmpeg"  # a real program that hangs like a stuck driver, whatever it is asked
    stuck.write_text("#!/bin/sh\nexec sleep 30\n")
    stuck.chmod(0o755)
    probe = HardwareProbe(str(stuck), timeout_s=0.2)
    assert probe.choose("nvenc") == {}
    assert probe.refused == {"h264_nvenc": "no answer within 0.2 s"}
