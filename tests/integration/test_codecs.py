"""Other codecs, transparency and loudness, through the real server: each video decoded frame by frame."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from ..conftest import ServerProcess
from visualizer_server.view.components.encoding.ffmpeg_commands import ffmpeg_exe
from visualizer_server.view.components.encoding.hardware_probe import HardwareProbe
from visualizer_server.view.components.encoding.video_encoders import HARDWARE_CODECS

from ..media import alpha_plane, decode_alpha, encode_frame, encode_transparent_frame, loudness, make_wav, probe
from ..processes import stand_in_ffmpeg
from .client import RecordingClient

# Small and short: HEVC and AV1 are slow, and the suite runs on two cores.
WIDTH, HEIGHT, FPS, FRAMES = 128, 72, 12, 12
CONTAINERS = {"hevc": ("mp4", "video/mp4", "aac"), "av1": ("mp4", "video/mp4", "aac"),
              "vp9": ("webm", "video/webm", "opus"), "prores": ("mov", "video/quicktime", "pcm_s16le")}  # fmt: skip
DECODERS = {"av1": "libdav1d"}  # PyAV names the decoder it picked, not the codec


@pytest.fixture(scope="module")
def server(start_module_server) -> ServerProcess:
    return start_module_server()


@pytest.fixture
def client(server, connect) -> RecordingClient:
    return connect(server.url)


def _render(client: RecordingClient, frames: list[bytes], audio: bytes | None = None, **spec) -> dict:
    """One whole session; returns its ``video_ready``."""
    audio_spec = {"audio": {"filename": "a.wav", "size": len(audio)}} if audio else {}
    session_id = client.start(width=WIDTH, height=HEIGHT, fps=FPS, **audio_spec, **spec)["session_id"]
    if audio:
        client.send_audio(session_id, audio)
    for index, data in enumerate(frames):
        assert client.send_frame(session_id, index, data)["ok"]
    assert client.call("end_session", {"session_id": session_id, "frame_count": len(frames)})["ok"]
    return client.wait_for("video_ready", timeout=120)


def _fetch(server: ServerProcess, url: str) -> tuple[str, bytes]:
    """The video as a browser gets it: its Content-Type, and its first bytes by a Range request."""
    request = urllib.request.Request(server.url + url, headers={"Range": "bytes=0-99"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 206
        return response.headers["Content-Type"], response.read()


@pytest.mark.parametrize("codec", list(CONTAINERS))
def test_each_codec_makes_every_frame_in_order_in_its_container(server, client, tmp_path, codec):
    """Slow for HEVC and AV1 (software encoders), though the video is 12 frames of 128x72."""
    extension, content_type, audio_codec = CONTAINERS[codec]
    audio = make_wav(tmp_path / "tone.wav", seconds=0.5)
    frames = [encode_frame(index, WIDTH, HEIGHT, "png") for index in range(FRAMES)]
    ready = _render(client, frames, audio, format="png", codec=codec)
    session_id = ready["session_id"]
    assert ready["url"] == f"/videos/{session_id}.{extension}"
    path = server.output_dir / f"{session_id}.{extension}"
    facts = probe(path)
    assert (facts.video_codec, facts.width, facts.height) == (DECODERS.get(codec, codec), WIDTH, HEIGHT)
    assert facts.frame_indexes == list(range(FRAMES)), "frames are out of order or missing"
    assert facts.video_duration_s == pytest.approx(FRAMES / FPS, abs=0.01)
    assert facts.colour_tags == (1, 1, 1), "BT.709 matrix, primaries and transfer"
    assert facts.audio_codec == audio_codec and facts.audio_rate == 48000
    assert facts.audio_duration_s == pytest.approx(FRAMES / FPS, abs=0.03), "the audio is padded to the video"
    assert _fetch(server, ready["url"]) == (content_type, path.read_bytes()[:100])


@pytest.mark.parametrize(("codec", "image_format", "pix_fmts"),
                         [("vp9", "rgba", ("yuv420p", "yuva420p")), ("prores", "png", ("yuva444p10le", "yuva444p12le"))])  # fmt: skip
def test_alpha_is_kept_as_it_was_sent(server, client, codec, image_format, pix_fmts):
    frames = [encode_transparent_frame(index, WIDTH, HEIGHT, image_format) for index in range(FRAMES)]
    ready = _render(client, frames, format=image_format, codec=codec, alpha=True)
    path = server.output_dir / Path(ready["url"]).name
    facts = probe(path)
    assert facts.frame_indexes == list(range(FRAMES)) and facts.pix_fmt in pix_fmts
    planes = decode_alpha(path)
    assert len(planes) == FRAMES
    for index, plane in enumerate(planes):
        error = np.abs(plane.astype(int) - alpha_plane(index, WIDTH, HEIGHT).astype(int))
        # ProRes 4444 keeps alpha at 16 bits (a level of rounding back to 8); VP9 compresses it like a picture.
        worst = 1 if codec == "prores" else 40
        assert error.mean() < 3 and error.max() <= worst, f"frame {index}: alpha off by {error.mean():.2f}"


def test_without_alpha_the_video_is_opaque_even_from_transparent_frames(server, client):
    frames = [encode_transparent_frame(index, WIDTH, HEIGHT, "png") for index in range(FRAMES)]
    ready = _render(client, frames, format="png", codec="vp9")
    path = server.output_dir / Path(ready["url"]).name
    assert probe(path).pix_fmt == "yuv420p" and all((plane == 255).all() for plane in decode_alpha(path))


def _music(path: Path, seconds: float, rate: int = 48000) -> bytes:
    """A quiet chord with a beat (about -30 LUFS): stereo, more like music than a steady tone."""
    import wave

    t = np.arange(int(seconds * rate)) / rate
    chord = sum(np.sin(2 * np.pi * f * t) for f in (110, 220, 277.2, 329.6)) / 4
    beat = 0.6 + 0.4 * (np.sin(2 * np.pi * 2 * t) > 0)
    left, right = chord * beat * 0.05, np.roll(chord, 100) * beat * 0.05
    samples = (np.stack([left, right], axis=1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.tobytes())
    return path.read_bytes()


@pytest.mark.parametrize("target", [-14.0, -23.0])
def test_the_audio_is_normalised_to_the_loudness_asked_for(server, client, tmp_path, target):
    frames = [encode_frame(index, WIDTH, HEIGHT, "jpeg") for index in range(3 * FPS)]
    audio = _music(tmp_path / "music.wav", seconds=3)
    before, _ = loudness(tmp_path / "music.wav")
    ready = _render(client, frames, audio, format="jpeg", loudness_lufs=target)
    integrated, true_peak = loudness(server.output_dir / Path(ready["url"]).name)
    assert abs(before - target) > 5, "the test audio must need normalising"
    assert abs(integrated - target) <= 1.0, f"integrated loudness {integrated} LUFS, asked for {target}"
    assert true_peak <= -1.0
    assert any(p.get("measuring_loudness") for p in client.events["progress"]), "progress says it is measuring"


def test_a_peaky_track_pushed_loud_keeps_its_true_peak_under_the_ceiling(server, client, tmp_path):
    frames = [encode_frame(index, WIDTH, HEIGHT, "jpeg") for index in range(2 * FPS)]
    rate = 48000
    clicks = np.zeros(2 * rate)
    clicks[:: rate // 8] = 0.9  # sparse full-scale clicks: a gain to -9 LUFS would clip them
    path = tmp_path / "clicks.wav"
    import wave

    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((clicks * 32767).astype("<i2").tobytes())
    ready = _render(client, frames, path.read_bytes(), format="jpeg", loudness_lufs=-9)
    _, true_peak = loudness(server.output_dir / Path(ready["url"]).name)
    assert true_peak <= -1.0


@pytest.mark.parametrize(("spec", "words"), [
    ({"codec": "h264", "alpha": True}, "'alpha' needs 'codec' vp9 or prores"),
    ({"codec": "vp9", "alpha": True, "format": "jpeg"}, "'alpha' needs 'format' rgba or png"),
    ({"codec": "mpeg2"}, "'codec' must be one of h264, hevc, av1, vp9, prores"),
    ({"loudness_lufs": -3}, "'loudness_lufs' must be a number from -40 to -5"),
    ({"loudness_lufs": True}, "'loudness_lufs' must be a number"),
])  # fmt: skip
def test_impossible_outputs_are_refused_before_any_frame(client, spec, words):
    ack = client.call("start_session", {"width": WIDTH, "height": HEIGHT, "format": "png", **spec})
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_request"
    assert words in ack["error"]["message"]


def _healthz(server: ServerProcess) -> dict:
    with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:
        return json.load(response)


def test_the_startup_probe_says_what_it_found_on_this_machine(server):
    # Whatever this machine has: the server's startup probe agrees with a probe run here, and says so.
    found = HardwareProbe(ffmpeg_exe()).choose("auto")
    in_use = ", ".join(found.values()) or "none"
    software = [codec for codec in HARDWARE_CODECS if codec not in found]
    said = f"hardware encoder: {in_use} (--hardware-encoder auto)"
    said += f"; {', '.join(software)} in software" if software else ""
    assert any(line.endswith(said) for line in server.lines), said
    assert _healthz(server)["hardware_encoder"] == in_use


def test_a_hardware_encoder_asked_for_that_does_not_open_falls_back_to_software(start_server, connect, tmp_path):
    # An ffmpeg whose NVENC never opens, on any machine; everything else is the real ffmpeg.
    ffmpeg = stand_in_ffmpeg(tmp_path, opens=set(), fallback=ffmpeg_exe())
    server = start_server("--hardware-encoder", "nvenc", env={"IMAGEIO_FFMPEG_EXE": str(ffmpeg)})
    client = connect(server.url)
    [warning] = [line for line in server.lines if "--hardware-encoder nvenc does not open" in line]
    assert "h264_nvenc: Cannot load libcuda" in warning and "encoding in software" in warning
    assert _healthz(server)["hardware_encoder"] == "none"
    frames = [encode_frame(index, WIDTH, HEIGHT, "png") for index in range(FRAMES)]
    ready = _render(client, frames, format="png", codec="h264")
    facts = probe(server.output_dir / Path(ready["url"]).name)
    assert facts.video_codec == "h264" and facts.frame_indexes == list(range(FRAMES))
