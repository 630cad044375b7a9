"""File helpers shared by the stores: atomic writes and id-checked paths."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from pathlib import Path
from typing import Iterator

from ..errors import CONFLICT, SERVER_BUSY, ServiceError

SESSION_ID_PATTERN = re.compile(r"[0-9a-f]{32}")
MANIFEST_NAME = "manifest.json"
FENCE_NAME = "fence"  # the fencing number of the node that holds the session (a cluster only)


def new_session_id() -> str:
    """A random, unguessable id; the only thing ever used to name a session's files."""
    return secrets.token_hex(16)


def is_session_id(value: object) -> bool:
    return isinstance(value, str) and SESSION_ID_PATTERN.fullmatch(value) is not None


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` holds either the old content or all of the new.

    The rename is what makes an acknowledged frame survive a crash of the server
    process; a crash mid-write leaves only a ``.tmp`` file, which is ignored. The
    temporary name is unique, so two writers of one path (a resend racing the
    original) never share a half-written file.
    """
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)  # a full disk leaves no half-written file behind
        raise


@contextlib.contextmanager
def busy_when_disk_full() -> Iterator[None]:
    """A write that runs out of space or quota answers ``server_busy``, not ``internal``: the
    caller has kept nothing of it, so the client sends it again later."""
    try:
        yield
    except OSError as error:
        if disk_full(error):
            raise ServiceError(SERVER_BUSY, "the server's disk is full, and nothing of this was kept; "
                                            "send it again later") from None  # fmt: skip
        raise


ROOM_BYTES = 1 << 20  # less free than this, and a file system counts as full


def disk_full(error: OSError) -> bool:
    """Whether a write failed for want of space (or of quota), not for a fault of its own."""
    return error.errno in (errno.ENOSPC, errno.EDQUOT)


def out_of_room(folder: Path) -> bool:
    """Whether the file system that holds ``folder`` is full: no free inode, or under a MiB free.
    An encoder asks after ffmpeg failed: a full disk is waited out, it is not the encoder's fault."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False  # a folder gone (a cancel): whatever failed is not for want of room
    no_inode = stats.f_files > 0 and stats.f_favail == 0  # f_files 0: a file system without an inode limit
    return no_inode or stats.f_bavail * stats.f_frsize < ROOM_BYTES


def read_fence(folder: Path) -> int:
    """The fencing number written in a session's folder by the node that last claimed it (0: none)."""
    try:
        return int((folder / FENCE_NAME).read_text() or 0)
    except (OSError, ValueError):
        return 0


def holds_fence(folder: Path, fence: int) -> bool:
    """Whether the node that claimed the session with ``fence`` still holds it (a cluster only):
    a node that took it since wrote a higher number. 0: no cluster, always."""
    return not fence or read_fence(folder) in (0, fence)


def check_fence(folder: Path, fence: int) -> None:
    """Refuse to write a session's files once another node has taken it."""
    if not holds_fence(folder, fence):
        raise ServiceError(CONFLICT, "another node has taken this session over; resume it to carry on there")


def write_private_file(path: Path, text: str) -> None:
    """Replace ``path`` atomically with ``text``, readable by this user only (a token file, a resume token).

    The temporary ``<name>.tmp`` is created exclusively and never through a link
    (``O_EXCL | O_NOFOLLOW``, mode 0600): a file or symlink planted there by another user
    is removed, never written through, so the secret cannot leak into a file they can read.
    """
    temporary = path.with_name(path.name + ".tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        descriptor = os.open(temporary, flags, 0o600)
    except FileExistsError:  # left by a crash, or planted: unlink removes the link, not its target
        temporary.unlink()
        descriptor = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
