"""Audio is one of the formats a musician has, recognised by its bytes; manifests and playlists are refused.

Before, ffmpeg guessed the audio's format: a live DASH manifest hung the mux for ever, and a static
one with an absolute ``BaseURL`` put a local file of the server's into the video. Undecodable
audio failed only after the whole encode, four times.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from ..hostile_media import dash_manifest
from ..media import encode_frame, make_wav, probe
from .client import RecordingClient

WIDTH, HEIGHT, FPS, FRAMES = 64, 64, 10, 10
ENCODINGS = {  # name: (ffmpeg output options, file suffix)
    "wav": ([], ".wav"),
    "mp3": (["-c:a", "libmp3lame", "-b:a", "128k"], ".mp3"),
    "flac": (["-c:a", "flac"], ".flac"),
    "ogg vorbis": (["-c:a", "libvorbis"], ".ogg"),
    "ogg opus": (["-c:a", "libopus", "-ar", "48000"], ".opus"),
    "aac adts": (["-c:a", "aac", "-f", "adts"], ".aac"),
    "m4a": (["-c:a", "aac"], ".m4a"),
}


def _encoded_audio(tmp_path: Path, name: str) -> Path:
    options, suffix = ENCODINGS[name]
    wav = tmp_path / "tone.wav"
    make_wav(wav, 1.5)
    if name == "wav":
        return wav
    target = tmp_path / f"tone{suffix}"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", str(wav), *options, str(target)],
                   check=True)  # fmt: skip
    return target


def _session_with_frames(client: RecordingClient, audio_size: int) -> str:
    ack = client.start(width=WIDTH, height=HEIGHT, fps=FPS, format="jpeg", frame_count=FRAMES,
                       audio={"filename": "music", "size": audio_size})  # fmt: skip
    for index in range(FRAMES):
        assert client.send_frame(ack["session_id"], index, encode_frame(index, WIDTH, HEIGHT, "jpeg"))["ok"]
    return ack["session_id"]


def _assert_refused_naming_the_formats(ack: dict) -> None:
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_request", ack
    assert "WAV, MP3, FLAC, Ogg (Vorbis or Opus) and AAC/M4A" in ack["error"]["message"]


@pytest.fixture
def client(server, connect) -> RecordingClient:
    return connect(server.url)


@pytest.mark.parametrize("name", ENCODINGS)
def test_each_accepted_format_is_in_the_video(server, client, tmp_path, name):
    audio = _encoded_audio(tmp_path, name).read_bytes()
    session_id = _session_with_frames(client, len(audio))
    client.send_audio(session_id, audio)
    assert client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})["ok"]
    client.wait_for("video_ready")
    facts = probe(server.output_dir / f"{session_id}.mp4")
    assert facts.frames == FRAMES and facts.audio_codec == "aac"
    assert facts.audio_duration_s == pytest.approx(FRAMES / FPS, abs=0.05)


def test_a_live_dash_manifest_is_refused_at_its_first_chunk(server, client):
    previous = server.output_dir / "earlier.mp4"
    manifest = dash_manifest(f"../../{server.output_dir.name}/{previous.name}", live=True)
    ack = client.start(width=WIDTH, height=HEIGHT, format="jpeg", audio={"filename": "a.mpd", "size": len(manifest)})
    refused = client.call("audio_chunk", {"session_id": ack["session_id"], "offset": 0, "data": manifest})
    _assert_refused_naming_the_formats(refused)
    status = client.call("session_status", {"session_id": ack["session_id"]})
    assert status["audio_received_bytes"] == 0, status


def test_a_static_manifest_naming_a_local_file_is_refused_at_the_end(server, client, tmp_path):
    """The head arrives in a chunk too short to tell, so the end is where it is refused; no video is made."""
    secret = _encoded_audio(tmp_path, "m4a")
    manifest = dash_manifest(str(secret), live=False)
    session_id = _session_with_frames(client, len(manifest))
    client.send_audio(session_id, manifest, chunk=4)
    ended = client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})
    _assert_refused_naming_the_formats(ended)
    status = client.call("session_status", {"session_id": session_id})
    assert status["state"] == "receiving", status
    assert not list(server.output_dir.glob("*.mp4"))


def test_audio_ffmpeg_cannot_decode_is_refused_at_the_end_before_any_encode(server, client):
    audio = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 64  # an ID3 header, then no MPEG frames
    session_id = _session_with_frames(client, len(audio))
    client.send_audio(session_id, audio)
    ended = client.call("end_session", {"session_id": session_id, "frame_count": FRAMES})
    _assert_refused_naming_the_formats(ended)
    assert "cannot decode" in ended["error"]["message"]
    assert str(server.work_dir) not in ended["error"]["message"]
    assert "session_failed" not in client.events
