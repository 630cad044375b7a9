"""The session lifecycle table, and the one place that moves a session through it."""

import json
from pathlib import Path

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
    state = life.State.RECEIVING
    for event in path:
        state = life.next_state(state, life.Event(event))
    assert state == final


@pytest.mark.parametrize("state, event", [
    ("receiving", "encoded"), ("encoding", "end"), ("uploading", "expire"), ("encoding", "expire"),
    ("done", "cancel"), ("failed", "restart"), ("cancelled", "fail"), ("expired", "end"), ("muxing", "uploaded"),
])  # fmt: skip
def test_anything_else_is_a_conflict(state, event):
    with pytest.raises(ServiceError) as refused:
        life.next_state(life.State(state), life.Event(event))
    assert refused.value.code == "conflict" and state in refused.value.message


def test_resume_keeps_every_state_and_stages_are_the_contracts_six():
    for state in (*life.LIVE_STATES, *life.FINAL_STATES):
        assert life.next_state(state, life.Event.RESUME) == state
    stages = {life.stage(state) for state in (*life.LIVE_STATES, *life.FINAL_STATES)}
    assert stages == {"receiving", "encoding", "uploading", "done", "failed", "cancelled"}


def test_a_transition_saves_the_manifest_and_is_announced(core):
    core.proxies()
    spy = core.spy(n.SESSION_CHANGED)
    session = core.session()
    core.sessions.transition(session, life.Event.END)
    manifest = json.loads((core.settings.work_dir / session.id / "manifest.json").read_text())
    assert manifest["state"] == "encoding" and manifest["last_activity_at"] == session.last_activity_at
    assert [(c.before, c.after, c.event) for c in spy.bodies(n.SESSION_CHANGED)] == [
        (None, "receiving", "create"), ("receiving", "encoding", "end")]
    with pytest.raises(ServiceError):
        core.sessions.transition(session, life.Event.EXPIRE)
    assert session.state == "encoding" and len(spy.bodies(n.SESSION_CHANGED)) == 2


def test_states_and_events_keep_the_strings_manifests_and_the_protocol_use():
    assert list(life.State) == ["receiving", "encoding", "muxing", "uploading", "done", "failed", "cancelled", "expired"]
    assert list(life.Event) == ["create", "end", "encoded", "built", "upload", "uploaded", "fail", "cancel", "expire",
                                "restart", "takeover", "resume"]  # fmt: skip
    assert json.dumps({"state": life.State.DONE}) == '{"state": "done"}'
    assert life.next_state(life.State("muxing"), life.Event("restart")) is life.State.ENCODING


def test_a_manifest_read_back_gives_its_state_as_a_state(core):
    core.proxies()
    session = core.session()
    core.sessions.transition(session, life.Event.END)
    reloaded = core.sessions.load(session.id)
    assert reloaded.state is life.State.ENCODING


def test_the_architecture_documents_the_table_as_it_is():
    """docs/architecture.md shows TRANSITIONS, not a copy written by hand: regenerate it when this fails."""
    architecture = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text()
    start = architecture.index("tests/unit/test_lifecycle.py fails when the two differ. -->\n") + len(
        "tests/unit/test_lifecycle.py fails when the two differ. -->\n")
    end = architecture.index("<!-- end of the generated table -->")
    assert architecture[start:end] == life.transition_table(), (
        "paste the output of `python -c 'from visualizer_server.model.vo.lifecycle import transition_table; "
        "print(transition_table(), end=\"\")'` into docs/architecture.md")
