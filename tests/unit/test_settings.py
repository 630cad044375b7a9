from pathlib import Path

import pytest

from visualizer_server.settings import describe, load_settings
from visualizer_server.settings_error import SettingsError


def test_flags_beat_environment_beat_file(tmp_path):
    config = tmp_path / "server.toml"
    config.write_text('port = 4000\nwork_dir = "/from/file"\nlog_level = "WARNING"\ntoken = ["a", "b"]\n')
    environ = {"VISUALIZER_CONFIG": str(config), "VISUALIZER_PORT": "5000", "VISUALIZER_WORK_DIR": "/from/env"}
    settings, sources, _ = load_settings(["--work-dir", "/from/flag"], environ)
    assert settings.port == 5000
    assert settings.work_dir == Path("/from/flag")
    assert settings.log_level == "WARNING"
    assert settings.token == ("a", "b")
    described = describe(settings, sources)
    assert described["token"] == {"value": ["***", "***"], "source": f"file {config}"}
    assert described["port"]["source"] == "env VISUALIZER_PORT"
    assert described["work_dir"] == {"value": "/from/flag", "source": "flag --work-dir"}
    assert described["window"] == {"value": 8, "source": "default"}


def test_repeatable_flags_and_booleans():
    settings, _, _ = load_settings(["--cors-origin", "http://a", "--cors-origin", "http://b:8080", "--insecure-no-auth"], {})
    assert settings.cors_origin == ("http://a", "http://b:8080") and settings.insecure_no_auth is True
    settings, _, _ = load_settings([], {"VISUALIZER_INSECURE_NO_AUTH": "no", "VISUALIZER_TOKEN": "x,y"})
    assert settings.insecure_no_auth is False and settings.token == ("x", "y")


@pytest.mark.parametrize(
    "argv, environ, message",
    [
        ([], {"VISUALIZER_PORT": "http"}, "--port must be a whole number, not 'http' (from env VISUALIZER_PORT)"),
        (["--port", "70000"], {}, "--port must be at most 65535; got '70000' from the command line"),
        (["--x264-preset", "sluggishly"], {}, "--x264-preset must be one of ultrafast, superfast, veryfast"),
        (["--log-level", "LOUD"], {}, "--log-level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ([], {"VISUALIZER_LOG_FORMAT": "xml"}, "--log-format must be one of text, json; got 'xml' from env"),
        (["--x264-crf", "60"], {}, "--x264-crf must be at most 51"),
        ([], {"VISUALIZER_HARDWARE_ENCODER": "cuda"}, "--hardware-encoder must be one of auto, off, nvenc, vaapi, qsv"),
        (["--window", "0"], {}, "--window must be at least 1"),
        (["--youtube-chunk-bytes", "300000"], {}, "--youtube-chunk-bytes must be a multiple of 262144"),
        (["--youtube-token-file", "/no/such.json"], {}, "--youtube-token-file names no file; got '/no/such.json' from the command line; run 'visualizer-server authorize"),
        (["--page-dir", "/no/such/folder"], {}, "--page-dir names no folder"),
        (["--cors-origin", "http://a.example/"], {}, "--cors-origin takes origins as scheme://host[:port]"),
        (["--youtube-api-endpoint", "localhost:9"], {}, "--youtube-api-endpoint must be an http:// or https:// URL"),
        (["--insecure-no-auth"], {"VISUALIZER_INSECURE_NO_AUTH": "perhaps"}, None),
        ([], {"VISUALIZER_INSECURE_NO_AUTH": "perhaps"}, "--insecure-no-auth must be true or false"),
        (["--config", "/no/such.toml"], {}, "--config: the config file /no/such.toml does not exist"),
    ],
)
def test_bad_values_are_one_sentence_naming_the_flag(argv, environ, message):
    if message is None:  # the flag wins: the bad environment value is never read
        assert load_settings(argv, environ)[0].insecure_no_auth is True
        return
    with pytest.raises(SettingsError) as raised:
        load_settings(argv, environ)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_log_levels_are_read_in_any_case():
    assert load_settings(["--log-level", "debug"], {})[0].log_level == "DEBUG"


def test_unknown_config_keys_are_refused(tmp_path):
    config = tmp_path / "server.toml"
    config.write_text("prot = 1\n")
    with pytest.raises(SettingsError, match="unknown setting"):
        load_settings(["--config", str(config)], {})


def test_the_admin_ui_credentials_are_checked_whole_and_in_constant_time():
    from visualizer_server.view.components.transport.socket_server import admin_credentials_match

    assert admin_credentials_match("admin", "pw", {"username": "admin", "password": "pw"})
    for offered in ({"username": "admin", "password": "pW"}, {"username": "other", "password": "pw"},
                    {"username": "admin"}, {"username": "admin", "password": 1}, "admin:pw", None,
                    {"username": "admin", "password": "\ud800"}):  # fmt: skip
        assert not admin_credentials_match("admin", "pw", offered)
