"""EBU R128 loudness normalisation in two passes of ffmpeg's ``loudnorm``: measure, then apply linearly.

One pass of ``loudnorm`` is dynamic (a compressor that hunts for the target) and misses it on
short clips; measured here, two passes hit it within a few hundredths of a LU. The first pass
reads the audio as the video will hold it (the whole track when it is prepared ahead, which
the video then holds all of; cut to the video's duration in the finish otherwise) and prints its
integrated loudness, true peak, range and threshold; the second applies one gain (``linear``).
Where that gain would push the true peak above the ceiling, or the audio's range is wider
than loudnorm's largest target (50 LU), loudnorm itself falls back to its dynamic mode, which
keeps the ceiling. Knows nothing of PureMVC.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Iterable

from .audio_input import audio_input_args

TRUE_PEAK_CEILING_DBTP = -1.0
MIN_RANGE_LU, MAX_RANGE_LU = 7.0, 50.0  # loudnorm's LRA target: its default, and the largest it takes
MEASURED_FIELDS = ("input_i", "input_tp", "input_lra", "input_thresh", "target_offset")
LINES_KEPT = 60  # the measuring ffmpeg's log: its JSON block is the last thing it prints, bar two lines


class LoudnessError(Exception):
    """The measuring pass printed no measurement."""


def measure_args(preamble: list[str], audio: Path, duration_s: float | None, target_lufs: float) -> list[str]:
    """Pass 1: measure the audio as the video will hold it (its first ``duration_s``; all of it when
    None); the numbers go to stderr as JSON (hence ``preamble``'s log level ``info``)."""
    cut = [] if duration_s is None else ["-t", f"{duration_s:.6f}"]
    return [
        *preamble, *cut, *audio_input_args(audio), "-map", "0:a:0",
        "-af", f"{_targets(target_lufs, MIN_RANGE_LU)}:print_format=json", "-f", "null", "-",
    ]  # fmt: skip


def parse_measurement(lines: Iterable[str]) -> dict[str, float] | None:
    """The measured values from the measuring pass's log (the last JSON object in it); None for
    silence, which has no loudness to bring anywhere."""
    text = "\n".join(lines)
    start, end = text.rfind("{"), text.rfind("}")
    try:
        measured = json.loads(text[start : end + 1])
        values = {name: float(measured[name]) for name in MEASURED_FIELDS}
    except (ValueError, KeyError):
        raise LoudnessError(f"loudnorm printed no measurement: {text[-300:]!r}") from None
    return values if all(math.isfinite(value) for value in values.values()) else None


def filter_from_log(lines: Iterable[str], target_lufs: float) -> str | None:
    """Pass 1's log to pass 2's filter: the linear gain to the target, None for silence (left as it is)."""
    measured = parse_measurement(lines)
    return None if measured is None else linear_filter(target_lufs, measured)


def linear_filter(target_lufs: float, measured: dict[str, float]) -> str:
    """Pass 2: one gain to the target, with the measured values (and a range wide enough to stay linear)."""
    loudness_range = min(MAX_RANGE_LU, max(MIN_RANGE_LU, math.ceil(measured["input_lra"] + 1)))
    return (
        f"{_targets(target_lufs, loudness_range)}:measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
        f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}"
        f":offset={measured['target_offset']}:linear=true"
    )


def _targets(target_lufs: float, loudness_range: float) -> str:
    return f"loudnorm=I={target_lufs:g}:TP={TRUE_PEAK_CEILING_DBTP:g}:LRA={loudness_range:g}"
