from pathlib import Path

import pytest

from visualizer_server.settings import describe, load_settings


def test_flags_beat_environment_beat_file(tmp_path):
    config = tmp_path / "server.toml"
    config.write_text('port = 4000\nwork_dir = "/from/file"\nlog_level = "WARNING"\ntoken = ["a", "b"]\n')
    environ = {"VISUALIZER_CONFIG": str(config), "VISUALIZER_PORT": "5000", "VISUALIZER_WORK_DIR": "/from/env"}
    settings, _ = load_settings(["--work-dir", "/from/flag"], environ)
    assert settings.port == 5000
    assert settings.work_dir == Path("/from/flag")
    assert settings.log_level == "WARNING"
    assert settings.token == ("a", "b")
    assert describe(settings)["token"] == ["***", "***"]


def test_repeatable_flags_and_booleans():
    settings, _ = load_settings(["--cors-origin", "http://a", "--cors-origin", "http://b", "--insecure-no-auth"], {})
    assert settings.cors_origin == ("http://a", "http://b") and settings.insecure_no_auth is True
    settings, _ = load_settings([], {"VISUALIZER_INSECURE_NO_AUTH": "no", "VISUALIZER_TOKEN": "x,y"})
    assert settings.insecure_no_auth is False and settings.token == ("x", "y")


@pytest.mark.parametrize(
    "argv, environ, message",
    [
        ([], {"VISUALIZER_PORT": "http"}, "setting port"),
        (["--config", "/no/such.toml"], {}, "does not exist"),
    ],
)
def test_bad_values_name_the_setting(argv, environ, message):
    with pytest.raises(SystemExit) as raised:
        load_settings(argv, environ)
    assert message in str(raised.value)


def test_unknown_config_keys_are_refused(tmp_path):
    config = tmp_path / "server.toml"
    config.write_text("prot = 1\n")
    with pytest.raises(SystemExit, match="unknown setting"):
        load_settings(["--config", str(config)], {})
