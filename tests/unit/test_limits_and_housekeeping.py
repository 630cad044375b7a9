"""Limits (sessions, frames, disk, encoder slots, event rate) and housekeeping (expiry, retention)."""

import dataclasses
import os
import time

import pytest

from visualizer_server import notifications as n
from visualizer_server.controller.receive_frame_command import ReceiveFrameCommand
from visualizer_server.controller.start_session_command import StartSessionCommand
from visualizer_server.controller.sweep_command import SweepCommand
from visualizer_server.model.vo.requests import FrameRequest, StartSessionRequest
from visualizer_server.model.vo.session import SessionSpec
from visualizer_server.view.components.transport.rate_limiter import RateLimiter

from .conftest import rgba


def _limited(core, **limits):
    core.settings = dataclasses.replace(core.settings, **limits)
    core.proxies()


def _start(core, sid="sid-1", **spec):
    request = StartSessionRequest(sid, spec=SessionSpec(**{"width": 64, "height": 32, "fps": 10, "format": "rgba", **spec}))
    core.facade.send_notification(n.START_SESSION, request)
    return request.reply.to_ack()


def test_session_limits_in_all_and_per_connection(core):
    core.command(n.START_SESSION, StartSessionCommand)
    _limited(core, max_sessions=3, max_sessions_per_connection=2)
    assert _start(core)["ok"] and _start(core)["ok"]
    assert _start(core)["error"]["code"] == "limit_exceeded"
    assert _start(core, sid="sid-2")["ok"]
    refused = _start(core, sid="sid-3")
    assert refused["error"]["code"] == "limit_exceeded" and "maximum of 3" in refused["error"]["message"]


def test_sessions_are_capped_per_client_address_across_its_connections(core):
    """One client with many connections cannot fill the server: its address has a cap of its own."""
    from visualizer_server.model.client_addresses_proxy import ClientAddressesProxy

    core.command(n.START_SESSION, StartSessionCommand)
    _limited(core, max_sessions=32, max_sessions_per_connection=4, max_sessions_per_address=3)
    addresses: ClientAddressesProxy = core.facade.retrieve_proxy(ClientAddressesProxy.NAME)
    for sid in ("a-1", "a-2", "a-3"):
        addresses.remember(sid, "127.0.0.5")
    addresses.remember("b-1", "127.0.0.6")
    assert _start(core, sid="a-1")["ok"] and _start(core, sid="a-2")["ok"] and _start(core, sid="a-1")["ok"]
    refused = _start(core, sid="a-3")  # a fresh connection, the same address
    assert refused["error"]["code"] == "limit_exceeded" and "your address already has 3" in refused["error"]["message"]
    addresses.forget("a-1")  # its sessions keep counting after the connection is gone
    assert _start(core, sid="a-3")["error"]["code"] == "limit_exceeded"
    assert _start(core, sid="b-1")["ok"]


def test_frame_count_and_index_limits(core):
    core.command(n.START_SESSION, StartSessionCommand)
    core.command(n.RECEIVE_FRAME, ReceiveFrameCommand)
    _limited(core, max_frames_per_session=10)
    assert _start(core, frame_count=11)["error"]["code"] == "limit_exceeded"
    session = core.sessions.find(_start(core)["session_id"])
    request = FrameRequest("sid-1", session_id=session.id, index=10, data=rgba())
    core.facade.send_notification(n.RECEIVE_FRAME, request)
    assert request.reply.to_ack()["error"]["code"] == "limit_exceeded"


def test_a_full_disk_refuses_new_work_before_writing(core):
    core.command(n.START_SESSION, StartSessionCommand)
    core.command(n.RECEIVE_FRAME, ReceiveFrameCommand)
    _limited(core, min_free_disk_bytes=2**62)  # more than any disk has free
    session = core.session()
    request = FrameRequest("sid-1", session_id=session.id, index=0, data=rgba())
    core.facade.send_notification(n.RECEIVE_FRAME, request)
    assert request.reply.to_ack()["error"]["code"] == "server_busy"
    assert not core.frames.frame_path(session, 0).exists()
    assert _start(core)["error"]["code"] == "server_busy"


def test_finished_sessions_do_not_count_against_the_connection(core):
    core.command(n.START_SESSION, StartSessionCommand)
    _limited(core, max_sessions_per_connection=2)
    for _ in range(6):  # six renders in a row on one connection, as the test page does
        ack = _start(core)
        assert ack["ok"], ack
        core.sessions.transition(core.sessions.find(ack["session_id"]), "cancel")
    assert _start(core)["ok"] and _start(core)["ok"]
    assert _start(core)["error"]["code"] == "limit_exceeded"


def test_idle_sessions_expire_old_videos_and_orphans_go(core):
    core.command(n.SWEEP, SweepCommand)
    _limited(core, idle_timeout_s=60, video_retention_s=3600)
    spy = core.spy(n.SESSION_CHANGED)
    idle, busy, ended, old = core.session(), core.session(), core.session(), core.session()
    idle.last_activity_at = ended.last_activity_at = time.time() - 120
    ended.state = "encoding"
    old.state = "done"
    video = core.videos.video_path(old.id, "mp4")
    video.write_bytes(b"mp4")
    os.utime(video, (time.time() - 7200, time.time() - 7200))
    orphan, fresh = core.settings.work_dir / ("e" * 32), core.settings.work_dir / ("f" * 32)
    (orphan / "frames").mkdir(parents=True)
    fresh.mkdir()  # another node may be making this one right now
    os.utime(orphan, (time.time() - 120, time.time() - 120))
    core.facade.send_notification(n.SWEEP)
    [expiry] = [change for change in spy.bodies(n.SESSION_CHANGED) if change.event == "expire"]
    assert expiry.session_id == idle.id and idle.error["code"] == "expired"
    assert core.sessions.find(busy.id) and core.sessions.find(ended.id)
    assert not video.exists() and core.sessions.find(old.id) is None
    assert not orphan.exists() and fresh.exists()


@pytest.mark.parametrize("events, allowed", [(5, 5), (8, 5)])
def test_rate_limiter_allows_a_burst_then_the_rate(events, allowed):
    now = [0.0]
    limiter = RateLimiter(5, clock=lambda: now[0])
    assert sum(limiter.allow("a") for _ in range(events)) == allowed
    assert limiter.allow("b")
    now[0] += 0.4  # two tokens come back
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
