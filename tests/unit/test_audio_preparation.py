"""The audio encoded once it is stored, so the finish only copies it: alone, and in the supervisor's finish."""

from __future__ import annotations

from pathlib import Path

import av
import eventlet
import numpy as np
import pytest

from visualizer_server.errors import CONFLICT, ServiceError
from visualizer_server.model.vo.encoder_messages import FinishEncode, PreparedAudio
from visualizer_server.view.components.encoding.audio_preparation import PAD_S, AudioPreparation
from visualizer_server.view.components.encoding.encoder_slots import EncoderSlots

from ..media import make_wav, probe
from ..processes import pids_with, wait_until
from .test_encode_supervisor import FPS, Run


def _decoded(path: Path) -> tuple[str, int, np.ndarray]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = np.concatenate([frame.to_ndarray()[0] for frame in container.decode(stream)])
        return stream.codec_context.name, stream.sample_rate, samples


def test_prepared_audio_fits_only_where_copying_it_gives_what_encoding_the_spool_would():
    plain = PreparedAudio(Path("a.mp4"), audio_s=10.0, covers_s=10.0 + PAD_S, loudness_lufs=None)
    assert plain.fits(10.0, None) and plain.fits(3.0, None), "a shorter video cuts it"
    assert plain.fits(10.0 + PAD_S, None), "a video a little longer is covered by the silence after it"
    assert not plain.fits(10.0 + PAD_S + 0.1, None), "beyond the silence the finish pads it itself"
    assert not plain.fits(10.0, -14.0), "prepared without normalising: of no use to a normalised finish"
    loud = PreparedAudio(Path("a.mp4"), audio_s=10.0, covers_s=10.0 + PAD_S, loudness_lufs=-14.0)
    assert loud.fits(10.0, -14.0) and loud.fits(11.0, -14.0)
    assert not loud.fits(8.0, -14.0), "a video that cuts the track short is measured over what it holds"
    assert not loud.fits(10.0, -23.0)


def test_the_audio_is_kept_under_the_name_it_is_given_once_it_is_whole(tmp_path):
    make_wav(tmp_path / "tone.wav", seconds=1.0)
    kept = []

    def keep(encoded, loudness_lufs, audio_s, covers_s):
        kept.append((encoded.name, loudness_lufs, round(audio_s, 1), round(covers_s, 1)))
        return encoded.rename(tmp_path / "kept.mp4")

    preparation = AudioPreparation(tmp_path / "tone.wav", tmp_path / "part.mp4", "mp4", None, stall_s=10, keep=keep)
    preparation.start()
    prepared = preparation.result()
    assert prepared.path == tmp_path / "kept.mp4" and kept == [("part.mp4", None, 1.0, 1.0 + PAD_S)]
    assert not (tmp_path / "part.mp4").exists() and _decoded(prepared.path)[0] == "aac"
    preparation.stop()
    assert prepared.path.exists(), "kept for a restart: the session's cleanup removes it"


def test_audio_that_cannot_be_kept_gives_no_preparation_and_leaves_no_file(tmp_path):
    make_wav(tmp_path / "tone.wav", seconds=0.5)

    def keep(encoded, loudness_lufs, audio_s, covers_s):
        raise ServiceError(CONFLICT, "another node has taken this session over")

    preparation = AudioPreparation(tmp_path / "tone.wav", tmp_path / "part.mp4", "mp4", None, stall_s=10, keep=keep)
    preparation.start()
    assert preparation.result() is None, "the finish encodes the audio itself (and is fenced in turn)"
    assert list(tmp_path.iterdir()) == [tmp_path / "tone.wav"]


def test_the_audio_is_encoded_to_the_container_codec_and_followed_by_silence(tmp_path):
    make_wav(tmp_path / "tone.wav", seconds=1.0)
    preparation = AudioPreparation(tmp_path / "tone.wav", tmp_path / "audio.mp4", "mp4", None, stall_s=10)
    preparation.start()
    prepared = preparation.result()
    assert prepared is not None and prepared.path == tmp_path / "audio.mp4"
    assert prepared.audio_s == pytest.approx(1.0, abs=0.03) and prepared.covers_s == pytest.approx(1.0 + PAD_S, abs=0.03)
    codec, rate, samples = _decoded(prepared.path)
    assert codec == "aac" and rate == 48000
    tone, tail = samples[int(0.1 * rate) : int(0.9 * rate)], samples[int(1.2 * rate) :]
    assert np.sqrt(np.mean(tone**2)) > 0.1 and np.sqrt(np.mean(tail**2)) < 0.001, "the tone, then silence"
    assert len(samples) / rate == pytest.approx(1.0 + PAD_S, abs=0.03)
    preparation.stop()
    assert not prepared.path.exists(), "stopping it removes what it wrote"


