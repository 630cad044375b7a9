"""The session lifecycle table, and the one place that moves a session through it."""

import json

import pytest

from visualizer_server import notifications as n
from visualizer_server.errors import ServiceError
from visualizer_server.model.vo import lifecycle as life


@pytest.mark.parametrize("path, final", [
    (["end", "encoded", "built"], "done"),
    (["end", "encoded", "upload", "uploaded"], "done"),
    (["end", "encoded", "upload", "fail"], "failed"),
    (["expire"], "expired"),
    (["end", "cancel"], "cancelled"),
    (["restart", "end", "restart", "encoded", "restart"], "encoding"),
])  # fmt: skip
def test_legal_paths(path, final):
    state = life.RECEIVING
    for event in path:
        state = life.next_state(state, event)
    assert state == final


@pytest.mark.parametrize("state, event", [
    ("receiving", "encoded"), ("encoding", "end"), ("uploading", "expire"), ("encoding", "expire"),
    ("done", "cancel"), ("failed", "restart"), ("cancelled", "fail"), ("expired", "end"), ("muxing", "uploaded"),
])  # fmt: skip
def test_anything_else_is_a_conflict(state, event):
    with pytest.raises(ServiceError) as refused:
        life.next_state(state, event)
    assert refused.value.code == "conflict" and state in refused.value.message


def test_resume_keeps_every_state_and_stages_are_the_contracts_six():
    for state in (*life.LIVE_STATES, *life.FINAL_STATES):
        assert life.next_state(state, life.RESUME) == state
    stages = {life.stage(state) for state in (*life.LIVE_STATES, *life.FINAL_STATES)}
    assert stages == {"receiving", "encoding", "uploading", "done", "failed", "cancelled"}


def test_a_transition_saves_the_manifest_and_is_announced(core):
    core.proxies()
    spy = core.spy(n.SESSION_CHANGED)
    session = core.session()
    core.sessions.transition(session, life.END)
    manifest = json.loads((core.settings.work_dir / session.id / "manifest.json").read_text())
    assert manifest["state"] == "encoding" and manifest["last_activity_at"] == session.last_activity_at
    assert [(c.before, c.after, c.event) for c in spy.bodies(n.SESSION_CHANGED)] == [
        (None, "receiving", "create"), ("receiving", "encoding", "end")]
    with pytest.raises(ServiceError):
        core.sessions.transition(session, life.EXPIRE)
    assert session.state == "encoding" and len(spy.bodies(n.SESSION_CHANGED)) == 2
