"""Copy the page's and the SDK's browser libraries (and their licences) from node_modules/ into the package.

The wheel carries these copies, so that ``pip install visualizer-server`` serves a working
page with no source tree, no Node.js and no network. npm stays the source of truth: the
versions are pinned by package.json / package-lock.json, and ``make vendor`` runs ``npm ci``
and then this script. ``--check`` (run by the tests) fails when the copies in the package
differ from what the lock file installs, so a version bump cannot be half done.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
WEB_DIR = ROOT / "visualizer_server" / "web"
# path under web/ (vendor/ is served at /vendor/, sdk/vendor/ at /sdk/vendor/) -> file under node_modules/
FILES = {
    "vendor/socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "vendor/socket.io.min.js.map": "socket.io-client/dist/socket.io.min.js.map",
    "vendor/socket.io-client.LICENSE": "socket.io-client/LICENSE",
    # The SDK imports socket.io-client as an ES module, from beside itself, so it loads from any origin.
    "sdk/vendor/socket.io.esm.min.js": "socket.io-client/dist/socket.io.esm.min.js",
    "sdk/vendor/socket.io.esm.min.js.map": "socket.io-client/dist/socket.io.esm.min.js.map",
    "sdk/vendor/socket.io-client.LICENSE": "socket.io-client/LICENSE",
}


def stale_files() -> list[str]:
    """The vendored names whose bytes differ from node_modules/ (or are missing there or here)."""
    return [name for name, source in FILES.items()
            if not (WEB_DIR / name).is_file() or (WEB_DIR / name).read_bytes() != (NODE_MODULES / source).read_bytes()]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a copy is stale")
    args = parser.parse_args()
    missing = [source for source in FILES.values() if not (NODE_MODULES / source).is_file()]
    if missing:
        print(f"{NODE_MODULES / missing[0]} is missing: run 'npm ci' first (or 'make vendor')", file=sys.stderr)
        return 1
    stale = stale_files()
    if args.check:
        if stale:
            print(f"stale vendored files: {', '.join(stale)}; run 'make vendor' and commit the result", file=sys.stderr)
        return 1 if stale else 0
    for name in stale:
        (WEB_DIR / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / FILES[name], WEB_DIR / name)
        print(f"updated {(WEB_DIR / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