def test_audio_ffmpeg_cannot_read_gives_no_preparation_and_leaves_no_file(tmp_path):
    (tmp_path / "noise.wav").write_bytes(b"RIFF" + bytes(4) + b"WAVE" + bytes(2000))  # a WAV head, no audio in it
    preparation = AudioPreparation(tmp_path / "noise.wav", tmp_path / "audio.mp4", "mp4", None, stall_s=10)
    preparation.start()
    assert preparation.result() is None
    assert not (tmp_path / "audio.mp4").exists()


def _video_with_audio(run: Run, count: int, audio: Path):
    """Frames 0 to ``count - 1`` stored, the input ended with ``audio``: the finished video's facts."""
    for index in range(count):
        run.store(index)
    run.supervisor.end_input(FinishEncode("s", count, run.folder / "out.mp4.part", audio, count / FPS))
    result = run.finished.wait()
    assert result.ok, result.reason
    return probe(run.folder / "out.mp4.part")


def test_the_finish_copies_the_audio_prepared_while_the_frames_arrived(tmp_path):
    """The spool's audio is not read again after its preparation: the join copies what was prepared."""
    make_wav(tmp_path / "tone.wav", seconds=2.0)
    run = Run(tmp_path, image_format="jpeg", segment_frames=10)
    run.supervisor.prepare_audio(tmp_path / "tone.wav", None).result()
    (tmp_path / "tone.wav").unlink()  # encoding it in the join would now fail
    facts = _video_with_audio(run, 20, tmp_path / "tone.wav")
    assert facts.frame_indexes == list(range(20))
    assert facts.audio_codec == "aac" and facts.audio_duration_s == pytest.approx(2.0, abs=0.03)
    assert not list(tmp_path.glob("segments/part-*")), "the prepared audio is removed with the other parts"


def test_a_restarted_encode_copies_the_audio_a_previous_run_kept_instead_of_encoding_it_again(tmp_path):
    make_wav(tmp_path / "tone.wav", seconds=2.0)
    before = AudioPreparation(tmp_path / "tone.wav", tmp_path / "part.mp4", "mp4", None, stall_s=10)
    before.start()
    kept = before.result()  # what the run before the restart left on disk
    run = Run(tmp_path, image_format="jpeg", segment_frames=10, prepared_audio=(kept,))
    assert run.supervisor.prepare_audio(tmp_path / "tone.wav", None) is None, "not encoded again"
    (tmp_path / "tone.wav").unlink()
    assert _video_with_audio(run, 20, tmp_path / "tone.wav").audio_duration_s == pytest.approx(2.0, abs=0.03)


def test_a_video_longer_than_the_prepared_audio_covers_is_padded_by_the_finish(tmp_path):
    make_wav(tmp_path / "short.wav", seconds=0.5)
    run = Run(tmp_path, image_format="jpeg", segment_frames=10)
    run.supervisor.prepare_audio(tmp_path / "short.wav", None).result()
    count = int((0.5 + PAD_S + 1.0) * FPS)  # a second beyond the prepared silence
    facts = _video_with_audio(run, count, tmp_path / "short.wav")
    assert facts.audio_duration_s == pytest.approx(count / FPS, abs=0.03), "padded to the whole video"
    _, rate, samples = _decoded(tmp_path / "out.mp4.part")
    assert np.sqrt(np.mean(samples[int(0.1 * rate) : int(0.4 * rate)] ** 2)) > 0.1, "the tone first"


def _preparing(run: Run, audio: Path) -> None:
    """Start the preparation of a long track and wait until its ffmpeg runs."""
    run.supervisor.prepare_audio(audio, None)
    wait_until(lambda: pids_with(str(audio)), pause=eventlet.sleep, what="the audio's ffmpeg")


