from visualizer_server import notifications as n
from visualizer_server.controller.receive_audio_command import ReceiveAudioCommand
from visualizer_server.model.vo.requests import AudioChunkRequest


def _chunk(core, session, offset, data):
    request = AudioChunkRequest("sid-1", session_id=session.id, offset=offset, data=data)
    core.facade.send_notification(n.RECEIVE_AUDIO, request)
    return request.reply.to_ack()


def _setup(core, **spec):
    core.command(n.RECEIVE_AUDIO, ReceiveAudioCommand)
    core.proxies()
    return core.session(**spec)


def test_chunks_in_order_overlaps_harmless_gaps_refused(core):
    session = _setup(core, audio_filename="a.wav", audio_size=10)
    assert _chunk(core, session, 0, b"01234") == {"ok": True, "received_bytes": 5}
    assert _chunk(core, session, 3, b"34567") == {"ok": True, "received_bytes": 8}
    gap = _chunk(core, session, 9, b"9")
    assert gap["error"]["code"] == "conflict" and gap["error"]["received_bytes"] == 8
    assert _chunk(core, session, 8, b"89") == {"ok": True, "received_bytes": 10}
    assert core.frames.audio_path(session).read_bytes() == b"0123456789"


def test_bytes_beyond_the_announced_size_or_unannounced_audio_are_refused(core):
    session = _setup(core, audio_filename="a.wav", audio_size=4)
    assert _chunk(core, session, 0, b"12345")["error"]["code"] == "invalid_request"
    silent = core.session()
    assert _chunk(core, silent, 0, b"1")["error"]["code"] == "conflict"


def test_the_chunk_that_completes_the_audio_tells_the_encoder_once(core):
    session = _setup(core, audio_filename="a.wav", audio_size=6, loudness_lufs=-14.0)
    spy = core.spy(n.AUDIO_STORED)
    _chunk(core, session, 0, b"0123")
    assert spy.bodies(n.AUDIO_STORED) == [], "not before every byte is in"
    _chunk(core, session, 4, b"45")
    _chunk(core, session, 2, b"2345")  # a resend of stored bytes: harmless, and no second notice
    stored = spy.bodies(n.AUDIO_STORED)
    assert [(body.path, body.loudness_lufs) for body in stored] == [(core.frames.audio_path(session), -14.0)]
