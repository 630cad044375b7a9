"""The session record: what a client asked for and how far the pipeline has got."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from .codec import CODECS, DEFAULT_CODEC
from .index_ranges import IndexRanges
from .processing_messages import ProcessingStatus
from .lifecycle import FINAL_STATES, State, stage

# Room above a raw frame's size for a PNG that compresses worse than raw.
FRAME_HEADROOM_BYTES = 64 * 1024
# h264: one access unit of a stream the client encoded (Annex B), copied into the video as it is.
FORMAT_EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp", "rgba": "rgba", "h264": "h264"}


@dataclasses.dataclass(frozen=True)
class SessionSpec:
    """What ``start_session`` asked for; never changes afterwards."""

    width: int
    height: int
    fps: int
    format: str
    frame_count: int | None = None
    audio_filename: str | None = None
    audio_size: int | None = None
    video: dict[str, Any] = dataclasses.field(default_factory=dict)
    upload: bool | None = None  # None: not asked; StartSessionCommand settles the default
    codec: str = DEFAULT_CODEC
    alpha: bool = False  # keep the frames' alpha plane (vp9 or prores only)
    loudness_lufs: float | None = None  # normalise the audio to this integrated loudness (EBU R128)

    @property
    def frame_extension(self) -> str:
        return FORMAT_EXTENSIONS[self.format]

    @property
    def video_extension(self) -> str:
        """The finished video's extension: its container follows the codec (mp4, webm, mov)."""
        return CODECS[self.codec].extension

    @property
    def raw_frame_bytes(self) -> int:
        return self.width * self.height * 4

    def max_frame_bytes(self, server_limit: int) -> int:
        """The largest frame this session accepts: exact for rgba, raw size plus headroom otherwise."""
        if self.format == "rgba":
            return self.raw_frame_bytes
        return min(server_limit, self.raw_frame_bytes + FRAME_HEADROOM_BYTES)


@dataclasses.dataclass
class Session:
    """One session's record. Its ``state`` changes only through ``SessionProxy.transition``;
    the counters here are progress, not life: they never decide what happens next."""

    id: str
    resume_token: str
    spec: SessionSpec
    owner_sid: str | None
    created_at: float
    state: State = State.RECEIVING
    frames_received: IndexRanges = dataclasses.field(default_factory=IndexRanges)
    audio_received_bytes: int = 0
    frame_count: int | None = None
    frames_encoded: int = 0
    encoder_restarts: int = 0
    waiting_for_encoder: bool = False
    waiting_for_disk: bool = False  # the encode found the server's disk full and waits for room
    measuring_loudness: bool = False  # the first of loudnorm's two passes is running
    error: dict[str, Any] | None = None
    last_progress_at: float = 0.0
    progress_due: bool = False  # a report held back by the quarter-second limit is to be sent
    progress_timer: bool = False  # a timer will send it (one at a time, however many reports are held)
    last_activity_at: float = dataclasses.field(default_factory=time.time)
    bytes_uploaded: int = 0
    upload_total_bytes: int = 0
    upload_uri: str | None = None  # the YouTube upload session, saved so a restart continues it
    client_address: str | None = None  # where the client that started it connected from; not saved (a cap, not a fact)
    video_id: str | None = None
    youtube_processing: dict[str, Any] | None = None  # status (watching until known), reason, since (upload time)
    fence: int = 0  # the fencing number of this node's claim (a cluster only; 0 alone)
    segments: list[list[int]] = dataclasses.field(default_factory=list)  # [first, count] of each finished segment
    unsaved: bool = False  # a full disk kept its manifest from being written: written at the next chance (not saved)

    def touch(self) -> None:
        """Its client did something: the idle timeout starts again."""
        self.last_activity_at = time.time()

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def awaits_processing(self) -> bool:
        """Uploaded, and YouTube has not said yet how its processing went."""
        return (self.youtube_processing or {}).get("status") == ProcessingStatus.WATCHING

    @property
    def takes_input(self) -> bool:
        """Frames and audio are taken only until ``end_session``."""
        return self.state == State.RECEIVING

    @property
    def total_frames(self) -> int | None:
        """The frame count once known: announced at start or given by ``end_session``."""
        return self.frame_count if self.frame_count is not None else self.spec.frame_count

    @property
    def percent(self) -> float:
        """Progress of the current stage, 0 to 100."""
        total = self.total_frames
        if self.state == State.DONE:
            return 100.0
        if self.state == State.UPLOADING and self.upload_total_bytes:
            return round(100.0 * self.bytes_uploaded / self.upload_total_bytes, 1)
        if not total:
            return 0.0
        done = len(self.frames_received) if self.state == State.RECEIVING else self.frames_encoded
        return round(min(100.0, 100.0 * done / total), 1)

    def counts(self) -> dict[str, Any]:
        """The counters every progress event and status answer carries."""
        return {
            "session_id": self.id,
            "stage": stage(self.state),
            "percent": self.percent,
            "frames_received": len(self.frames_received),
            "frames_encoded": self.frames_encoded,
            "bytes_uploaded": self.bytes_uploaded,
            "waiting_for_encoder": self.waiting_for_encoder,
            "waiting_for_disk": self.waiting_for_disk,
            "measuring_loudness": self.measuring_loudness,
        }

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> "Session":
        """A session as a previous run left it; nobody owns it until it is resumed."""
        state = State(manifest["state"])
        if state == State.RECEIVING and manifest.get("ended"):
            state = State.ENCODING  # a manifest of version 0.1, which kept "ended" apart from the state
        return cls(
            id=manifest["id"],
            resume_token=manifest["resume_token"],
            spec=SessionSpec(**manifest["spec"]),
            owner_sid=None,
            created_at=manifest["created_at"],
            state=state,
            frame_count=manifest["frame_count"],
            error=manifest["error"],
            last_activity_at=manifest.get("last_activity_at", manifest["created_at"]),
            upload_uri=manifest.get("upload_uri"),
            video_id=manifest.get("video_id"),
            youtube_processing=manifest.get("youtube_processing"),
            fence=manifest.get("fence", 0),
            segments=manifest.get("segments", []),
        )

    def manifest(self) -> dict[str, Any]:
        """What survives a restart; frames are found again in the spool, not here."""
        return {
            "id": self.id,
            "resume_token": self.resume_token,
            "spec": dataclasses.asdict(self.spec),
            "created_at": self.created_at,
            "state": self.state,
            "frame_count": self.frame_count,
            "error": self.error,
            "last_activity_at": self.last_activity_at,
            "upload_uri": self.upload_uri,
            "video_id": self.video_id,
            "youtube_processing": self.youtube_processing,
            "fence": self.fence,
            "segments": self.segments,
        }