def test_an_encode_that_fails_ends_the_preparation_of_its_audio(tmp_path):
    make_wav(tmp_path / "long.wav", seconds=120)  # seconds to encode: still running when the encode fails
    run = Run(tmp_path, max_restarts=0)
    _preparing(run, tmp_path / "long.wav")
    run.store(0, b"\x89PNG\r\n\x1a\n" + bytes(64))  # no picture in it: the segment's ffmpeg fails
    run.end(1)
    assert not run.finished.wait().ok
    assert pids_with(str(tmp_path / "long.wav")) == [], "no ffmpeg goes on for an encode that ended"
    assert not list(tmp_path.glob("segments/part-*")), "nor is its file left"


def test_stopping_the_encode_while_the_audio_is_prepared_leaves_no_ffmpeg_and_no_file(tmp_path):
    make_wav(tmp_path / "long.wav", seconds=120)
    run = Run(tmp_path)
    _preparing(run, tmp_path / "long.wav")
    run.supervisor.stop()
    assert pids_with(str(tmp_path / "long.wav")) == []
    assert not list(tmp_path.glob("segments/part-*"))


def test_a_kept_audio_gone_bad_is_replaced_by_the_spool_s_in_the_join(tmp_path):
    make_wav(tmp_path / "tone.wav", seconds=2.0)
    (tmp_path / "segments").mkdir()
    bad = PreparedAudio(tmp_path / "segments" / "audio-bad.mp4", 2.0, 4.0, None)
    bad.path.write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(200))  # a head and nothing a demuxer can use
    run = Run(tmp_path, image_format="jpeg", segment_frames=10, max_restarts=0, prepared_audio=(bad,))
    assert _video_with_audio(run, 20, tmp_path / "tone.wav").audio_duration_s == pytest.approx(2.0, abs=0.03)


def test_preparations_take_turns_for_their_slots_and_one_stopped_while_waiting_leaves_the_queue(tmp_path):
    """Sessions whose audio completes at once start no ffmpeg each at once: a preparation waits for one
    of the slots the sessions' preparations share (here the test holds the only one)."""
    make_wav(tmp_path / "tone.wav", seconds=1.0)
    slots = EncoderSlots(1)
    slots.take()  # another session's preparation runs
    waiting = AudioPreparation(tmp_path / "tone.wav", tmp_path / "a.mp4", "mp4", None, stall_s=10, slots=slots)
    stopped = AudioPreparation(tmp_path / "tone.wav", tmp_path / "b.mp4", "mp4", None, stall_s=10, slots=slots)
    stopped.start()
    wait_until(lambda: slots.contended, pause=eventlet.sleep, what="a preparation waiting for a slot")
    stopped.stop()
    assert stopped.result() is None and not slots.contended, "a stopped preparation leaves the queue"
    waiting.start()
    wait_until(lambda: slots.contended, pause=eventlet.sleep, what="a preparation waiting for a slot")
    assert pids_with(str(tmp_path / "tone.wav")) == [], "no ffmpeg without a slot"
    slots.give_back()
    prepared = waiting.result()
    assert prepared is not None and _decoded(prepared.path)[0] == "aac"
    assert slots.try_take(), "its slot is given back once its audio is prepared"


def test_a_preparation_still_waiting_for_its_slot_at_the_finish_is_stopped_and_the_finish_encodes_the_audio(tmp_path):
    """Before, the finish waited for it behind the other sessions' preparations (here for ever)."""
    make_wav(tmp_path / "tone.wav", seconds=2.0)
    audio_slots = EncoderSlots(1)
    audio_slots.take()  # other sessions' preparations hold every slot
    run = Run(tmp_path, image_format="jpeg", segment_frames=10, audio_slots=audio_slots)
    preparation = run.supervisor.prepare_audio(tmp_path / "tone.wav", None)
    with eventlet.Timeout(60):
        facts = _video_with_audio(run, 20, tmp_path / "tone.wav")
    assert facts.audio_codec == "aac" and facts.audio_duration_s == pytest.approx(2.0, abs=0.03)
    assert preparation.done and preparation.result() is None and not audio_slots.contended
