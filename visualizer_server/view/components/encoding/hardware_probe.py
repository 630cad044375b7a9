"""Which of the ffmpeg binary's hardware encoders really open on this machine, found once at startup.

The binary carries ``h264``/``hevc``/``av1`` encoders for NVENC, VAAPI and QSV everywhere
(``ffmpeg -encoders`` lists them all), but each opens only where its device and driver are. The
only reliable test is to use one: a few frames of a test pattern, encoded with exactly the
options a session would get (``video_encoders.hardware_args``), with a short timeout. Without
the device each attempt fails within a fraction of a second (no libcuda, no /dev/dri). The
families' h264 encoders are tried at once; the first family, in order, whose h264 opens is the
one used, and its hevc and av1 are tried next (an older GPU may lack AV1, which then stays in
software). Knows nothing of PureMVC.
"""

from __future__ import annotations

import re
import subprocess

from .ffmpeg_commands import preamble
from .video_encoders import HARDWARE_CODECS, HARDWARE_FAMILIES, hardware_args, hardware_encoder_name

PROBE_FRAMES = 5
PROBE_SIZE = "256x144"  # above every family's minimum frame size
PROBE_TIMEOUT_S = 10.0  # a driver that hangs this long would not serve sessions either
_ADDRESS = re.compile(r"^\[[^\]]*@ 0x[0-9a-f]+\]\s*")  # ffmpeg's "[h264_nvenc @ 0x55...]" prefix


class HardwareProbe:
    """``choose(choice)`` gives the hardware encoder to use per codec; ``refused`` says why the others did not open."""

    def __init__(self, ffmpeg: str, timeout_s: float = PROBE_TIMEOUT_S) -> None:
        self._ffmpeg = ffmpeg
        self._timeout_s = timeout_s
        self.refused: dict[str, str] = {}  # encoder -> the first line ffmpeg gave, for the log

    def choose(self, choice: str) -> dict[str, str]:
        """``auto``: the first family of nvenc, vaapi, qsv whose encoders open; ``off``: none;
        a family's name: that family or none. Codecs absent from the answer are encoded in software."""
        families = HARDWARE_FAMILIES if choice == "auto" else () if choice == "off" else (choice,)
        opened = self._try([hardware_encoder_name("h264", family) for family in families])
        family = next((family for family in families if hardware_encoder_name("h264", family) in opened), None)
        if family is None:
            return {}
        others = self._try([hardware_encoder_name(codec, family) for codec in HARDWARE_CODECS if codec != "h264"])
        found = {codec: hardware_encoder_name(codec, family) for codec in HARDWARE_CODECS}
        return {codec: encoder for codec, encoder in found.items() if encoder in opened | others}

    def _try(self, encoders: list[str]) -> set[str]:
        """The encoders among ``encoders`` that encoded the test frames; all run side by side."""
        running = {encoder: subprocess.Popen(self._args(encoder), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.PIPE, text=True) for encoder in encoders}  # fmt: skip
        opened = set()
        for encoder, process in running.items():
            try:
                _, errors = process.communicate(timeout=self._timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                self.refused[encoder] = f"no answer within {self._timeout_s:g} s"
                continue
            if process.returncode == 0:
                opened.add(encoder)
            else:
                self.refused[encoder] = self._reason(errors, process.returncode)
        return opened

    def _args(self, encoder: str) -> list[str]:
        return [*preamble(progress=False, ffmpeg=self._ffmpeg),
                "-f", "lavfi", "-i", f"testsrc2=size={PROBE_SIZE}:rate=30", "-frames:v", str(PROBE_FRAMES),
                *hardware_args(encoder, 30), "-f", "null", "-"]  # fmt: skip

    @staticmethod
    def _reason(errors: str, returncode: int) -> str:
        """ffmpeg's first complaint is the cause (``Cannot load libcuda.so.1``); the rest follows from it."""
        lines = [_ADDRESS.sub("", line).strip() for line in errors.splitlines() if line.strip()]
        return lines[0] if lines else f"exit code {returncode}"
