"""A session's life as one table: which event moves which state where.

Like a tus or S3 multipart upload, the states and their transitions *are* the protocol;
everything a session does (take an encoder, upload, remove files) follows from entering a
state, decided in one place (``SuperviseSessionCommand``) and done by ``BuildVideoCommand``,
``UploadCommand`` and ``CleanupCommand``. Anything not in the table is refused
with ``conflict``.

    receiving --end--> encoding --encoded--> muxing --built--> done
                                                    --upload--> uploading --uploaded--> done
    receiving, encoding, muxing, uploading --fail--> failed
                                           --cancel--> cancelled
    receiving --expire--> expired
    restart (a new server process takes the session back) and takeover (another node of a
        cluster takes it): receiving -> receiving, encoding/muxing -> encoding (the encode
        starts again from the spool), uploading -> uploading (the upload continues)
    restart: done -> done too, only to watch YouTube's processing of an uploaded video again
    resume (a connection shows the token): every state -> itself
"""

from __future__ import annotations

from ...errors import CONFLICT, ServiceError

# States.
RECEIVING = "receiving"
ENCODING = "encoding"  # every frame is in; the encoder finishes its pass over them
MUXING = "muxing"  # the video stream is complete; the audio is being muxed in
UPLOADING = "uploading"
DONE = "done"
FAILED = "failed"
CANCELLED = "cancelled"
EXPIRED = "expired"
LIVE_STATES = (RECEIVING, ENCODING, MUXING, UPLOADING)
FINAL_STATES = (DONE, FAILED, CANCELLED, EXPIRED)

# Events.
CREATE = "create"
END = "end"
ENCODED = "encoded"
BUILT = "built"
UPLOAD = "upload"
UPLOADED = "uploaded"
FAIL = "fail"
CANCEL = "cancel"
EXPIRE = "expire"
RESTART = "restart"
TAKEOVER = "takeover"
RESUME = "resume"
BACK_TO_WORK = (RESTART, TAKEOVER)  # events after which a session's work starts again on this node

TRANSITIONS: dict[tuple[str, str], str] = {
    (RECEIVING, END): ENCODING,
    (ENCODING, ENCODED): MUXING,
    (MUXING, BUILT): DONE,
    (MUXING, UPLOAD): UPLOADING,
    (UPLOADING, UPLOADED): DONE,
    (RECEIVING, EXPIRE): EXPIRED,
    **{(RECEIVING, event): RECEIVING for event in BACK_TO_WORK},
    **{(ENCODING, event): ENCODING for event in BACK_TO_WORK},
    **{(MUXING, event): ENCODING for event in BACK_TO_WORK},
    **{(UPLOADING, event): UPLOADING for event in BACK_TO_WORK},
    (DONE, RESTART): DONE,
    **{(state, FAIL): FAILED for state in LIVE_STATES},
    **{(state, CANCEL): CANCELLED for state in LIVE_STATES},
    **{(state, RESUME): state for state in (*LIVE_STATES, *FINAL_STATES)},
}

# What a client sees as ``progress.stage``: the contract's six stages.
STAGES = {MUXING: ENCODING, EXPIRED: FAILED}


def next_state(state: str, event: str) -> str:
    """The state ``event`` leads to from ``state``; ``conflict`` when the table has no such move."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise ServiceError(CONFLICT, f"the session is {state}: it cannot {event} now") from None


def stage(state: str) -> str:
    return STAGES.get(state, state)
