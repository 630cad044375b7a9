"""What a cluster costs and what it buys, on this machine, with a real redis-server.

    .venv/bin/python benchmarks/cluster.py            # the tables in docs/performance.md
    .venv/bin/python benchmarks/cluster.py --quick    # fewer frames

1. Failover: a session on node a (720p JPEG); a is killed (-9) after 60 frames; the client
   reconnects to node b and resumes as clients do (again after `retry_after_s` while the
   answer is server_busy). Measured: kill -> resumed, kill -> first frame acknowledged by b
   (its encoder starts again from the spool, and the ack waits while it is more than two
   windows behind), and kill -> `video_ready`. The lease is the default 10 s: a dead node's claim lapses within it.
2. Throughput: four sessions in parallel, 720p JPEG, sent as fast as the acks allow, on one
   node alone (no Redis) and on two nodes of a cluster (two sessions each); the same machine,
   so no gain is expected: the figure shows what the cluster's machinery costs.
Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from run import FPS, LISTENING, Process, Scenario, connect, print_table, write_frames  # noqa: E402
from tests.integration.cluster_parts import RedisServer  # noqa: E402

SESSIONS = 4


def start_node(work: Path, redis_url: str | None, name: str) -> Process:
    command = [sys.executable, "-m", "visualizer_server", "--port", "0", "--work-dir", str(work / "spool"),
               "--output-dir", str(work / "videos"), "--log-level", "INFO", "--node-name", name,
               "--max-concurrent-encodes", str(SESSIONS)]  # fmt: skip
    if redis_url:
        command += ["--redis-url", redis_url]
    return Process(command, LISTENING)


def send(client: socketio.Client, session: str, frames: list[bytes], first: int, window: int = 8) -> float:
    """Send frames[first:] with ``window`` in flight; the time the first of them was acknowledged."""
    slots, acked = threading.Semaphore(window), []
    done = threading.Event()
    total = len(frames) - first

    def on_ack(reply: dict) -> None:
        assert reply["ok"], reply
        acked.append(time.perf_counter())
        slots.release()
        if len(acked) == total:
            done.set()

    for index in range(first, len(frames)):
        slots.acquire()
        client.emit("frame", {"session_id": session, "index": index, "data": frames[index]}, callback=on_ack)
    done.wait()
    return acked[0]


def resume(client: socketio.Client, session: str, token: str) -> dict:
    while True:
        answer = client.call("resume_session", {"session_id": session, "resume_token": token}, timeout=60)
        if answer["ok"]:
            return answer
        assert answer["error"]["code"] == "server_busy", answer
        time.sleep(answer["error"].get("retry_after_s", 1))


def failover(frames: list[bytes], work: Path) -> list[str]:
    redis = RedisServer()
    nodes = [start_node(work, redis.url, name) for name in ("a", "b")]
    try:
        first = connect(nodes[0].address)
        ack = first.call("start_session", {"width": 1280, "height": 720, "fps": FPS, "format": "jpeg"})
        session, token = ack["session_id"], ack["resume_token"]
        for index in range(60):
            assert first.call("frame", {"session_id": session, "index": index, "data": frames[index]})["ok"]
        killed = time.perf_counter()
        os.kill(nodes[0].popen.pid, signal.SIGKILL)
        nodes[0].popen.wait()
        first.disconnect()
        ready = threading.Event()
        second = connect(nodes[1].address, ready)
        resumed = resume(second, session, token)
        taken = time.perf_counter()
        first_ack = send(second, session, frames, resumed["frames_received"][0][1] + 1)
        second.call("end_session", {"session_id": session, "frame_count": len(frames)})
        ready.wait(600)
        finished = time.perf_counter()
        second.disconnect()
    finally:
        for node in nodes[1:]:
            node.stop()
        redis.stop()
    return ["kill -9 of the node, lease 10 s", f"{taken - killed:.1f} s", f"{first_ack - killed:.1f} s",
            f"{finished - killed:.1f} s"]  # fmt: skip


def throughput(frames: list[bytes], work: Path, cluster: bool) -> float:
    """Seconds for SESSIONS sessions in parallel, from the first frame to the last video_ready."""
    redis = RedisServer() if cluster else None
    nodes = [start_node(work / name, redis.url if redis else None, name) for name in (("a", "b") if cluster else ("a",))]
    try:
        def one(number: int) -> None:
            ready = threading.Event()
            client = connect(nodes[number % len(nodes)].address, ready)
            ack = client.call("start_session", {"width": 1280, "height": 720, "fps": FPS, "format": "jpeg"})
            send(client, ack["session_id"], frames, 0)
            client.call("end_session", {"session_id": ack["session_id"], "frame_count": len(frames)})
            ready.wait(600)
            client.disconnect()

        threads = [threading.Thread(target=one, args=(number,)) for number in range(SESSIONS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started
    finally:
        for node in nodes:
            node.stop()
        if redis:
            redis.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="90 frames a session instead of 300")
    args = parser.parse_args()
    count = 90 if args.quick else 300
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        write_frames(Scenario("cluster", 1280, 720, "jpeg", count), work / "frames")
        frames = [path.read_bytes() for path in sorted((work / "frames").iterdir())]
        print_table(["failover", "kill -> resumed on the other node", "kill -> first frame acknowledged there",
                     "kill -> video_ready"],
                    [failover(frames, work / "failover")])  # fmt: skip
        alone = throughput(frames, work / "alone", cluster=False)
        pair = throughput(frames, work / "pair", cluster=True)
    print()
    print_table([f"{SESSIONS} sessions of {count} frames 720p JPEG", "seconds", "sessions/minute", "vs one node"], [
        ["one node alone", f"{alone:.1f}", f"{SESSIONS * 60 / alone:.1f}", "1.00x"],
        ["two nodes, one Redis", f"{pair:.1f}", f"{SESSIONS * 60 / pair:.1f}", f"{alone / pair:.2f}x"],
    ])  # fmt: skip


if __name__ == "__main__":
    main()
