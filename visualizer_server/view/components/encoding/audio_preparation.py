"""A session's audio encoded once, while its frames still arrive, so the finish only copies it.

The finish used to encode the whole audio (and run loudnorm's measuring pass over it) after the
last frame: for a 3-minute track that was 6 of the 16 seconds between the last acknowledgement
and ``video_ready``, and it grew with the length. The audio is complete long before the last
frame (usually before the first), so its encode is done then: to the container's codec, at 48 kHz,
normalised when the session asked for a loudness, and followed by ``PAD_S`` of silence, so a video
a little longer than its audio is still covered. The join then copies it and cuts it at the video's
duration (within one audio packet: 21 ms of AAC, 20 ms of Opus).

Where it does not fit (a video longer than the audio and its pad, or one that cuts a normalised
track short, whose loudness must be measured over what the video holds), or where it failed, the
finish encodes the audio from the spool as before: the preparation saves time, never changes the
video. It is kept beside the segments under a name that says what it holds, so a restart or a
takeover finds it done instead of encoding the track again. Runs in its own greenlet, owned by the
session's encode supervisor. Knows nothing of PureMVC.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import eventlet.event

from ....model.vo.encoder_messages import PreparedAudio
from . import loudness
from .ffmpeg_commands import preamble, prepare_audio_args
from .encoder_slots import EncoderSlots
from .ffmpeg_process import FfmpegProcess
from ..greenlets import BackgroundTask

log = logging.getLogger(__name__)

PAD_S = 2.0  # silence after the audio: a video up to this much longer than its audio is still covered


class AudioPreparation(BackgroundTask):
    """Encodes ``audio`` into ``output`` (a fresh file of the session's container), then hands it to
    ``keep(output, loudness_lufs, audio_s, covers_s)`` when given, which renames it into place (and
    refuses on a node that lost the session), so that a restart or a takeover finds it done;
    ``result`` waits for it. ``on_measuring`` is called when its loudness
    measurement starts and when it ends (``measuring``). With ``slots``, its ffmpeg runs only
    while it holds one (the preparations of all sessions take turns)."""

    def __init__(self, audio: Path, output: Path, muxer: str, loudness_lufs: float | None,
                 stall_s: float | None, on_measuring: Callable[[], None] = lambda: None,
                 keep: Callable[[Path, float | None, float, float], Path] | None = None,
                 slots: EncoderSlots | None = None) -> None:  # fmt: skip
        self.audio, self.output, self.muxer = audio, output, muxer
        self.slots = slots
        self.keep = keep
        self.loudness_lufs = loudness_lufs
        self.stall_s = stall_s
        self.measuring = False
        self.queued = slots is not None  # waiting for one of the ``slots`` (from its creation: its greenlet may not run yet)
        self._on_measuring = on_measuring
        self._process: FfmpegProcess | None = None
        self._done: eventlet.event.Event = eventlet.event.Event()

    @property
    def done(self) -> bool:
        """Its result is known (prepared, failed or stopped): ``result`` returns at once."""
        return self._done.ready()

    def result(self) -> PreparedAudio | None:
        """The prepared audio once its ffmpeg is done; None when it failed (the finish then encodes it)."""
        return self._done.wait()

    def stop(self) -> None:
        """Stop its greenlet and its ffmpeg, and remove what it wrote."""
        super().stop()
        if self._process is not None:
            self._process.kill()
        self.output.unlink(missing_ok=True)
        if not self._done.ready():
            self._done.send(None)

    def _run(self) -> None:
        prepared = None
        try:
            if self.slots is not None:
                try:
                    self.slots.take()  # a stop meanwhile leaves the queue (GreenletExit)
                finally:
                    self.queued = False
            prepared = self._prepared_in_turn()
        finally:
            if not self._done.ready():  # whatever ended it: nobody waits on ``result`` for ever
                self._done.send(prepared)

    def _prepared_in_turn(self) -> PreparedAudio | None:
        """The preparation, holding its slot (given back also when stopped while its ffmpeg runs)."""
        try:
            return self._prepare()
        except Exception as error:  # noqa: BLE001 - the finish encodes the audio itself: nothing is lost
            log.info("the audio %s could not be prepared (%s); the finish encodes it", self.audio, error)
            self.output.unlink(missing_ok=True)
            return None
        finally:
            if self.slots is not None:
                self.slots.give_back()

    def _prepare(self) -> PreparedAudio:
        loudness_filter = None if self.loudness_lufs is None else self._loudness_filter()
        process = self._run_ffmpeg(prepare_audio_args(self.audio, self.output, self.muxer, loudness_filter, PAD_S))
        covers_s = process.out_time_s  # the last packet's time: short of the file by up to a packet, so safe
        audio_s = max(0.0, covers_s - PAD_S)
        path = self.output if self.keep is None else self.keep(self.output, self.loudness_lufs, audio_s, covers_s)
        return PreparedAudio(path, audio_s, covers_s, self.loudness_lufs)

    def _loudness_filter(self) -> str | None:
        """loudnorm's measuring pass over the whole track; the linear filter (None for silence)."""
        args = loudness.measure_args(preamble(loglevel="info"), self.audio, None, self.loudness_lufs)
        self._measuring(True)
        try:
            process = self._run_ffmpeg(args, lines_kept=loudness.LINES_KEPT)
        finally:
            self._measuring(False)
        return loudness.filter_from_log(process.errors, self.loudness_lufs)

    def _measuring(self, measuring: bool) -> None:
        self.measuring = measuring
        self._on_measuring()

    def _run_ffmpeg(self, args: list[str], **options: int) -> FfmpegProcess:
        process = self._process = FfmpegProcess(args, stall_s=self.stall_s, **options)
        process.start()
        returncode = process.wait()
        if returncode != 0 or process.stalled:
            how = "stalled" if process.stalled else f"exited with code {returncode}"
            raise RuntimeError(f"ffmpeg {how}: {process.last_words()}")
        return process
