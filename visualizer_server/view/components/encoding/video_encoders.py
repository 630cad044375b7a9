"""The ffmpeg video options of each codec: the colour conversion, the encoder and its settings.

Every codec gets every frame at a constant frame rate, limited (tv) range BT.709 set on the
frames themselves (as output options alone the primaries and transfer are not written once
a filter has set the frames' own properties). Settings are chosen for an upload, which the
platform re-encodes anyway: visually clean at a moderate size, at a speed that keeps up on a
small machine (``docs/performance.md`` has the figures measured here).

| codec  | encoder     | settings                                 | pixels                          |
| h264   | libx264     | --x264-preset / --x264-crf, High, GOP fps/2 closed | yuv420p               |
| hevc   | libx265     | preset fast, CRF 24, GOP 2 s, hvc1 tag   | yuv420p                         |
| av1    | libsvtav1   | preset 8, CRF 35, GOP 2 s                | yuv420p                         |
| vp9    | libvpx-vp9  | CRF 32 (constant quality), good, cpu-used 4, row-mt, GOP 2 s | yuv420p; alpha yuva420p |
| prores | prores_ks   | HQ (profile 3), all intra                | yuv422p10le; alpha 4444 yuva444p10le |

A hardware encoder (``h264_nvenc``, ``hevc_vaapi``, ...) replaces the software one for
h264, hevc and av1 when the startup probe found one that opens on this machine.
"""

from __future__ import annotations

COLOUR_TAGS = ["-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]
HARDWARE_FAMILIES = ("nvenc", "vaapi", "qsv")
HARDWARE_CODECS = ("h264", "hevc", "av1")
VAAPI_DEVICE = "/dev/dri/renderD128"
HARDWARE_QUALITY = "23"  # constant quality, about what the software encoders give


def colour_filter(pix_fmt: str) -> str:
    """Any input (RGB, RGBA, full-range JPEG) to limited-range BT.709 ``pix_fmt``, tagged on the frames."""
    return (f"scale=out_range=tv:out_color_matrix=bt709,format={pix_fmt},"
            "setparams=range=tv:colorspace=bt709:color_primaries=bt709:color_trc=bt709")  # fmt: skip


def gop_frames(codec: str, fps: int, hardware: str | None = None) -> int:
    """Frames per closed GOP: a segment holds a whole number of them, so segmenting changes no GOP."""
    if codec == "prores":
        return 1  # all intra
    if hardware is not None or codec == "h264":
        return max(1, fps // 2)
    return 2 * fps


def segment_frames(codec: str, fps: int, seconds: float, hardware: str | None = None) -> int:
    """A segment's length: about ``seconds`` of video, rounded to whole GOPs (at least one)."""
    gop = gop_frames(codec, fps, hardware)
    return max(1, round(seconds * fps / gop)) * gop


def video_codec_args(fps: int, preset: str, crf: int) -> list[str]:
    """H.264 as YouTube recommends (High, yuv420p, closed GOP of half the frame rate); shared with
    the benchmark's ffmpeg-alone baseline."""
    return [
        "-vf", colour_filter("yuv420p"),
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-profile:v", "high",
        "-pix_fmt", "yuv420p", *COLOUR_TAGS, "-g", str(gop_frames("h264", fps)), "-flags", "+cgop",
        "-fps_mode", "cfr",
    ]  # fmt: skip


def encoder_args(codec: str, alpha: bool, fps: int, preset: str, crf: int, hardware: str | None = None) -> list[str]:
    """The filter, encoder and settings of ``codec``; ``hardware`` names a probed encoder to use instead."""
    if hardware is not None:
        return hardware_args(hardware, fps)
    if codec == "h264":
        return video_codec_args(fps, preset, crf)
    gop = str(gop_frames(codec, fps))
    if codec == "hevc":
        settings = ["-c:v", "libx265", "-preset", "fast", "-crf", "24", "-g", gop, "-tag:v", "hvc1",
                    "-x265-params", "log-level=error"]
        pix_fmt = "yuv420p"
    elif codec == "av1":
        settings = ["-c:v", "libsvtav1", "-preset", "8", "-crf", "35", "-g", gop]
        pix_fmt = "yuv420p"
    elif codec == "vp9":
        pix_fmt = "yuva420p" if alpha else "yuv420p"
        settings = ["-c:v", "libvpx-vp9", "-crf", "32", "-b:v", "0", "-deadline", "good", "-cpu-used", "4",
                    "-row-mt", "1", "-g", gop]  # fmt: skip
    elif codec == "prores":
        pix_fmt = "yuva444p10le" if alpha else "yuv422p10le"
        settings = ["-c:v", "prores_ks", "-profile:v", "4444" if alpha else "hq", "-vendor", "apl0"]
    else:
        raise ValueError(f"no encoder settings for codec {codec!r}")
    return ["-vf", colour_filter(pix_fmt), *settings, "-pix_fmt", pix_fmt, *COLOUR_TAGS, "-fps_mode", "cfr"]


def hardware_encoder_name(codec: str, family: str) -> str:
    return f"{codec}_{family}"


def hardware_args(encoder: str, fps: int) -> list[str]:
    """A hardware encoder at constant quality; VAAPI and QSV take their frames uploaded to the device."""
    family = encoder.rsplit("_", 1)[1]
    gop = ["-g", str(gop_frames("h264", fps, encoder))]
    if family == "nvenc":
        return ["-vf", colour_filter("yuv420p"), "-c:v", encoder, "-preset", "p5", "-rc", "vbr", "-cq",
                HARDWARE_QUALITY, "-b:v", "0", *gop, *COLOUR_TAGS, "-fps_mode", "cfr"]  # fmt: skip
    if family == "vaapi":
        return ["-vaapi_device", VAAPI_DEVICE, "-vf", colour_filter("nv12") + ",hwupload", "-c:v", encoder,
                "-rc_mode", "CQP", "-qp", HARDWARE_QUALITY, *gop, *COLOUR_TAGS, "-fps_mode", "cfr"]  # fmt: skip
    return ["-init_hw_device", "qsv=hw", "-filter_hw_device", "hw", "-vf", colour_filter("nv12") + ",hwupload=extra_hw_frames=64",
            "-c:v", encoder, "-global_quality", HARDWARE_QUALITY, *gop, *COLOUR_TAGS, "-fps_mode", "cfr"]  # fmt: skip
