"""The owner of one session's encode, for as long as it lasts: one greenlet, start to end.

A session's video is a sequence of segments, each a run of whole closed GOPs made by its own
ffmpeg, fed in index order as the frames arrive (from memory while the bytes are at hand, from
the spool otherwise). A segment ends when it is full, when the input ends, or when the next
frame has not come for ``idle_close_s`` (it is then shorter); it is handed to ``on_segment``,
which makes it durable and frees its frames, and it is never encoded again.

The encoder slot is held only while a segment is encoded: it is given back when a segment closes
for want of frames, and at every segment's end while another session waits for one, so sessions
take turns (``EncoderSlots`` hands slots out in order). An ffmpeg that dies (killed, crashed, a
non-zero exit, or stalled: see ``FfmpegProcess``'s watchdog) costs its segment only: that segment
is encoded again from the spool, up to ``max_restarts`` times per segment, then the session fails;
a hardware encoder that fails is replaced by the software one for the next try. An ffmpeg that
fails for want of disk space is no crash: the encode gives its slot back and waits until the disk
has room (first after 1, 2, 4... up to 30 s, the waits in a row doubling, then every second), then
tries again, uncounted. The audio is
encoded once it is all stored (``AudioPreparation``, beside the segments), and the finish joins the
segments and that audio by stream copy, so it costs the copy whatever the length. Notifications only wake it: no
acknowledgement, resume or startup ever feeds an encoder. Knows nothing of PureMVC: it reports
through the callbacks it is given.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from typing import Callable, NamedTuple, TypeVar

import eventlet

from ....model.files import disk_full, out_of_room
from ....model.vo.codec import CODECS
from ....model.vo.encoder_messages import (
    EncodeJob,
    EncoderProgress,
    EncoderResult,
    EncoderStage,
    FinishEncode,
    PreparedAudio,
    Segment,
    SegmentEncoded,
)
from . import loudness
from .audio_preparation import AudioPreparation
from .encoder_slots import EncoderSlots
from .ffmpeg_commands import concat_list, join_args, preamble, segment_args
from .ffmpeg_process import EncoderDied, FfmpegProcess
from ..greenlets import Pulse

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# How long an encode that found its disk full waits before it first looks for room again: doubled at
# each wait in a row (a disk that has a little room again may still be too full for a segment), from
# 1 s; then it looks every DISK_POLL_S.
DISK_POLL_S, DISK_POLL_MAX_S = 1.0, 30.0


class EncodeFailed(Exception):
    """The encode cannot go on. ``reason`` is for the client (no paths, no ffmpeg output);
    ``details`` (ffmpeg's last words) go to the log."""

    def __init__(self, reason: str, details: str = "") -> None:
        super().__init__(reason)
        self.reason, self.details = reason, details


class _Stopped(Exception):
    """``stop`` was called from this supervisor's own greenlet (while a segment was being kept)."""


class _Attempt(NamedTuple):
    count: int  # frames fed
    problem: str | None  # None: ffmpeg made every one of them
    closed_early: bool  # the next frame did not come in time


class EncodeSupervisor:
    def __init__(
        self,
        job: EncodeJob,
        slots: EncoderSlots,
        on_progress: Callable[[EncoderProgress], None],
        on_finished: Callable[[EncoderResult], None],
        on_segment: Callable[[SegmentEncoded], None] = lambda encoded: None,
        audio_slots: EncoderSlots | None = None,
    ) -> None:
        self.job = job
        self._slots = slots
        self._audio_slots = audio_slots  # shared by the sessions' audio preparations; None: unbounded
        self._on_progress = on_progress
        self._on_finished = on_finished
        self._on_segment = on_segment
        self._finish: FinishEncode | None = None
        self._audio: AudioPreparation | None = None
        self._cache: dict[int, bytes] = {}
        self._cache_bytes = 0
        self._segments: list[tuple[Segment, Path]] = []
        self._next = 0  # the first frame no finished segment holds
        # Only a run from frame 0 is trusted; of two that start at one frame (a node that kept one just
        # as another took the session over), the longer, whose frames have left the spool.
        for segment in sorted(job.finished, key=lambda segment: (segment.first, -segment.count)):
            if segment.first == self._next:
                self._segments.append((segment, job.segment_path(segment)))
                self._next = segment.end
        self._fed = self._next  # the next index to write to ffmpeg
        self._replaying_until = -1  # frames already in the spool when this try began: fed again, holding nobody
        self._replay = True  # the next try feeds what the spool holds (a start, a restart, a takeover, a dead ffmpeg)
        self._restarts = 0  # in all segments
        self._disk_waits = 0  # waits for room since an ffmpeg last succeeded
        self._frames_encoded = self._next
        self._stage = EncoderStage.IDLE
        self._process: FfmpegProcess | None = None
        self._thread: eventlet.greenthread.GreenThread | None = None
        self._stopped = False
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

    def prepare_audio(self, audio: Path, loudness_lufs: float | None) -> AudioPreparation | None:
        """Every byte of the audio is stored: encode it now, while the frames arrive, so the finish
        only copies it. Once: a second notice of the same audio gets the preparation under way
        (None after a stop, or when a previous run kept it prepared: a restart, a takeover)."""
        kept = any(prepared.loudness_lufs == loudness_lufs for prepared in self.job.prepared_audio)
        if self._audio is None and not self._stopped and not kept:
            try:
                output = self.job.new_intermediate()
            except OSError as error:
                if not disk_full(error):
                    raise
                log.warning("session %s: the disk is full; the audio is encoded in the finish", self.job.session_id)
                return None
            muxer = CODECS[self.job.codec].muxer
            self._audio = AudioPreparation(audio, output, muxer, loudness_lufs, self.job.stall_s,
                                           on_measuring=self._report, keep=self.job.keep_prepared_audio,
                                           slots=self._audio_slots)  # fmt: skip
            self._audio.start()
        return self._audio

    def wait_for(self, index: int, max_behind: int) -> None:
        """Block the caller while this encode is more than ``max_behind`` frames short of ``index``.

        Only a running encode holds anyone back, and only for frames it can reach: a frame
        beyond a gap, or a frame that fills one, is never held, however large the backlog.
        Nor while a try started again (after a restart, a takeover, a dead ffmpeg) feeds what
        the spool already held: the client has no part in that backlog.
        """
        while self._holds_back(index, max_behind):
            self._fed_one.wait()

    def _holds_back(self, index: int, max_behind: int) -> bool:
        """Whether the ack of frame ``index`` waits now. Queued for a slot, a session holds its
        client once a segment and ``max_behind`` frames wait in the spool: every frame sent while it
        waits is only stored, and the spool would grow for as long as the wait lasts. A stopped
        encode holds nobody (a cancel while queued leaves the stage as it was)."""
        if self._stopped:
            return False
        if self.holds_slot:
            if self._fed <= self._replaying_until:
                return False
            position, allowance = self._fed, max_behind
        elif self._stage == EncoderStage.QUEUED:
            position, allowance = self._next, self.job.segment_frames + max_behind
        else:
            return False
        return index - position > allowance and self.job.frames.run_end(position) >= index

    @property
    def finishing(self) -> bool:
        """Its input has ended: it will finish by itself."""
        return self._finish is not None

    def stop(self) -> None:
        """Stop now: end the greenlet (which gives the slot back), kill ffmpeg, report nothing.

        The greenlet goes first: killing ffmpeg waits for its exit, and a greenlet still alive
        then took the exit for a crash and started a new ffmpeg that nothing would stop. Called
        from that greenlet itself (keeping a segment found the session taken over), it only
        marks the encode stopped: the greenlet ends when the call returns to it."""
        self._stopped = True
        if self._thread is not None and self._thread is not eventlet.getcurrent():
            self._thread.kill()
        if self._process is not None:
            self._process.kill()
        if self._audio is not None:
            self._audio.stop()
        self._fed_one.fire()

    # -- its own greenlet -------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            result = self._encode()
        except _Stopped:
            return
        except EncodeFailed as failure:
            log.warning("session %s: %s (%s)", self.job.session_id, failure.reason, failure.details or "no details")
            result = self._result(False, failure.reason, failure.details)
        except Exception as error:  # noqa: BLE001 - a lost exception would leave the session encoding for ever
            log.exception("session %s: the encode failed", self.job.session_id)
            result = self._result(False, "the server failed while encoding; the error is in its log", repr(error))
        finally:
            self._give_back()
            if self._audio is not None:
                self._audio.stop()  # the encode ended (made, failed, or stopped): so does its audio's preparation
        self._on_finished(result)

    def _encode(self) -> EncoderResult:
        """Segments while frames come, the slot taken for each run of them; then the finish."""
        while not self._all_encoded():
            self._stage = EncoderStage.IDLE
            self._report()
            self._until(lambda: self._next in self.job.frames or self._all_encoded())
            if self._all_encoded():
                break
            self._take_slot()
            self._encode_segments()
            if not self._all_encoded():
                self._give_back()
        prepared = self._prepared_audio()
        self._take_slot()
        self._finish_video(prepared)
        return self._result(True)

    def _encode_segments(self) -> None:
        """Segment after segment while the slot is ours to keep: until one closes for want of
        frames, the input is all encoded, another session waits for a slot, or the next segment's
        first frame is not stored yet (an ffmpeg started for it would get no frame at all if the
        input ended there)."""
        while True:
            closed_early = self._encode_segment()
            if self._all_encoded() or closed_early or self._slots.contended:
                return
            if self._next not in self.job.frames:
                return  # a full segment, and its successor's first frame not here yet: no ffmpeg waits for it

    def _encode_segment(self) -> bool:
        """The segment that starts at ``_next``, tried again from the spool when ffmpeg fails; kept
        once ffmpeg made all of it. Whether it closed early for want of frames."""
        first, restarts = self._next, 0
        while True:
            output = self._new_intermediate()
            attempt = self._encode_once(first, output)
            if attempt.problem is None:
                self._disk_waits = 0
                break
            self._replay = True
            output.unlink(missing_ok=True)
            if out_of_room(output.parent):  # full even without what it wrote: the disk's fault, not ffmpeg's
                self._wait_for_room(output.parent)
                continue
            if self.job.hardware_encoder is not None:
                self._fall_back_to_software(attempt.problem)
                continue
            if restarts >= self.job.max_restarts:
                raise EncodeFailed(f"the encoder failed {restarts + 1} times on one segment (frames from {first})",
                                   attempt.problem)  # fmt: skip
            restarts += 1
            self._restarts += 1
            log.warning("session %s: %s; encoding frames %d to %d again from the spool (restart %d of %d)",
                        self.job.session_id, attempt.problem, first, first + attempt.count - 1, restarts,
                        self.job.max_restarts)  # fmt: skip
        self._keep(Segment(first, attempt.count), output)
        return attempt.closed_early

    def _keep(self, segment: Segment, output: Path) -> None:
        """Hand the finished segment over to be made durable; its frames are then gone from the spool."""
        self._on_segment(SegmentEncoded(self.job.session_id, segment, output))
        if self._stopped:
            raise _Stopped()
        final = self.job.segment_path(segment)
        if not final.exists():
            output.unlink(missing_ok=True)
            raise EncodeFailed("a finished segment could not be kept", f"{output} was not kept as {final}")
        self._segments.append((segment, final))
        self._next = self._frames_encoded = segment.end
        self._report()

    def _encode_once(self, first: int, output: Path) -> _Attempt:
        """One ffmpeg for the segment that starts at ``first``, fed until it is full, the input
        ends, or the next frame is late."""
        self._stage, self._fed = EncoderStage.FEEDING, first
        if self._replay:  # not at every segment: the client's own backlog must still hold its acks
            self._replaying_until, self._replay = self.job.frames.run_end(first), False
        process = self._process = FfmpegProcess(segment_args(self.job, output), self._progressed, self._wake.fire,
                                                takes_input=True, stall_s=self.job.stall_s)  # fmt: skip
        process.start()
        self._report()
        closed_early = False
        try:
            closed_early = self._feed(process, first + self.job.segment_frames)
        except EncoderDied:
            pass  # its exit code and last words say why
        returncode = process.wait()
        count = self._fed - first
        if process.stalled:
            return _Attempt(count, f"ffmpeg showed no progress for {self.job.stall_s:g} s and was stopped", closed_early)
        if returncode != 0:
            return _Attempt(count, f"ffmpeg exited with code {returncode}: {process.last_words()}", closed_early)
        if process.frames != count:
            return _Attempt(count, f"ffmpeg encoded {process.frames} frames of {count}: {process.last_words()}",
                            closed_early)  # fmt: skip
        return _Attempt(count, None, closed_early)

    def _feed(self, process: FfmpegProcess, limit: int) -> bool:
        """Write frames in order up to ``limit``; True when the next one did not come in time."""
        while self._fed < limit and not self._finish_reached():
            if not self._wait_for_next(process):
                process.close_input()
                return True
            if process.exited:
                raise EncoderDied("ffmpeg exited while frames were still to come")
            if self._finish_reached():
                break
            process.write(self._take(self._fed))
            self._fed += 1
            self._fed_one.fire()
        process.close_input()
        return False

    def _wait_for_next(self, process: FfmpegProcess) -> bool:
        """Until the next frame is stored, the input ends or ffmpeg exits; False after ``idle_close_s``
        without any of them. Meanwhile ffmpeg has nothing to do: its silence is no stall."""

        def ready() -> bool:
            return self._fed in self.job.frames or self._finish_reached() or process.exited

        if ready():
            return True
        deadline = None if self.job.idle_close_s is None else time.monotonic() + self.job.idle_close_s
        process.idle = True
        try:
            while not ready():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._wake.wait(remaining)
            return True
        finally:
            process.idle = False

    def _fall_back_to_software(self, problem: str) -> None:
        """A hardware encoder that failed (a driver fault, a device gone, a size it refuses) is not
        tried again: the segment starts over from the spool in software. Not counted as a restart,
        so ``max_restarts`` are left for the software encoder."""
        log.warning("session %s: the hardware encoder %s failed (%s); encoding again from the spool in software",
                    self.job.session_id, self.job.hardware_encoder, problem)
        self.job = dataclasses.replace(self.job, hardware_encoder=None)

    # -- the finish ---------------------------------------------------------------------------------
    def _finish_video(self, prepared: PreparedAudio | None) -> None:
        """The segments joined by stream copy with the audio (normalised when asked) into the output:
        the ``prepared`` audio copied, else the spool's encoded here. A join that fails with the
        prepared audio (a kept file gone bad) is done again with the spool's: it is the source."""
        try:
            self._join(prepared)
        except EncodeFailed as failure:
            if prepared is None:
                raise
            log.warning("session %s: the join failed with the prepared audio (%s); joining with the spool's audio",
                        self.job.session_id, failure.details)  # fmt: skip
            self._join(None)

    def _join(self, prepared: PreparedAudio | None) -> None:
        loudness_filter = None if prepared else self._measure_loudness()
        self._stage = EncoderStage.JOINING
        self._report()
        finish = self._finish
        concat = self._new_intermediate().with_suffix(".ffconcat")  # beside the segments: bare names resolve
        self._when_room(lambda: concat.write_text(concat_list(self._segments, self.job.fps)), concat.parent)
        args = join_args(concat, finish, CODECS[self.job.codec].muxer, loudness_filter, prepared and prepared.path)
        try:
            self._run_to_end(args, "joining the video", writes=finish.output_path)
        except EncodeFailed:
            finish.output_path.unlink(missing_ok=True)
            raise
        finally:
            concat.unlink(missing_ok=True)

    def _prepared_audio(self) -> PreparedAudio | None:
        """The audio encoded while the frames arrived (here, or by a run before a restart), if it fits
        this finish (waited for, without a slot, when it runs; stopped when it still waits for its
        slot); None when the finish must encode the spool's audio itself."""
        finish = self._finish
        if finish.audio_path is None:
            return None
        if self._audio is not None and self._audio.queued:
            self._audio.stop()  # still waiting for an audio slot: the join encodes it sooner than the queue would
        if self._audio is not None and not self._audio.done:
            self._give_back()  # its encode runs: waited for without the slot, which the join takes after
        candidates = [*self.job.prepared_audio, self._audio.result() if self._audio is not None else None]
        fitting = (found for found in candidates if found is not None and found.fits(finish.duration_s, finish.loudness_lufs))
        prepared = next(fitting, None)
        if prepared is None:
            log.info("session %s: no prepared audio fits a video of %.3f s; encoding it in the join",
                     self.job.session_id, finish.duration_s)  # fmt: skip
        return prepared

    def _measure_loudness(self) -> str | None:
        """loudnorm's first pass, when the session asked for a loudness: the linear filter for the join
        (None for silent audio, which stays as it is)."""
        finish = self._finish
        if finish.loudness_lufs is None or finish.audio_path is None:
            return None
        self._stage = EncoderStage.MEASURING
        self._report()
        args = loudness.measure_args(preamble(loglevel="info"), finish.audio_path, finish.duration_s, finish.loudness_lufs)
        process = self._run_to_end(args, "measuring the audio's loudness", lines_kept=loudness.LINES_KEPT)
        try:
            return loudness.filter_from_log(process.errors, finish.loudness_lufs)
        except loudness.LoudnessError as error:
            raise EncodeFailed("the audio's loudness could not be measured", str(error)) from None

    def _run_to_end(self, args: list[str], what: str, writes: Path | None = None,
                    lines_kept: int | None = None) -> FfmpegProcess:  # fmt: skip
        """One ffmpeg of the finish, tried again like a segment's when it dies or stalls. Its file
        (``writes``) is removed after a failure; when the disk is full even without it, it waits for
        room, uncounted (a video too big for the room there is counts: it cannot end by waiting)."""
        tries = self.job.max_restarts + 1
        attempt = 0
        while True:
            extra = {} if lines_kept is None else {"lines_kept": lines_kept}
            process = self._process = FfmpegProcess(args, stall_s=self.job.stall_s, **extra)
            process.start()
            returncode = process.wait()
            if returncode == 0 and not process.stalled:
                self._disk_waits = 0
                return process
            problem = "no progress" if process.stalled else f"exit code {returncode}: {process.last_words()}"
            if writes is not None:
                writes.unlink(missing_ok=True)  # what it wrote may be what fills the disk
                if out_of_room(writes.parent):  # full even without it: waited out, uncounted
                    self._wait_for_room(writes.parent)
                    continue
            attempt += 1
            log.warning("session %s: ffmpeg failed %s (%s), try %d of %d", self.job.session_id, what, problem,
                        attempt, tries)  # fmt: skip
            if attempt == tries:
                raise EncodeFailed(f"ffmpeg failed {tries} times {what}", problem)
            self._restarts += 1

    # -- a full disk ---------------------------------------------------------------------------------
    def _wait_for_room(self, folder: Path) -> None:
        """Until the disk of ``folder`` has room: without the slot (another session's encode may be
        what frees it), the client told (``waiting_for_disk``). The first look comes after a wait
        that doubles with each wait in a row, so an ffmpeg that keeps finding the disk too full is
        not started again and again at once; then every second."""
        stage = self._stage
        self._give_back()
        self._stage = EncoderStage.WAITING_FOR_DISK
        self._report()
        pause = min(DISK_POLL_S * 2**self._disk_waits, DISK_POLL_MAX_S)
        self._disk_waits += 1
        log.warning("session %s: the disk is full; the encode waits for room (%g s, then while full), and goes "
                    "on from the spool", self.job.session_id, pause)  # fmt: skip
        eventlet.sleep(pause)
        while out_of_room(folder):
            eventlet.sleep(DISK_POLL_S)
        log.info("session %s: the disk has room again; the encode goes on", self.job.session_id)
        self._take_slot()
        self._stage = stage
        self._report()

    def _new_intermediate(self) -> Path:
        """A fresh file's name in the segments folder, once that folder could be made."""
        return self._when_room(self.job.new_intermediate, self.job.frame_path(self._next).parent)  # the spool's disk

    def _when_room(self, make: Callable[[], _T], folder: Path) -> _T:
        """``make()`` (a folder, a small file of the finish), done again after a wait for room in
        ``folder`` while it fails for want of room."""
        while True:
            try:
                return make()
            except OSError as error:
                if not disk_full(error):
                    raise
                self._wait_for_room(folder)

    # -- small helpers ------------------------------------------------------------------------------
    def _take_slot(self) -> None:
        if self.holds_slot:
            return
        if not self._slots.try_take():
            self._stage = EncoderStage.QUEUED
            self._report()  # waiting for a free slot: the client sees it
            self._slots.take()
        self.holds_slot = True
        self._fed_one.fire()  # a client held while queued is now held by the feeding instead

    def _give_back(self) -> None:
        if self.holds_slot:
            self.holds_slot = False
            self._slots.give_back()
        self._fed_one.fire()

    def _take(self, index: int) -> bytes:
        data = self._cache.pop(index, None)
        if data is None:
            return self.job.frame_path(index).read_bytes()
        self._cache_bytes -= len(data)
        return data

    def _finish_reached(self) -> bool:
        return self._finish is not None and self._fed >= self._finish.frame_count

    def _all_encoded(self) -> bool:
        return self._finish is not None and self._next >= self._finish.frame_count

    def _until(self, condition: Callable[[], bool]) -> None:
        while not condition():
            self._wake.wait()

    def _progressed(self, frames: int) -> None:
        self._frames_encoded = self._next + frames
        self._report()

    def _report(self) -> None:
        measuring = self._stage == EncoderStage.MEASURING or (self._audio is not None and self._audio.measuring)
        self._on_progress(EncoderProgress(self.job.session_id, self._stage, self._frames_encoded, self._restarts,
                                          measuring))  # fmt: skip

    def _result(self, ok: bool, reason: str | None = None, details: str = "") -> EncoderResult:
        """What the encode came to; it may fail before its input ended (no output file then)."""
        output = self._finish.output_path if self._finish else None
        return EncoderResult(self.job.session_id, ok, self._next, output, time.monotonic() - self._started_at,
                             (details,) if details else (), self._restarts, reason)  # fmt: skip
