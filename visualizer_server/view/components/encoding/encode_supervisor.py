"""The owner of one session's encode, for as long as it lasts: one greenlet, start to end.

It waits for frame 0, takes an encoder slot, and feeds ffmpeg every frame in index order as
the gaps fill (from memory while the bytes are at hand, from the spool otherwise). When
ffmpeg dies (killed, crashed, or a non-zero exit) it starts it again from the spool into a
fresh intermediate file, up to ``max_restarts`` times, then reports a failure; a hardware
encoder that fails is replaced by the software one for the next try. Notifications
only wake it: no acknowledgement, resume or startup ever feeds an encoder. Knows nothing of
PureMVC: it reports through the callbacks it is given.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from typing import Callable

import eventlet
import eventlet.semaphore

from ....model.vo.codec import CODECS
from ....model.vo.encoder_messages import (
    ENCODING,
    MEASURING,
    MUXING,
    WAITING,
    EncodeJob,
    EncoderProgress,
    EncoderResult,
    FinishEncode,
)
from . import loudness
from .ffmpeg_commands import encode_args, ffmpeg_exe, mux_args
from .ffmpeg_process import EncoderDied, FfmpegProcess
from ..greenlets import Pulse

log = logging.getLogger(__name__)


class EncodeSupervisor:
    def __init__(
        self,
        job: EncodeJob,
        slots: eventlet.semaphore.Semaphore,
        on_progress: Callable[[EncoderProgress], None],
        on_finished: Callable[[EncoderResult], None],
    ) -> None:
        self.job = job
        self._slots = slots
        self._on_progress = on_progress
        self._on_finished = on_finished
        self._finish: FinishEncode | None = None
        self._cache: dict[int, bytes] = {}
        self._cache_bytes = 0
        self._fed = 0  # the next index to write to ffmpeg
        self._replaying_until = -1  # frames already in the spool when this pass began: fed again, holding nobody
        self._restarts = 0
        self._frames_encoded = 0
        self._stage = WAITING
        self._process: FfmpegProcess | None = None
        self._thread: eventlet.greenthread.GreenThread | None = None
        self.holds_slot = False
        self._wake = Pulse()  # a frame arrived, the input ended, or ffmpeg exited
        self._fed_one = Pulse()  # a frame went to ffmpeg, or the encode stopped

    # -- what the mediator tells it --------------------------------------------------------------
    def start(self) -> None:
        self._started_at = time.monotonic()
        self._thread = eventlet.spawn(self._run)

    def offer(self, index: int, data: bytes | None) -> None:
        """A frame is stored: keep its bytes while the memory budget allows, and wake the feeder."""
        fits = data is not None and self._cache_bytes + len(data) <= self.job.buffer_bytes
        if fits and index >= self._fed and index not in self._cache:
            self._cache[index] = data
            self._cache_bytes += len(data)
        self._wake.fire()

    def end_input(self, finish: FinishEncode) -> None:
        self._finish = finish
        self._wake.fire()

    def wait_for(self, index: int, max_behind: int) -> None:
        """Block the caller while this encode is more than ``max_behind`` frames short of ``index``.

        Only a running encode holds anyone back, and only for frames it can reach: a frame
        beyond a gap, or a frame that fills one, is never held, however large the backlog.
        Nor while a pass started again (after a restart, a takeover, a dead ffmpeg) feeds what
        the spool already held: the client has no part in that backlog.
        """
        while (self.holds_slot and self._fed > self._replaying_until and index - self._fed > max_behind
               and self.job.frames.run_end(self._fed) >= index):  # fmt: skip
            self._fed_one.wait()

    @property
    def finishing(self) -> bool:
        """Its input has ended: it will finish by itself."""
        return self._finish is not None

    def stop(self) -> None:
        """Stop now: end the greenlet (which gives the slot back), kill ffmpeg, report nothing.

        The greenlet goes first: killing ffmpeg waits for its exit, and a greenlet still alive
        then took the exit for a crash and started a new ffmpeg that nothing would stop."""
        if self._thread is not None:
            self._thread.kill()
        if self._process is not None:
            self._process.kill()
        self._fed_one.fire()

    # -- its own greenlet -------------------------------------------------------------------------
    def _run(self) -> None:
        self._until(lambda: 0 in self.job.frames)
        if not self._slots.acquire(blocking=False):
            self._report()  # waiting for a free slot: the client sees it
            self._slots.acquire()
        self.holds_slot = True
        try:
            result = self._encode()
        except Exception as error:  # noqa: BLE001 - a lost exception would leave the session encoding for ever
            log.exception("session %s: the encode failed", self.job.session_id)
            result = self._result(False, f"the encode failed in the server: {error}")
        finally:
            self.holds_slot = False
            self._slots.release()
            self._fed_one.fire()
        self._on_finished(result)

    def _encode(self) -> EncoderResult:
        while True:
            intermediate = self.job.new_intermediate()
            encode_problem = self._first_pass(intermediate)
            problem = encode_problem or self._mux(intermediate)
            intermediate.unlink(missing_ok=True)
            if problem is None:
                return self._result(True)
            if encode_problem is not None and self.job.hardware_encoder is not None:
                self._fall_back_to_software(problem)
                continue
            if self._restarts >= self.job.max_restarts:
                return self._result(False, problem)
            self._restarts += 1
            log.warning("session %s: %s; starting the encoder again from the spool (restart %d of %d)",
                        self.job.session_id, problem, self._restarts, self.job.max_restarts)

    def _fall_back_to_software(self, problem: str) -> None:
        """A hardware encoder that failed (a driver fault, a device gone, a size it refuses) is not
        tried again: the encode starts over from the spool in software. Not counted as a restart,
        so ``max_restarts`` are left for the software encoder."""
        log.warning("session %s: the hardware encoder %s failed (%s); starting again from the spool in software",
                    self.job.session_id, self.job.hardware_encoder, problem)
        self.job = dataclasses.replace(self.job, hardware_encoder=None)

    def _first_pass(self, intermediate: Path) -> str | None:
        """Feed every frame in order until the end; None when ffmpeg made all of them."""
        self._stage, self._fed, self._frames_encoded = ENCODING, 0, 0
        self._replaying_until = self.job.frames.run_end(0)
        process = self._process = FfmpegProcess(encode_args(self.job, intermediate), self._progressed,
                                                self._wake.fire, takes_input=True)  # fmt: skip
        process.start()
        self._report()
        try:
            self._feed(process)
        except EncoderDied:
            pass  # its exit code and last words say why
        returncode = process.wait()
        total = self._finish.frame_count if self._finish else None
        if returncode != 0:
            return f"ffmpeg exited with code {returncode}: {self._last_words(process)}"
        if process.frames != total:
            return f"ffmpeg encoded {process.frames} frames of {total}: {self._last_words(process)}"
        return None

    def _feed(self, process: FfmpegProcess) -> None:
        while not self._finish_reached():
            self._until(lambda: self._fed in self.job.frames or self._finish_reached() or process.exited)
            if process.exited:
                raise EncoderDied("ffmpeg exited while frames were still to come")
            if self._finish_reached():
                break
            process.write(self._take(self._fed))
            self._fed += 1
            self._fed_one.fire()
        process.close_input()

    def _mux(self, intermediate: Path) -> str | None:
        loudness_filter, problem = self._measure_loudness()
        if problem is not None:
            return problem
        self._stage = MUXING
        self._report()
        args = mux_args(intermediate, self._finish, CODECS[self.job.codec].muxer, loudness_filter)
        process = self._process = FfmpegProcess(args)
        process.start()
        returncode = process.wait()
        if returncode != 0:
            self._finish.output_path.unlink(missing_ok=True)
            return f"ffmpeg (audio mux) exited with code {returncode}: {self._last_words(process)}"
        return None

    def _measure_loudness(self) -> tuple[str | None, str | None]:
        """loudnorm's first pass, when the session asked for a loudness: the linear filter for the mux
        (None for silent audio, which stays as it is), or what went wrong."""
        finish = self._finish
        if finish.loudness_lufs is None or finish.audio_path is None:
            return None, None
        self._stage = MEASURING
        self._report()
        args = loudness.measure_args(ffmpeg_exe(), finish.audio_path, finish.duration_s, finish.loudness_lufs)
        process = self._process = FfmpegProcess(args, lines_kept=loudness.LINES_KEPT)
        process.start()
        returncode = process.wait()
        if returncode != 0:
            return None, f"ffmpeg (loudness measurement) exited with code {returncode}: {self._last_words(process)}"
        try:
            measured = loudness.parse_measurement(process.errors)
        except loudness.LoudnessError as error:
            return None, str(error)
        return (None if measured is None else loudness.linear_filter(finish.loudness_lufs, measured)), None

    def _take(self, index: int) -> bytes:
        data = self._cache.pop(index, None)
        if data is None:
            return self.job.frame_path(index).read_bytes()
        self._cache_bytes -= len(data)
        return data

    def _finish_reached(self) -> bool:
        return self._finish is not None and self._fed >= self._finish.frame_count

    def _until(self, condition: Callable[[], bool]) -> None:
        while not condition():
            self._wake.wait()

    def _progressed(self, frames: int) -> None:
        self._frames_encoded = frames
        self._report()

    def _report(self) -> None:
        stage = self._stage if self.holds_slot else WAITING
        self._on_progress(EncoderProgress(self.job.session_id, stage, self._frames_encoded, self._restarts))

    def _result(self, ok: bool, problem: str | None = None) -> EncoderResult:
        """What the encode came to; it may fail before its input ended (no output file then)."""
        output = self._finish.output_path if self._finish else None
        errors = () if problem is None else (problem,)
        return EncoderResult(self.job.session_id, ok, self._frames_encoded, output,
                             time.monotonic() - self._started_at, errors, self._restarts)  # fmt: skip

    @staticmethod
    def _last_words(process: FfmpegProcess) -> str:
        return " | ".join(list(process.errors)[-5:]) or "no output"
