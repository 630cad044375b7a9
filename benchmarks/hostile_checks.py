"""What checking a hostile frame costs, against one pass of ``bytes.count`` over the same bytes.

    .venv/bin/python benchmarks/hostile_checks.py          # the table in docs/performance.md

For each frame built to stall a structure check (tests/hostile_media.py) at 8 and 64 MiB: the
check's time (best of three), the same data's single ``bytes.count(b"\\x00\\x00\\x01")`` pass (the
yardstick: C speed over every byte), their ratio, and the longest gap of a ticker greenlet while
the check runs off the loop (``check_frame_off_loop``). The same machine, the same run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile_media import jpeg_of_fill_bytes, png_of_empty_chunks  # noqa: E402
from tests.unit.test_frame_check_off_loop import _check, _longest_stall_while  # noqa: E402

MIB = 1024 * 1024
FRAMES = {
    "JPEG, fill bytes": lambda size: (jpeg_of_fill_bytes(7680, 4320, size), "jpeg"),
    "PNG, empty chunks": lambda size: (png_of_empty_chunks(7680, 4320, size // 12), "png"),
    "H.264, one slice of zeros": lambda size: (b"\x00\x00\x00\x01\x65\x88" + bytes(size), "h264"),
    "H.264, start codes": lambda size: (b"\x00\x00\x01\x65\x88\x84" * (size // 6), "h264"),
}


def _best(work, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    print("| frame | MiB | check (s) | one bytes.count (s) | check / count | loop's longest stall (s) |")
    print("|---|---|---|---|---|---|")
    for name, make in FRAMES.items():
        for size in (8 * MIB, 64 * MIB):
            frame, image_format = make(size)
            check = _check(frame, image_format, 7680, 4320)
            checked = _best(check)
            counted = _best(lambda: frame.count(b"\x00\x00\x01"))
            stall = _longest_stall_while(check)
            print(f"| {name} | {len(frame) // MIB} | {checked:.3f} | {counted:.3f} | {checked / counted:.2f}x "
                  f"| {stall:.3f} |")


if __name__ == "__main__":
    main()
