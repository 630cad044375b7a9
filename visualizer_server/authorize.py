"""``visualizer-server authorize``: the one-time YouTube consent flow that writes the token file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from google_auth_oauthlib.flow import InstalledAppFlow

from .model.youtube_credentials_proxy import SCOPES, YouTubeCredentialsProxy

DEFAULT_TOKEN_FILE = Path("youtube-token.json")


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="visualizer-server authorize",
        description="Ask Google for permission to upload to your YouTube channel; writes the token file "
        "the server reads with --youtube-token-file.",
    )
    parser.add_argument("--client-secrets", type=Path, required=True,
                        help="the OAuth client (Desktop app) JSON downloaded from the Google Cloud console")  # fmt: skip
    parser.add_argument("--token-file", type=Path, default=DEFAULT_TOKEN_FILE, help=f"default {DEFAULT_TOKEN_FILE}")
    parser.add_argument("--no-browser", action="store_true", help="print the consent URL instead of opening a browser")
    parser.add_argument("--port", type=int, default=0,
                        help="loopback port Google redirects the browser to after consent (default 0: a free one); "
                        "on a headless machine pick one and forward it: ssh -L PORT:127.0.0.1:PORT host")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        flow = _flow(args.client_secrets)
    except ValueError as error:
        print(f"authorize: {error}", file=sys.stderr)
        return 2
    # A loopback redirect: Google's installed-app flow for desktop clients.
    try:
        credentials = flow.run_local_server(host="127.0.0.1", port=args.port, open_browser=not args.no_browser,
                                            authorization_prompt_message="Open this URL to allow uploads: {url}")  # fmt: skip
    except OSError as error:
        print(f"authorize: cannot listen on 127.0.0.1:{args.port} ({error.strerror}); pick another --port", file=sys.stderr)
        return 2
    store = YouTubeCredentialsProxy(args.token_file)
    store.data = credentials
    store.save()
    print(f"wrote {args.token_file} (mode 0600); start the server with --youtube-token-file {args.token_file}")
    return 0


def _flow(client_secrets: Path) -> InstalledAppFlow:
    """The consent flow for this OAuth client, or ``ValueError`` with a sentence saying what the file should be."""
    what = "the OAuth client JSON of a 'Desktop app' client, downloaded from the Google Cloud console (docs/youtube.md)"
    if not client_secrets.is_file():
        raise ValueError(f"{client_secrets} does not exist; --client-secrets takes {what}")
    try:
        return InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=SCOPES)
    except (ValueError, KeyError, TypeError) as error:  # json's errors are ValueErrors; Google's is a bare ValueError
        raise ValueError(f"{client_secrets} is not an OAuth client secret ({error}); --client-secrets takes {what}") from None
