"""``visualizer-client``: the service from a terminal (``ping``, ``send``, and the sessions a ``send`` left).

``send`` notes each session it starts in a small private file (``session_book.py``) until the
session is over, so one interrupted by Ctrl-C, a lost network or a closed terminal can be seen
(``list``, ``status``), finished (``send --resume``) or removed from the server (``cancel``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Callable, Sequence

from tqdm import tqdm

from .folder import FolderError, FrameFolder, describe_gaps, gaps, scan_frames
from .local_encoder import encode_folder
from .sender import SendError, SessionSender, connect, ping
from .server_url import server_url
from .session_book import SessionBook, SessionBookError

DEFAULT_URL = "http://127.0.0.1:3000"
DEFAULT_FPS = 30
INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C


def _parser() -> argparse.ArgumentParser:
    formatter = argparse.ArgumentDefaultsHelpFormatter
    parser = argparse.ArgumentParser(prog="visualizer-client", description="Talk to a visualizer-server.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ping_parser = commands.add_parser("ping", formatter_class=formatter,
                                      help="send the echo, print the reply and the round trip")  # fmt: skip
    ping_parser.add_argument("url", nargs="?", default=DEFAULT_URL, type=server_url,
                             help="the server: http(s)://host:port, or host:port")  # fmt: skip
    _token_argument(ping_parser)
    send = commands.add_parser("send", formatter_class=formatter,
                               help="send a folder of numbered frames (and audio) through one session")  # fmt: skip
    send.add_argument("folder", type=Path, nargs="?",
                      help="folder of numbered images of one format and size: 0001.png, 0002.png ... "
                      "(.png, .jpg or .webp); with --resume, the one the session was started from")  # fmt: skip
    send.add_argument("--server", default=None, type=server_url,
                      help=f"the server: http(s)://host:port, or host:port (default {DEFAULT_URL}; "
                      "with --resume, the session's)")  # fmt: skip
    send.add_argument("--audio", type=Path, help="an audio file to mux in (WAV, MP3, FLAC, Ogg, AAC/M4A)")
    send.add_argument("--fps", type=int, default=None, help=f"frames per second of the video (default {DEFAULT_FPS})")
    send.add_argument("--encode", action="store_true",
                      help="encode the frames to H.264 here and send that (10-100x fewer bytes; the server only muxes)")
    send.add_argument("--allow-gaps", action="store_true",
                      help="send frames whose numbers have gaps (1, 2, 3, 7) one after another instead of refusing")
    send.add_argument("--title", help="YouTube title (with --upload)")
    send.add_argument("--description", help="YouTube description (with --upload)")
    send.add_argument("--privacy", choices=["private", "unlisted", "public"], help="YouTube privacy (server default: private)")
    send.add_argument("--upload", action="store_true", default=None,
                      help="upload to YouTube (the server must have been given YouTube credentials)")
    _token_argument(send)
    send.add_argument("--output", type=Path, help="download the finished video to this file")
    send.add_argument("--resume", metavar="SESSION",
                      help="finish a session an interrupted send left (its id or first characters: see 'list')")
    commands.add_parser("list", help="the sessions earlier sends left unfinished, from the local session file")
    for name, what in (("status", "ask the server how a session left unfinished stands"),
                       ("cancel", "remove a session left unfinished from the server, with its files")):  # fmt: skip
        command = commands.add_parser(name, help=what)
        command.add_argument("session", help="the session's id, or its first characters (see 'list')")
        _token_argument(command)
    return parser


def _token_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--token", help="the server's access token, if it was started with --token "
                        "(default: the one the session was sent with, else none)")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "ping": _ping, "send": _send, "list": _list, "status": _status, "cancel": _cancel,
    }  # fmt: skip
    try:
        return commands[args.command](args)
    except (SendError, FolderError, SessionBookError) as error:
        print(f"visualizer-client: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # outside a session (connecting, encoding locally): nothing to cancel
        print("visualizer-client: interrupted", file=sys.stderr)
        return INTERRUPTED


def _ping(args: argparse.Namespace) -> int:
    reply, seconds = ping(args.url, args.token)
    print(f"{reply} ({seconds * 1000:.1f} ms)")
    return 0


def _send(args: argparse.Namespace) -> int:
    book = SessionBook()
    left = book.find(args.resume) if args.resume else None
    if left:
        args.folder = args.folder or Path(left["folder"])
        args.server = args.server or left["server"]
        args.audio = args.audio or (Path(left["audio"]) if left.get("audio") else None)
        args.fps, args.encode = left["fps"], args.encode or left["encode"]
        args.token = args.token or left.get("token")
    if args.folder is None:
        raise FolderError("send needs the folder of frames (or --resume SESSION)")
    args.server, args.fps = args.server or DEFAULT_URL, args.fps or DEFAULT_FPS
    folder = scan_frames(args.folder, args.allow_gaps)
    missing = gaps(folder.paths)
    if missing:
        print(f"frames {describe_gaps(missing)} are missing from the numbering: sending the "
              f"{len(folder.paths)} frames there are one after another (--allow-gaps)", file=sys.stderr)  # fmt: skip
    if args.audio and not args.audio.is_file():
        raise FolderError(f"{args.audio} does not exist")
    if not args.encode:
        return _send_folder(args, folder, book, left)
    with tempfile.TemporaryDirectory(prefix="visualizer-encode-") as scratch:
        print(f"encoding {len(folder.paths)} frames to H.264 here", file=sys.stderr)
        return _send_folder(args, encode_folder(folder, args.fps, Path(scratch)), book, left)


def _send_folder(args: argparse.Namespace, folder: FrameFolder, book: SessionBook, left: dict[str, Any] | None) -> int:
    video = {key: value for key, value in (("title", args.title), ("description", args.description),
                                           ("privacy", args.privacy)) if value}  # fmt: skip
    total = len(folder.paths)
    print(f"{total} {folder.format} frames of {folder.width}x{folder.height} at {args.fps} fps", file=sys.stderr)
    bars = Bars(total)

    def on_event(name: str, payload: Any) -> None:
        if name == "started":  # from now on the server holds something of ours: note how to get back to it
            book.add({"session_id": payload["session_id"], "resume_token": payload["resume_token"],
                      "window": payload["window"], "server": args.server, "folder": str(args.folder.resolve()),
                      "audio": str(args.audio.resolve()) if args.audio else None, "fps": args.fps,
                      "encode": args.encode, "token": args.token, "pid": os.getpid()})  # fmt: skip
        bars.update(name, payload)

    sender = SessionSender(args.server, args.token, on_event)
    try:
        sender.connect()
        if left:
            book.update(left["session_id"], pid=os.getpid())
            outcome = sender.resume(left, folder, args.audio)
        else:
            outcome = sender.run(folder, args.fps, args.audio, video, args.upload)
    except KeyboardInterrupt:
        bars.close()
        print(_cancel_on_interrupt(sender, book), file=sys.stderr)
        return INTERRUPTED
    except SendError as error:
        bars.close()
        raise _explained(error, args, sender) from None
    finally:
        sender.close()
    bars.close()
    book.remove(outcome.session_id)  # over, one way or the other: nothing left to resume
    url = args.server.rstrip("/") + outcome.video["url"] if outcome.video else None
    if outcome.failure:
        if url:  # the upload failed, the video did not: say where it is
            print(url)
        raise SendError(f"the session failed: {outcome.failure['message']} ({outcome.failure['code']})")
    print(url)
    if outcome.upload and outcome.upload["url"]:
        print(outcome.upload["url"])
    elif outcome.upload:
        print("uploaded to YouTube while the connection was down: its address is in YouTube Studio", file=sys.stderr)
    if args.output:
        _download(url, args.token, args.output)
        print(f"saved {args.output}", file=sys.stderr)
    return 0


def _cancel_on_interrupt(sender: SessionSender, book: SessionBook) -> str:
    """Ctrl-C: tell the server; a second Ctrl-C while it is being told gives up at once."""
    try:
        said = sender.cancel()
    except KeyboardInterrupt:
        said = "interrupted again: the session stays on the server; 'visualizer-client list' shows it"
    if sender.cancelled:
        book.remove(sender.session["session_id"])
    return said


def _explained(error: SendError, args: argparse.Namespace, sender: SessionSender) -> SendError:
    """The server's refusal in the words of this command line, and how to get back to a session left."""
    if error.event == "start_session" and error.code == "invalid_request" and args.upload and "YouTube" in str(error):
        return SendError(f"{args.server} has no YouTube credentials, so it cannot upload: drop --upload "
                         "(or have the server started with --youtube-token-file)")  # fmt: skip
    if sender.session is not None:
        session_id = sender.session["session_id"][:8]
        return SendError(f"{error}; the session stays on the server for now: 'visualizer-client send --resume "
                         f"{session_id}' finishes it, 'visualizer-client cancel {session_id}' removes it")  # fmt: skip
    return error


