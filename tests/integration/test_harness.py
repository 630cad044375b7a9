"""The harness itself: what a test forgets to end is found and ended, and a factory stops what it made."""

from __future__ import annotations

from .client import RecordingClient
from .harness import ServerFactory, Snapshot


def test_a_server_and_a_client_left_running_are_found_and_ended(tmp_path):
    before = Snapshot()
    factory = ServerFactory(tmp_path)
    left = factory()  # as a test that forgot to stop it would
    client = RecordingClient(left.url)
    servers, clients = before.leaks()
    assert servers == [left] and clients == [client]
    assert left.process.poll() is not None and not client.sio.connected  # ended, not only reported
    assert Snapshot().leaks() == ([], [])  # and reported once


def test_a_factory_stops_every_server_it_made_and_then_nothing_leaks(tmp_path):
    before = Snapshot()
    factory = ServerFactory(tmp_path)
    made = [factory(), factory("--log-level", "INFO")]
    factory.stop_all()
    assert all(process.process.poll() is not None for process in made)
    assert before.leaks() == ([], [])
