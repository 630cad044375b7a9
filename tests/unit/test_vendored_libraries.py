"""The browser libraries inside the package are the ones package-lock.json pins."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "refresh_vendor.py"


def test_the_vendored_copies_match_node_modules():
    # node_modules/ comes from `npm ci` (make setup); a bump without `make vendor` fails here.
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
