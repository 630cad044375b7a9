"""Secret files (the YouTube token file, the client's session book): exclusive, private, atomic."""

from __future__ import annotations

import os

from visualizer_server.model.files import write_private_file
from visualizer_server.model.youtube_credentials_proxy import YouTubeCredentialsProxy


def test_a_secret_is_written_private_and_whole(tmp_path):
    target = tmp_path / "token.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_private_file(target, "new secret")
    assert target.read_text() == "new secret" and os.stat(target).st_mode & 0o777 == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["token.json"]  # no .tmp left


def test_a_link_planted_at_the_temporary_name_is_not_written_through(tmp_path):
    victim = tmp_path / "readable-by-others.txt"
    victim.write_text("theirs")
    target = tmp_path / "token.json"
    (tmp_path / "token.json.tmp").symlink_to(victim)
    write_private_file(target, "the refresh token")
    assert victim.read_text() == "theirs"
    assert target.read_text() == "the refresh token" and not target.is_symlink()
    assert os.stat(target).st_mode & 0o777 == 0o600


def test_a_temporary_file_left_by_a_crash_is_replaced(tmp_path):
    stale = tmp_path / "token.json.tmp"
    stale.write_text("half a token")
    os.chmod(stale, 0o666)
    write_private_file(tmp_path / "token.json", "whole")
    assert (tmp_path / "token.json").read_text() == "whole" and not stale.exists()


def test_the_credentials_proxy_saves_through_it(tmp_path):
    class Saved:
        def to_json(self) -> str:
            return '{"refresh_token": "r"}'

    victim = tmp_path / "victim"
    victim.write_text("untouched")
    (tmp_path / "token.json.tmp").symlink_to(victim)
    store = YouTubeCredentialsProxy(tmp_path / "token.json")
    store.data = Saved()
    store.save()
    assert victim.read_text() == "untouched" and (tmp_path / "token.json").read_text() == '{"refresh_token": "r"}'
