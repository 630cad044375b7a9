"""Two and three nodes on loopback sharing one work folder, one output folder and a real Redis;
nginx in front where a client must not know the nodes. Faults are real: kill -9 of a node and
of Redis."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from ..conftest import ServerProcess
from ..media import encode_frame, encode_frames, make_wav, probe
from ..processes import wait_until
from .client import RecordingClient
from .cluster_parts import Nginx, RedisServer

W, H, FPS = 320, 180, 30
LEASE_S = 3


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture
def node(start_server, redis_server) -> Callable[..., ServerProcess]:
    """Start a node of the cluster; every node shares the folders and Redis (the harness stops them)."""

    def start(name: str, *args: str, env: dict[str, str] | None = None) -> ServerProcess:
        return start_server("--redis-url", redis_server.url, "--node-name", name, "--lease-ttl-s", str(LEASE_S),
                            "--sweep-interval-s", "1", *args, env=env)  # fmt: skip

    return start


@pytest.fixture
def nginx(tmp_path) -> Iterator[Callable[[list[ServerProcess]], Nginx]]:
    """``nginx(nodes)``: the project's nginx configuration in front of the nodes, stopped after the test."""
    started: list[Nginx] = []

    def start(nodes: list[ServerProcess]) -> Nginx:
        started.append(Nginx(tmp_path / "nginx", [server.url for server in nodes]))
        return started[-1]

    yield start
    for proxy in started:
        proxy.stop()


def _resume(client: RecordingClient, session_id: str, token: str, timeout: float = 30) -> dict[str, Any]:
    """resume_session as a client does it: after ``server_busy``, again once ``retry_after_s`` has passed."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.call("resume_session", {"session_id": session_id, "resume_token": token})
        if answer["ok"] or answer["error"]["code"] != "server_busy" or time.monotonic() > deadline:
            return answer
        time.sleep(answer["error"].get("retry_after_s", 1))  # the server says when to come back


def _health(node: ServerProcess) -> dict[str, Any]:
    with urllib.request.urlopen(node.url + "/healthz", timeout=5) as response:
        return json.load(response)


def _ffmpeg_children(node: ServerProcess) -> list[int]:
    """ffmpeg processes started by this node (the nodes share folders, so command lines do not tell)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == node.process.pid and b"ffmpeg" in cmdline:
            found.append(int(entry.name))
    return found


def _built(nodes: list[ServerProcess], session_id: str) -> int:
    return sum(f"session {session_id}: video ready" in line for node in nodes for line in node.lines)


def _assert_exact(path: Path, count: int, audio: bool) -> None:
    facts = probe(path)
    assert facts.frame_indexes == list(range(count))
    assert facts.video_duration_s == pytest.approx(count / FPS, abs=1e-3)
    assert (facts.audio_codec == "aac") == audio


def test_a_killed_node_s_session_resumes_through_nginx_on_another(node, nginx, tmp_path, connect):
    """Slow (two nodes, nginx, Redis, and a killed holder's lease to lapse): a crash is only shown by one."""
    nodes = [node("a"), node("b")]
    proxy = nginx(nodes)
    audio = make_wav(tmp_path / "tone.wav", 2.0)
    client = connect(proxy.url)
    started = client.start(width=W, height=H, fps=FPS, format="jpeg", audio={"filename": "t.wav", "size": len(audio)})
    session_id = started["session_id"]
    client.send_audio(session_id, audio)
    client.send_frames(session_id, encode_frames(0, 30, W, H))
    holder = next(server for server in nodes if _health(server)["sessions"] == 1)
    survivor = next(server for server in nodes if server is not holder)
    holder.kill()
    client.close()
    # The client comes back through nginx, which now reaches only the survivor.
    client = connect(proxy.url)
    resumed = _resume(client, session_id, started["resume_token"])
    assert resumed["ok"], resumed
    assert resumed["frames_received"] == [[0, 29]] and resumed["audio_received_bytes"] == len(audio)
    client.send_frames(session_id, encode_frames(30, 60, W, H))
    assert client.call("end_session", {"session_id": session_id, "frame_count": 60})["ok"]
    assert client.wait_for("video_ready")["frames"] == 60
    _assert_exact(tmp_path / "output" / f"{session_id}.mp4", 60, audio=True)
    assert _built([survivor], session_id) == 1


def test_a_client_that_moves_takes_its_session_and_the_first_node_lets_go(node, tmp_path, connect):
    # A long lease: the session can only move in time if the first node lets go when asked.
    first, second = node("a", "--lease-ttl-s", "60"), node("b", "--lease-ttl-s", "60")
    client = connect(first.url)
    started = client.start(width=W, height=H, fps=FPS, format="jpeg")
    session_id = started["session_id"]
    client.send_frames(session_id, encode_frames(0, 30, W, H))
    wait_until(lambda: _ffmpeg_children(first), what="the first node's encoder")
    moved = connect(second.url)
    resumed = moved.call("resume_session", {"session_id": session_id, "resume_token": started["resume_token"]})
    if not resumed["ok"]:
        pytest.fail(f"{resumed}\nnode a:\n" + "\n".join(first.lines[-15:]) + "\nnode b:\n" + "\n".join(second.lines[-15:]))
    assert resumed["frames_received"] == [[0, 29]], resumed
    wait_until(lambda: not _ffmpeg_children(first), what="the first node's encoder to stop")
    assert client.send_frame(session_id, 30, encode_frame(30, W, H, "jpeg"))["ok"] is False
    moved.send_frames(session_id, encode_frames(30, 60, W, H))
    assert moved.call("end_session", {"session_id": session_id, "frame_count": 60})["ok"]
    moved.wait_for("video_ready")
    _assert_exact(tmp_path / "output" / f"{session_id}.mp4", 60, audio=False)
    assert _built([first, second], session_id) == 1
    assert _health(first)["sessions"] == 0 and _health(second)["sessions"] == 0


