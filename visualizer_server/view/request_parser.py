"""Socket payloads to request value objects: the boundary where every payload is checked.

Each parser raises ``ServiceError(invalid_request)`` with a sentence naming the field,
so commands only ever see well-typed, in-range requests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from ..errors import INVALID_REQUEST, ServiceError
from ..model.vo.codec import CODECS, DEFAULT_CODEC
from ..model.vo.requests import (
    AudioChunkRequest,
    ClientRequest,
    EchoRequest,
    EndSessionRequest,
    FrameRequest,
    ResumeSessionRequest,
    SessionRequest,
    StartSessionRequest,
)
from ..model.vo.session import FORMAT_EXTENSIONS, SessionSpec

MISSING = object()
PRIVACY_VALUES = ("private", "unlisted", "public")
VIDEO_FIELDS = {"title": str, "description": str, "tags": list, "category_id": str, "privacy": str,
                "thumbnail_frame": int, "playlist_id": str, "made_for_kids": bool, "publish_at": str}  # fmt: skip
ALPHA_FORMATS = ("rgba", "png")  # the frame formats that carry an alpha plane
LOUDNESS_RANGE = (-40, -5)  # LUFS


def _invalid(message: str) -> ServiceError:
    return ServiceError(INVALID_REQUEST, message)


def _object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise _invalid("the payload must be an object")
    odd = _field_with_bad_text(payload)
    if odd is not None:
        raise _invalid(f"'{odd}' holds text that is not valid Unicode (a lone surrogate): send it as UTF-8 text")
    return payload


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _field_with_bad_text(payload: dict[str, Any]) -> str | None:
    """The name of the first field (``video.description``, ``video.tags``) whose text cannot be UTF-8, or None.

    JSON's ``\\ud800`` escape decodes to a lone surrogate, which no file, log or API can store.
    """
    pending: list[tuple[str, Any]] = [(str(key), value) for key, value in payload.items()]
    while pending:
        name, value = pending.pop()
        if (isinstance(value, str) and not _is_text(value)) or not _is_text(name):
            return name.encode("utf-8", "backslashreplace").decode()
        if isinstance(value, dict):
            pending.extend((f"{name}.{key}", item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((name, item) for item in value)
    return None


def _int(payload: dict, name: str, low: int, high: int | None = None, default: Any = MISSING) -> Any:
    value = payload.get(name, MISSING)
    if value is MISSING and default is not MISSING:
        return default
    # bool is an int in Python; a JSON true is not a number.
    if value is MISSING or isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"'{name}' must be an integer")
    if value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise _invalid(f"'{name}' must be {bound}, got {value}")
    return value


def _text(payload: dict, name: str) -> str:
    value = payload.get(name, MISSING)
    if not isinstance(value, str) or not value:
        raise _invalid(f"'{name}' must be a non-empty string")
    return value


def _binary(payload: dict, name: str) -> bytes:
    value = payload.get(name, MISSING)
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise _invalid(f"'{name}' must be binary data (an ArrayBuffer, Blob or bytes), not {type(value).__name__}")
    return bytes(value)


def _even_dimension(payload: dict, name: str, high: int) -> int:
    value = _int(payload, name, 16, high)
    if value % 2:
        raise _invalid(f"'{name}' must be even (H.264 yuv420p needs even sizes), got {value}")
    return value


def _audio(payload: dict) -> tuple[str | None, int | None]:
    audio = payload.get("audio", MISSING)
    if audio is MISSING:
        return None, None
    audio = _object(audio)
    return _text(audio, "filename"), _int(audio, "size", 1)


def _video(payload: dict) -> dict[str, Any]:
    video = payload.get("video", MISSING)
    if video is MISSING:
        return {}
    video = _object(video)
    for name, value in video.items():
        expected = VIDEO_FIELDS.get(name)
        if expected is None:
            raise _invalid(f"'video.{name}' is not a known field; use {', '.join(VIDEO_FIELDS)}")
        if not isinstance(value, expected):
            raise _invalid(f"'video.{name}' must be a {expected.__name__}")
    _check_youtube_rules(video)
    checked = dict(video)
    if "publish_at" in checked:
        checked["publish_at"] = _publish_time(checked)
    return checked


def _check_youtube_rules(video: dict[str, Any]) -> None:
    """YouTube's own limits, checked before any frame is sent rather than after the render."""
    title = video.get("title")
    if title is not None and not (1 <= len(title) <= 100 and "<" not in title and ">" not in title):
        raise _invalid("'video.title' must be 1 to 100 characters, without < or >")
    if len(video.get("description", "").encode()) > 5000:
        raise _invalid("'video.description' must be at most 5000 bytes")
    tags = video.get("tags", [])
    if not all(isinstance(tag, str) for tag in tags) or sum(len(tag) for tag in tags) > 500:
        raise _invalid("'video.tags' must be strings, at most 500 characters in all")
    if not video.get("category_id", "10").isdigit():
        raise _invalid("'video.category_id' must be a YouTube category number, e.g. \"10\" (Music)")
    thumbnail = video.get("thumbnail_frame", 0)
    if isinstance(thumbnail, bool) or thumbnail < 0:
        raise _invalid("'video.thumbnail_frame' must be a frame index (0 or more)")
    if video.get("privacy", "private") not in PRIVACY_VALUES:  # a str by now, so hashable
        raise _invalid(f"'video.privacy' must be one of {', '.join(PRIVACY_VALUES)}")


