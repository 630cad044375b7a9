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
    args = parser.parse_args(argv)
    if not args.client_secrets.is_file():
        print(f"authorize: {args.client_secrets} does not exist; see docs/youtube.md to create it", file=sys.stderr)
        return 2
    flow = InstalledAppFlow.from_client_secrets_file(str(args.client_secrets), scopes=SCOPES)
    # A loopback redirect on a free port: Google's installed-app flow for desktop clients.
    credentials = flow.run_local_server(host="127.0.0.1", port=0, open_browser=not args.no_browser,
                                        authorization_prompt_message="Open this URL to allow uploads: {url}")  # fmt: skip
    store = YouTubeCredentialsProxy(args.token_file)
    store.data = credentials
    store.save()
    print(f"wrote {args.token_file} (mode 0600); start the server with --youtube-token-file {args.token_file}")
    return 0