def _list(args: argparse.Namespace) -> int:
    book = SessionBook()
    entries = book.entries()
    if not entries:
        print(f"no sessions left unfinished ({book.path})", file=sys.stderr)
    for entry in entries:
        left_at = dt.datetime.fromtimestamp(entry["left_at"]).strftime("%Y-%m-%d %H:%M")
        print(f"{entry['session_id']}  {left_at}  {entry['server']}  {entry['folder']}")
    return 0


def _status(args: argparse.Namespace) -> int:
    book = SessionBook()
    entry = book.find(args.session)
    if _still_sending(entry):
        print(f"session {entry['session_id'][:8]} is still being sent by process {entry['pid']}: "
              "its progress bars show how it stands", file=sys.stderr)  # fmt: skip
        return 0
    status = _ask_left(book, entry, args.token, lambda sender: sender.status(entry))
    if status is None:
        return 1
    print(f"{entry['session_id']}: {status['stage']} ({status['state']}), {status['percent']:.0f}%, "
          f"{status['frames_received']} frames received, {status['frames_encoded']} encoded, "
          f"on {entry['server']}")  # fmt: skip
    if status["stage"] in ("done", "failed", "cancelled"):
        book.remove(entry["session_id"])
    return 0


def _cancel(args: argparse.Namespace) -> int:
    book = SessionBook()
    entry = book.find(args.session)

    def cancel(sender: SessionSender) -> str:
        sender.status(entry)  # binds the session to this connection: only its owner may cancel it
        return sender.cancel()

    said = _ask_left(book, entry, args.token, cancel)
    if said is None:
        return 1
    print(said, file=sys.stderr)
    if "removed from the server" not in said:
        return 1
    book.remove(entry["session_id"])
    return 0


