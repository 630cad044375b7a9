"""``visualizer-client ping URL`` and ``visualizer-client send DIR``: the service from a terminal."""

from __future__ import annotations

import argparse
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Sequence

from tqdm import tqdm

from .folder import FolderError, FrameFolder, scan_frames
from .local_encoder import encode_folder
from .sender import SendError, SessionSender, ping

DEFAULT_URL = "http://127.0.0.1:3000"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="visualizer-client", description="Talk to a visualizer-server.")
    commands = parser.add_subparsers(dest="command", required=True)
    ping_parser = commands.add_parser("ping", help="send the echo, print the reply and the round trip")
    ping_parser.add_argument("url", nargs="?", default=DEFAULT_URL)
    ping_parser.add_argument("--token")
    send = commands.add_parser("send", help="send a folder of numbered frames (and audio) through one session")
    send.add_argument("folder", type=Path)
    send.add_argument("--server", default=DEFAULT_URL, help=f"server URL (default {DEFAULT_URL})")
    send.add_argument("--audio", type=Path, help="an audio file to mux in (any format ffmpeg reads)")
    send.add_argument("--fps", type=int, default=30)
    send.add_argument("--encode", action="store_true",
                      help="encode the frames to H.264 here and send that (10-100x fewer bytes; the server only muxes)")
    send.add_argument("--title")
    send.add_argument("--description")
    send.add_argument("--privacy", choices=["private", "unlisted", "public"])
    send.add_argument("--upload", action="store_true", default=None, help="upload to YouTube (server needs credentials)")
    send.add_argument("--token")
    send.add_argument("--output", type=Path, help="download the finished video to this file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _ping(args) if args.command == "ping" else _send(args)
    except (SendError, FolderError) as error:
        print(f"visualizer-client: {error}", file=sys.stderr)
        return 1


def _ping(args: argparse.Namespace) -> int:
    reply, seconds = ping(args.url, args.token)
    print(f"{reply} ({seconds * 1000:.1f} ms)")
    return 0


def _send(args: argparse.Namespace) -> int:
    folder = scan_frames(args.folder)
    if args.audio and not args.audio.is_file():
        raise FolderError(f"{args.audio} does not exist")
    if not args.encode:
        return _send_folder(args, folder)
    with tempfile.TemporaryDirectory(prefix="visualizer-encode-") as scratch:
        print(f"encoding {len(folder.paths)} frames to H.264 here", file=sys.stderr)
        return _send_folder(args, encode_folder(folder, args.fps, Path(scratch)))


def _send_folder(args: argparse.Namespace, folder: FrameFolder) -> int:
    video = {key: value for key, value in (("title", args.title), ("description", args.description),
                                           ("privacy", args.privacy)) if value}  # fmt: skip
    total = len(folder.paths)
    print(f"{total} {folder.format} frames of {folder.width}x{folder.height} at {args.fps} fps", file=sys.stderr)
    bars = Bars(total)
    sender = SessionSender(args.server, args.token, bars.update)
    try:
        sender.connect()
        outcome = sender.run(folder, args.fps, args.audio, video, args.upload)
    except KeyboardInterrupt:
        bars.close()
        print(sender.cancel(), file=sys.stderr)
        return 130
    finally:
        sender.close()
    bars.close()
    if outcome.failure:
        raise SendError(f"the session failed: {outcome.failure['message']} ({outcome.failure['code']})")
    url = args.server.rstrip("/") + outcome.video["url"]
    print(url)
    if outcome.upload and outcome.upload["url"]:
        print(outcome.upload["url"])
    elif outcome.upload:
        print("uploaded to YouTube while the connection was down: its address is in YouTube Studio", file=sys.stderr)
    if args.output:
        _download(url, args.token, args.output)
        print(f"saved {args.output}", file=sys.stderr)
    return 0


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

    def update(self, name: str, payload: Any) -> None:
        if name in ("acked", "resumed"):
            done = payload if name == "acked" else sum(b - a + 1 for a, b in payload["frames_received"])
            self.sending.n = done
            self.sending.refresh()
        elif name == "progress":
            self.encoding.n = payload["frames_encoded"]
            self.encoding.refresh()
            if payload["stage"] == "uploading":
                self.uploading = self.uploading or tqdm(desc="uploading", unit="B", unit_scale=True, position=2)
                self.uploading.n = payload["bytes_uploaded"]
                self.uploading.refresh()
        if name == "disconnected":
            tqdm.write("connection lost: reconnecting (Ctrl-C cancels)", file=sys.stderr)
        elif name == "resumed":
            tqdm.write("connection lost and regained: session resumed", file=sys.stderr)

    def close(self) -> None:
        for bar in (self.sending, self.encoding, self.uploading):
            if bar is not None:
                bar.close()
