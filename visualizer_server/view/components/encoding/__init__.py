"""Everything that runs ffmpeg: the per-session encode supervisor, the ffmpeg process and its
arguments, the video encoders (software and hardware), loudness measurement and the hardware probe."""

from .encode_supervisor import EncodeSupervisor
from .hardware_probe import HardwareProbe

__all__ = ["EncodeSupervisor", "HardwareProbe"]