def _ask_left(book: SessionBook, entry: dict[str, Any], token: str | None,
              ask: Callable[[SessionSender], Any]) -> Any:  # fmt: skip
    """Connect to the session's server and ``ask``; None (and the entry forgotten) if the server has it no more."""
    sender = SessionSender(entry["server"], token or entry.get("token"), lambda name, payload: None)
    try:
        connect(sender.sio, entry["server"], token or entry.get("token"))
        return ask(sender)
    except SendError as error:
        if error.code != "unknown_session":
            raise
        book.remove(entry["session_id"])
        print(f"{entry['server']} no longer has session {entry['session_id'][:8]} (it ended, was cancelled or "
              "expired): forgotten here too", file=sys.stderr)  # fmt: skip
        return None
    finally:
        sender.close()


def _still_sending(entry: dict[str, Any]) -> bool:
    """Whether the ``send`` that noted the session still runs (then asking would take the session from it)."""
    try:
        os.kill(entry.get("pid", 0), 0)
    except (OSError, OverflowError):
        return False
    return entry.get("pid", 0) not in (0, os.getpid())


def _download(url: str, token: str | None, target: Path) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request) as response, open(target, "wb") as handle:
        while chunk := response.read(1 << 20):
            handle.write(chunk)


class Bars:
    """Sending, encoding, uploading: one bar each, moved by the server's acks and progress events."""

    def __init__(self, total: int) -> None:
        self.sending = tqdm(total=total, desc="sending ", unit="frame", position=0)
        self.encoding = tqdm(total=total, desc="encoding", unit="frame", position=1)
        self.uploading: tqdm | None = None
        self.waiting_for_encoder = self.waiting_for_disk = False  # as the last progress said: each told once

    def update(self, name: str, payload: Any) -> None:
        if name in ("acked", "resumed"):
            done = payload if name == "acked" else sum(b - a + 1 for a, b in payload["frames_received"])
            self.sending.n = done
            self.sending.refresh()
        elif name == "progress":
            self._progress(payload)
        if name == "disconnected":
            tqdm.write("connection lost: reconnecting (Ctrl-C cancels)", file=sys.stderr)
        elif name == "resumed":
            tqdm.write("connection lost and regained: session resumed", file=sys.stderr)

    def _progress(self, payload: dict[str, Any]) -> None:
        self.encoding.n = payload["frames_encoded"]
        self.encoding.refresh()
        waiting_for_encoder, waiting_for_disk = bool(payload.get("waiting_for_encoder")), bool(payload.get("waiting_for_disk"))
        if waiting_for_encoder and not self.waiting_for_encoder:
            tqdm.write("waiting for a free encoder: the server is encoding other sessions; "
                       "the frames sent are kept meanwhile", file=sys.stderr)  # fmt: skip
        if waiting_for_disk and not self.waiting_for_disk:
            tqdm.write("the server's disk is full: its encode waits for room, and frames are sent "
                       "again until they are kept", file=sys.stderr)  # fmt: skip
        self.waiting_for_encoder, self.waiting_for_disk = waiting_for_encoder, waiting_for_disk
        if payload["stage"] == "uploading":
            self.uploading = self.uploading or tqdm(desc="uploading", unit="B", unit_scale=True, position=2)
            self.uploading.n = payload["bytes_uploaded"]
            self.uploading.refresh()

    def close(self) -> None:
        for bar in (self.sending, self.encoding, self.uploading):
            if bar is not None:
                bar.close()
