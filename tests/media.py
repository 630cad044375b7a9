"""Test media: frames that carry their own index, a WAV tone, and the facts of a decoded video."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import wave
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np
from PIL import Image

BARS = 8  # the index is drawn as 8 black/white bars: robust to lossy compression


def frame_pixels(index: int, width: int, height: int) -> np.ndarray:
    """An RGB image whose vertical bars spell ``index`` in binary, on a colour that moves with it."""
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    pixels[:, :] = ((index * 37) % 256, (index * 91) % 256, 90)
    bar_width = width // BARS
    for bit in range(BARS):
        value = 255 if (index >> bit) & 1 else 0
        pixels[height // 4 : 3 * height // 4, bit * bar_width + 2 : (bit + 1) * bar_width - 2] = value
    return pixels


def encode_frame(index: int, width: int, height: int, image_format: str) -> bytes:
    pixels = frame_pixels(index, width, height)
    if image_format == "rgba":
        alpha = np.full((height, width, 1), 255, dtype=np.uint8)
        return np.concatenate([pixels, alpha], axis=2).tobytes()
    buffer = io.BytesIO()
    pil_format = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}[image_format]
    options = {"quality": 95} if image_format in ("jpeg", "webp") else {}
    Image.fromarray(pixels).save(buffer, pil_format, **options)
    return buffer.getvalue()


def encode_frames(first: int, last: int, width: int, height: int, image_format: str = "jpeg") -> dict[int, bytes]:
    """Frames ``first`` to ``last - 1``, index -> image, as a client sends them."""
    return {index: encode_frame(index, width, height, image_format) for index in range(first, last)}


def h264_units(width: int, height: int, frames: int, fps: int = 30, profile: str = "baseline",
               extra: tuple[str, ...] = ()) -> list[bytes]:
    """``frames`` of :func:`frame_pixels` encoded by x264 (a key frame every second, as the page
    asks WebCodecs for), as the access units an ``h264`` session sends."""
    from visualizer_server.model.h264 import split_access_units
    from visualizer_server.view.components.encoding.ffmpeg_commands import ffmpeg_exe

    raw = b"".join(frame_pixels(index, width, height).tobytes() for index in range(frames))
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-video_size", f"{width}x{height}", "-framerate", str(fps), "-i", "pipe:0", "-c:v", "libx264",
               "-profile:v", profile, "-pix_fmt", "yuv420p", "-g", str(fps), "-bf", "0", *extra, "-f", "h264", "pipe:1"]
    stream = subprocess.run(command, input=raw, capture_output=True, check=True).stdout
    return split_access_units(stream)


def read_index(pixels: np.ndarray) -> int:
    """The index a decoded frame spells, read from the centre of each bar."""
    height, width, _ = pixels.shape
    bar_width = width // BARS
    index = 0
    for bit in range(BARS):
        sample = pixels[height // 2, bit * bar_width + bar_width // 2]
        if int(sample.mean()) > 128:
            index |= 1 << bit
    return index


def make_wav(path: Path, seconds: float, rate: int = 44100) -> bytes:
    """A 440 Hz mono tone; returns the file's bytes."""
    samples = (np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate) * 12000).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.tobytes())
    return path.read_bytes()


def make_long_mp3(path: Path, seconds: float) -> None:
    """A stereo 44.1 kHz MP3 at 128 kbit/s of a beeping 440 Hz tone (ffmpeg's lavfi and libmp3lame):
    a long track made in seconds, whose decoded size (float32 per channel) grows with its length."""
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", f"sine=frequency=440:beep_factor=4:duration={seconds}", "-ac", "2", "-ar", "44100",
                    "-c:a", "libmp3lame", "-b:a", "128k", str(path)], check=True)  # fmt: skip


@dataclasses.dataclass
class VideoFacts:
    video_codec: str
    width: int
    height: int
    pix_fmt: str
    color_range: int
    colour_tags: tuple[int, int, int]  # matrix, primaries, transfer (1 is BT.709 for each)
    frames: int
    video_duration_s: float
    container_duration_s: float
    frame_indexes: list[int]
    audio_codec: str | None
    audio_rate: int | None
    audio_profile: str | None
    audio_duration_s: float | None


def _duration_s(stream: av.stream.Stream) -> float:
    """A stream's duration; WebM keeps none per stream, only a ``DURATION`` tag (hh:mm:ss.fraction)."""
    if stream.duration is not None:
        return float(stream.duration * stream.time_base)
    hours, minutes, seconds = stream.metadata["DURATION"].split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def probe(path: Path) -> VideoFacts:
    """Decode every frame: the facts ffprobe would give, plus the index each frame spells."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        context = video.codec_context
        facts = VideoFacts(
            video_codec=context.name,
            width=context.width,
            height=context.height,
            pix_fmt=context.pix_fmt,
            color_range=int(context.color_range),
            colour_tags=(int(context.colorspace), int(context.color_primaries), int(context.color_trc)),
            frames=0,
            video_duration_s=_duration_s(video),
            container_duration_s=container.duration / 1_000_000,
            frame_indexes=[],
            audio_codec=audio.codec_context.name if audio else None,
            audio_rate=audio.sample_rate if audio else None,
            audio_profile=audio.codec_context.profile if audio else None,
            audio_duration_s=_duration_s(audio) if audio else None,
        )
        for frame in container.decode(video=0):
            facts.frame_indexes.append(read_index(frame.to_ndarray(format="rgb24")))
        facts.frames = len(facts.frame_indexes)
    return facts


def alpha_plane(index: int, width: int, height: int) -> np.ndarray:
    """A transparency that moves with the index: a horizontal ramp from clear to opaque, shifted."""
    ramp = (np.arange(width) * 255 // max(1, width - 1) + index * 16) % 256
    return np.tile(ramp.astype(np.uint8), (height, 1))


def encode_transparent_frame(index: int, width: int, height: int, image_format: str) -> bytes:
    """``encode_frame``'s picture with ``alpha_plane`` as its alpha (rgba or png)."""
    pixels = np.concatenate([frame_pixels(index, width, height), alpha_plane(index, width, height)[..., None]], axis=2)
    if image_format == "rgba":
        return pixels.tobytes()
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(buffer, "PNG")
    return buffer.getvalue()


def decode_alpha(path: Path) -> list[np.ndarray]:
    """Every frame's alpha plane, in order. VP9 keeps alpha in a side stream that only libvpx decodes."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.codec_context.name == "vp9":
            decoder = av.CodecContext.create("libvpx-vp9", "r")
            frames = [frame for packet in container.demux(stream) for frame in decoder.decode(packet)]
        else:
            frames = list(container.decode(stream))
        return [frame.to_ndarray(format="rgba")[..., 3] for frame in frames]


def loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file's audio, by ffmpeg's ``ebur128``."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
               "-af", "ebur128=peak=true", "-f", "null", "-"]  # fmt: skip
    log = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    summary = log[log.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak
