"""Copy the page's two browser libraries (and their licences) from node_modules/ into the package.

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
VENDOR_DIR = ROOT / "visualizer_server" / "web" / "vendor"
# name in the package (served at /vendor/<name>) -> file under node_modules/
FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "socket.io.min.js.map": "socket.io-client/dist/socket.io.min.js.map",
    "socket.io-client.LICENSE": "socket.io-client/LICENSE",
    "three.module.min.js": "three/build/three.module.min.js",
    "three.LICENSE": "three/LICENSE",
}


def stale_files() -> list[str]:
    """The vendored names whose bytes differ from node_modules/ (or are missing there or here)."""
    return [name for name, source in FILES.items()
            if not (VENDOR_DIR / name).is_file() or (VENDOR_DIR / name).read_bytes() != (NODE_MODULES / source).read_bytes()]  # fmt: skip


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
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    for name in stale:
        shutil.copyfile(NODE_MODULES / FILES[name], VENDOR_DIR / name)
        print(f"updated {VENDOR_DIR.relative_to(ROOT) / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