def _publish_time(video: dict[str, Any]) -> str:
    """``publish_at`` as YouTube takes it (UTC, ``Z``); YouTube schedules only private videos."""
    try:
        when = dt.datetime.fromisoformat(video["publish_at"].replace("Z", "+00:00"))
    except ValueError:
        raise _invalid("'video.publish_at' must be an ISO 8601 time, e.g. \"2030-01-31T18:00:00Z\"") from None
    if when.tzinfo is None:
        raise _invalid("'video.publish_at' must say its time zone (Z or +hh:mm)")
    if when <= dt.datetime.now(dt.timezone.utc):
        raise _invalid("'video.publish_at' must be in the future")
    if video.get("privacy", "private") != "private":
        raise _invalid("'video.publish_at' needs 'video.privacy' private: YouTube makes the video public at that time")
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _codec(payload: dict, image_format: str) -> tuple[str, bool]:
    """The codec and whether the alpha plane is kept: only VP9 and ProRes 4444 carry one, from rgba or png."""
    codec = payload.get("codec", DEFAULT_CODEC)
    if not isinstance(codec, str) or codec not in CODECS:
        raise _invalid(f"'codec' must be one of {', '.join(CODECS)}")
    alpha = payload.get("alpha", False)
    if not isinstance(alpha, bool):
        raise _invalid("'alpha' must be true or false")
    if alpha and not CODECS[codec].keeps_alpha:
        keeping = " or ".join(name for name, known in CODECS.items() if known.keeps_alpha)
        raise _invalid(f"'alpha' needs 'codec' {keeping}: {codec} has no alpha plane")
    if alpha and image_format not in ALPHA_FORMATS:
        raise _invalid(f"'alpha' needs 'format' rgba or png: {image_format} frames have no alpha plane")
    return codec, alpha


def _loudness(payload: dict) -> float | None:
    value = payload.get("loudness_lufs", MISSING)
    if value is MISSING:
        return None
    low, high = LOUDNESS_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise _invalid(f"'loudness_lufs' must be a number from {low} to {high} (LUFS; YouTube plays music at about -14)")
    return float(value)


def _upload(payload: dict) -> bool | None:
    value = payload.get("upload", MISSING)
    if value is MISSING:
        return None
    if not isinstance(value, bool):
        raise _invalid("'upload' must be true or false")
    return value


def parse_echo(sid: str, payload: Any) -> EchoRequest:
    """The echo answers any payload; only a string is kept (``str()`` of 60 MiB of bytes took 2 s and 240 MB)."""
    return EchoRequest(sid, text=payload if isinstance(payload, str) else "")


def parse_start_session(sid: str, payload: Any) -> StartSessionRequest:
    payload = _object(payload)
    image_format = payload.get("format", MISSING)
    if not isinstance(image_format, str) or image_format not in FORMAT_EXTENSIONS:
        raise _invalid(f"'format' must be one of {', '.join(FORMAT_EXTENSIONS)}")
    audio_filename, audio_size = _audio(payload)
    codec, alpha = _codec(payload, image_format)
    spec = SessionSpec(
        width=_even_dimension(payload, "width", 7680),
        height=_even_dimension(payload, "height", 4320),
        fps=_int(payload, "fps", 1, 120, default=30),
        format=image_format,
        frame_count=_int(payload, "frame_count", 1, default=None),
        audio_filename=audio_filename,
        audio_size=audio_size,
        video=_video(payload),
        upload=_upload(payload),
        codec=codec,
        alpha=alpha,
        loudness_lufs=_loudness(payload),
    )
    return StartSessionRequest(sid, spec=spec)


def parse_session(sid: str, payload: Any) -> SessionRequest:
    return SessionRequest(sid, session_id=_text(_object(payload), "session_id"))


def parse_frame(sid: str, payload: Any) -> FrameRequest:
    payload = _object(payload)
    return FrameRequest(
        sid, session_id=_text(payload, "session_id"), index=_int(payload, "index", 0), data=_binary(payload, "data")
    )


def parse_audio_chunk(sid: str, payload: Any) -> AudioChunkRequest:
    payload = _object(payload)
    return AudioChunkRequest(
        sid, session_id=_text(payload, "session_id"), offset=_int(payload, "offset", 0), data=_binary(payload, "data")
    )


def parse_end_session(sid: str, payload: Any) -> EndSessionRequest:
    payload = _object(payload)
    return EndSessionRequest(
        sid, session_id=_text(payload, "session_id"), frame_count=_int(payload, "frame_count", 1)
    )


def parse_resume_session(sid: str, payload: Any) -> ResumeSessionRequest:
    payload = _object(payload)
    return ResumeSessionRequest(
        sid, session_id=_text(payload, "session_id"), resume_token=_text(payload, "resume_token")
    )


Parser = Callable[[str, Any], ClientRequest]