def test_ended_on_one_node_the_video_reaches_the_client_on_another(node, tmp_path, connect):
    first, second = node("a"), node("b")
    client = connect(first.url)
    started = client.start(width=W, height=H, fps=FPS, format="jpeg")
    session_id = started["session_id"]
    client.send_frames(session_id, encode_frames(0, 45, W, H))
    assert client.call("end_session", {"session_id": session_id, "frame_count": 45})["ok"]
    client.close()
    elsewhere = connect(second.url)
    resumed = _resume(elsewhere, session_id, started["resume_token"])
    assert resumed["ok"], resumed
    if resumed["state"] != "done":
        elsewhere.wait_for("video_ready")
    _assert_exact(tmp_path / "output" / f"{session_id}.mp4", 45, audio=False)
    assert _built([first, second], session_id) == 1


def test_redis_killed_and_started_again_mid_session_loses_nothing(node, redis_server, tmp_path, connect):
    server = node("a")
    client = connect(server.url)
    session_id = client.start(width=W, height=H, fps=FPS, format="jpeg")["session_id"]
    client.send_frames(session_id, encode_frames(0, 20, W, H))
    redis_server.kill()
    client.send_frames(session_id, encode_frames(20, 40, W, H))  # frames never need Redis
    wait_until(lambda: _health(server)["redis"] == "down", timeout=LEASE_S * 3, what="the node noticing")
    with urllib.request.urlopen(server.url + "/metrics", timeout=5) as response:
        metrics = response.read().decode()
    assert 'visualizer_redis_up{node="a"} 0.0' in metrics and 'visualizer_frames_received_total{node="a"} 40.0' in metrics
    redis_server.start()
    wait_until(lambda: _health(server)["redis"] == "up", timeout=30, what="the node reconnecting")
    client.send_frames(session_id, encode_frames(40, 60, W, H))
    assert client.call("end_session", {"session_id": session_id, "frame_count": 60})["ok"]
    client.wait_for("video_ready")
    _assert_exact(tmp_path / "output" / f"{session_id}.mp4", 60, audio=False)
    assert any("Redis is unreachable" in line for line in server.lines)


def test_a_takeover_during_the_upload_inserts_the_video_once(node, youtube, tmp_path, connect):
    youtube.faults.pause_at_put = 1
    token_file = tmp_path / "token.json"
    youtube.write_token_file(token_file)
    flags = ["--youtube-token-file", str(token_file), "--youtube-api-endpoint", youtube.endpoint,
             "--youtube-token-uri", youtube.endpoint + "/token", "--youtube-chunk-bytes", str(256 * 1024)]
    env = {"HTTPLIB2_CA_CERTS": str(youtube.cert)}
    first, second = node("a", *flags, env=env), node("b", *flags, env=env)
    client = connect(first.url)
    started = client.start(width=W, height=H, fps=FPS, format="jpeg")
    session_id = started["session_id"]
    client.send_frames(session_id, encode_frames(0, 30, W, H))
    assert client.call("end_session", {"session_id": session_id, "frame_count": 30})["ok"]
    assert youtube.paused.wait(60), "the first chunk never came"
    moved = connect(second.url)
    resumed = moved.call("resume_session", {"session_id": session_id, "resume_token": started["resume_token"]})
    if not resumed["ok"]:
        pytest.fail(f"{resumed}\nnode a:\n" + "\n".join(first.lines[-20:]))
    assert resumed["state"] == "uploading", (resumed, first.lines[-12:], second.lines[-12:])
    youtube.release.set()
    completed = moved.wait_for("upload_complete")
    assert youtube.inserts == 1
    [upload] = youtube.uploads.values()
    assert completed["video_id"] == upload.video_id
    assert bytes(upload.data) == (tmp_path / "output" / f"{session_id}.mp4").read_bytes()


def test_two_nodes_racing_for_one_session_one_wins_the_other_says_conflict(node, tmp_path, connect):
    holder, racers = node("a"), [node("b"), node("c")]
    client = connect(holder.url)
    started = client.start(width=W, height=H, fps=FPS, format="jpeg")
    session_id = started["session_id"]
    client.send_frames(session_id, encode_frames(0, 10, W, H))
    holder.kill()  # its claim lapses only after the lease: the first racer waits for it meanwhile
    client.close()
    clients = [connect(racer.url) for racer in racers]
    answers: list[dict] = [{}, {}]
    barrier = threading.Barrier(2)

    def race(number: int) -> None:
        barrier.wait()
        answers[number] = clients[number].call("resume_session",
                                               {"session_id": session_id, "resume_token": started["resume_token"]})

    threads = [threading.Thread(target=race, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(answer["error"]["code"] if not answer["ok"] else "ok" for answer in answers)
    assert "conflict" in codes and codes != ["conflict", "conflict"], answers
    winner = clients[[answer.get("ok") or answer["error"]["code"] == "server_busy" for answer in answers].index(True)]
    assert _resume(winner, session_id, started["resume_token"])["ok"]
    winner.send_frames(session_id, encode_frames(10, 20, W, H))
    assert winner.call("end_session", {"session_id": session_id, "frame_count": 20})["ok"]
    winner.wait_for("video_ready")
    _assert_exact(tmp_path / "output" / f"{session_id}.mp4", 20, audio=False)
