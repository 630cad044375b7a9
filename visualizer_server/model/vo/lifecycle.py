"""A session's life as one table: which event moves which state where.

Like a tus or S3 multipart upload, the states and their transitions *are* the protocol;
everything a session does (take an encoder, upload, remove files) follows from entering a
state, decided in one place (``SuperviseSessionCommand``) and done by ``BuildVideoCommand``,
``UploadCommand`` and ``CleanupCommand``. Anything not in the table is refused
with ``conflict``.

``TRANSITIONS`` below is the only description of the lifecycle: docs/architecture.md shows
it as ``transition_table()`` renders it (a test keeps the two the same).
"""

from __future__ import annotations

from enum import StrEnum

from ...errors import CONFLICT, ServiceError


class State(StrEnum):
    """Where a session is; the value is what manifests and the protocol's ``state`` say."""

    RECEIVING = "receiving"
    ENCODING = "encoding"  # every frame is in; the encoder finishes its pass over them
    MUXING = "muxing"  # the video stream is complete; the audio is being muxed in
    UPLOADING = "uploading"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Event(StrEnum):
    """What moves a session; the value is what ``SESSION_CHANGED`` and the logs say."""

    CREATE = "create"
    END = "end"
    ENCODED = "encoded"
    BUILT = "built"
    UPLOAD = "upload"
    UPLOADED = "uploaded"
    FAIL = "fail"
    CANCEL = "cancel"
    EXPIRE = "expire"
    RESTART = "restart"  # a new server process takes the session back
    TAKEOVER = "takeover"  # another node of a cluster takes the session
    RESUME = "resume"  # a connection shows the token: rebinds it, starts nothing


LIVE_STATES = (State.RECEIVING, State.ENCODING, State.MUXING, State.UPLOADING)
FINAL_STATES = (State.DONE, State.FAILED, State.CANCELLED, State.EXPIRED)
BACK_TO_WORK = (Event.RESTART, Event.TAKEOVER)  # events after which a session's work starts again on this node
# The move a full disk refuses (``server_busy``, and the client asks again): ``end`` alone, whose
# saved state is what tells a restart that every frame is in. Every other move happens all the same,
# its manifest written as soon as there is room (the cleanup of a final state saves again once it
# has freed the spool; the sweep tries every sweep), and a ``cancel`` removes the folder, manifest
# and all. A restart before finds the state before, and does the work again from what is left.
ASKED_EVENTS = (Event.END,)

TRANSITIONS: dict[tuple[State, Event], State] = {
    (State.RECEIVING, Event.END): State.ENCODING,
    (State.ENCODING, Event.ENCODED): State.MUXING,
    (State.MUXING, Event.BUILT): State.DONE,
    (State.MUXING, Event.UPLOAD): State.UPLOADING,
    (State.UPLOADING, Event.UPLOADED): State.DONE,
    (State.RECEIVING, Event.EXPIRE): State.EXPIRED,
    # Back to work: the encode starts again from the spool (a mux too), the upload continues.
    **{(State.RECEIVING, event): State.RECEIVING for event in BACK_TO_WORK},
    **{(State.ENCODING, event): State.ENCODING for event in BACK_TO_WORK},
    **{(State.MUXING, event): State.ENCODING for event in BACK_TO_WORK},
    **{(State.UPLOADING, event): State.UPLOADING for event in BACK_TO_WORK},
    # Only to watch YouTube's processing of an uploaded video again (a takeover of a final
    # session moves nothing: it is taken in as it is).
    (State.DONE, Event.RESTART): State.DONE,
    **{(state, Event.FAIL): State.FAILED for state in LIVE_STATES},
    **{(state, Event.CANCEL): State.CANCELLED for state in LIVE_STATES},
    **{(state, Event.RESUME): state for state in State},
}

# What a client sees as ``progress.stage``: the contract's six stages.
STAGES = {State.MUXING: State.ENCODING, State.EXPIRED: State.FAILED}


def next_state(state: State, event: Event) -> State:
    """The state ``event`` leads to from ``state``; ``conflict`` when the table has no such move."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise ServiceError(CONFLICT, f"the session is {state}: it cannot {event} now") from None


def stage(state: State) -> State:
    return STAGES.get(state, state)


def transition_table() -> str:
    """``TRANSITIONS`` as a Markdown table, one row per event, in the order of ``Event``."""
    rows = ["| event | from -> to |", "| --- | --- |"]
    for event in Event:
        if event is Event.CREATE:
            rows.append(f"| `{event}` | (a new session) -> `{State.RECEIVING}` |")
            continue
        moves = [f"`{before}` -> `{after}`" for (before, on), after in TRANSITIONS.items() if on is event]
        rows.append(f"| `{event}` | {', '.join(moves)} |")
    return "\n".join(rows) + "\n"
