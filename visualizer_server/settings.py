"""The one place where configuration is read: flags, ``VISUALIZER_*`` variables, a TOML file.

Precedence, lowest first: built-in defaults < config file (``--config`` or
``VISUALIZER_CONFIG``) < environment < command-line flags. Every setting has all
three spellings: ``--work-dir``, ``VISUALIZER_WORK_DIR``, ``work_dir = "..."``.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import os
import re
import socket
import tomllib
from pathlib import Path
from typing import Any, Mapping, Sequence

from .settings_error import SettingsError

ENV_PREFIX = "VISUALIZER_"
PAGE_DIR = Path(__file__).resolve().parent / "web"  # package data: the page, its modules, its libraries
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
HARDWARE_ENCODERS = ("auto", "off", "nvenc", "vaapi", "qsv")
ORIGIN = re.compile(r"https?://[^/\s:]+(:\d{1,5})?")
HOST_NAME = re.compile(r"[A-Za-z0-9.-]+|\[?[0-9A-Fa-f:.]+\]?")
DEFAULT = "default"
URL_PASSWORD = re.compile(r"(?<=://)([^/@:]*):[^/@]*@")  # redis://user:password@host
URL_QUERY_PASSWORD = re.compile(r"(?<=[?&]password=)[^&]*")  # redis://host/0?password=... (redis-py takes it too)
# What an empty value would silently have done.
_EMPTY_HINTS = {"token": ": an empty token would have turned authentication off"}


def _setting(default: Any, help: str, **checks: Any) -> Any:
    """A field with its help text and the checks ``load_settings`` applies to it.

    Checks: ``choices``, ``minimum``, ``maximum``, ``multiple_of``, ``exists`` ("file" or
    "dir"), ``url`` (http or https), ``redis_url``, ``origin`` (each item ``scheme://host[:port]``); ``hint``
    ends the error sentence with what to do; ``secret`` masks the value in output.
    """
    return dataclasses.field(default=default, metadata={"help": help, **checks})


@dataclasses.dataclass(frozen=True)
class Settings:
    """Effective configuration of one server instance; built once at the edge, then injected."""

    host: str = _setting("127.0.0.1", "address to bind; 0.0.0.0 exposes the server")
    port: int = _setting(3000, "TCP port for Socket.IO and HTTP (0 picks a free one)", minimum=0, maximum=65535)
    work_dir: Path = _setting(Path("work"), "spool folder: one sub-folder per session")
    output_dir: Path = _setting(Path("output"), "folder of finished videos")
    token: tuple[str, ...] = _setting((), "access token clients must present (repeatable)", secret=True)
    cors_origin: tuple[str, ...] = _setting(
        (), "another browser origin allowed to connect, as scheme://host[:port] (repeatable); the server's own is always allowed",
        origin=True,
    )
    allowed_host: tuple[str, ...] = _setting(
        (), "another host name clients use to reach the server (repeatable), e.g. behind a reverse proxy; "
        "requests naming any other host get 421 (loopback names and the bind address are always answered)",
        host_name=True,
    )
    public_url: str | None = _setting(
        None, "the address browsers use to reach the server, e.g. https://viz.example.com behind a reverse proxy: "
        "its host is answered and its origin is the server's own", url=True,
    )
    insecure_no_auth: bool = _setting(False, "allow a non-loopback bind without any token")
    youtube_token_file: Path | None = _setting(
        None, "OAuth2 token file written by 'authorize'", exists="file",
        hint="run 'visualizer-server authorize --client-secrets FILE' to write it",
    )
    youtube_api_endpoint: str | None = _setting(None, "YouTube API endpoint (for a local test server)", url=True)
    youtube_token_uri: str | None = _setting(None, "OAuth2 token endpoint, overriding the token file's", url=True)
    youtube_chunk_bytes: int = _setting(
        8 * 1024 * 1024, "upload chunk size, a multiple of 256 KiB", minimum=256 * 1024, multiple_of=256 * 1024
    )
    log_level: str = _setting("INFO", "DEBUG, INFO, WARNING, ERROR or CRITICAL", choices=LOG_LEVELS)
    page_dir: Path = _setting(PAGE_DIR, "folder holding index.html, page/ and vendor/ (the installed page by default)",
                              exists="dir")  # fmt: skip
    umask: str = _setting(
        "077", "permission bits the server withholds from the folders and files it makes (octal): 077 keeps work "
        "and output (manifests with resume tokens, videos) private to the service's user (0700/0600); 027 lets "
        "its group read them, 022 everyone", octal=True,
    )
    window: int = _setting(8, "frames a client may keep in flight unacknowledged", minimum=1)
    max_frame_bytes: int = _setting(64 * 1024 * 1024, "largest frame accepted, in bytes", minimum=1)
    x264_preset: str = _setting("veryfast", "libx264 preset (ultrafast ... veryslow)", choices=X264_PRESETS)
    x264_crf: int = _setting(20, "libx264 constant rate factor (lower is better quality)", minimum=0, maximum=51)
    max_sessions: int = _setting(32, "live sessions the server takes in all", minimum=1)
    max_sessions_per_connection: int = _setting(4, "live sessions one connection may own", minimum=1)
    max_sessions_per_address: int = _setting(
        8, "live sessions the clients of one network address may own, 0 for no cap (behind a proxy, all come "
        "from the proxy)", minimum=0,
    )
    max_frames_per_session: int = _setting(216_000, "frames in one session (two hours at 30 fps)", minimum=1)
    max_audio_bytes: int = _setting(512 * 1024 * 1024, "size of one session's audio file", minimum=0)
    audio_probe_timeout_s: int = _setting(
        20, "longest wait for the quick decode that checks a session's audio when it ends; longer is undecodable",
        minimum=1,
    )
    max_concurrent_encodes: int = _setting(2, "ffmpeg encodes at once; more sessions wait their turn", minimum=1)
    max_events_per_second: int = _setting(1000, "events one connection may send per second", minimum=1)
    min_free_disk_bytes: int = _setting(
        1024**3, "free space kept on the work folder's disk; below it new data is refused", minimum=0
    )
    idle_timeout_s: int = _setting(3600, "a receiving session with no activity for this long expires", minimum=1)
    video_retention_s: int = _setting(7 * 86400, "finished videos are deleted after this long", minimum=1)
    sweep_interval_s: int = _setting(60, "how often expiry and retention are checked", minimum=1)
    shutdown_grace_s: int = _setting(
        30, "on SIGTERM, how long ending encodes may run before they are stopped", minimum=0
    )
    admin_ui: bool = _setting(False, "serve the official Socket.IO Admin UI's namespace /admin (needs a username and password)")
    admin_username: str | None = _setting(None, "Admin UI user name")
    admin_password: str | None = _setting(None, "Admin UI password", secret=True)
    admin_read_write: bool = _setting(False, "let the Admin UI disconnect clients (read-only otherwise)")
    log_format: str = _setting("text", "text (for people) or json (one object a line)", choices=LOG_FORMATS)
    connect_timeout_s: int = _setting(
        10, "seconds a transport may stay open without connecting a namespace", minimum=1
    )
    encoder_restarts: int = _setting(3, "times a session's encoder is started again from the spool after ffmpeg dies")
    hardware_encoder: str = _setting(
        "auto", "hardware encoder for h264, hevc and av1: auto (the first of nvenc, vaapi, qsv that opens at "
        "startup), off, or one of them; software when it does not open", choices=HARDWARE_ENCODERS,
    )
    segment_seconds: int = _setting(
        2, "seconds of video per segment (rounded to whole GOPs): a dead ffmpeg, a restart or a takeover "
        "encodes at most this much again, and the spool holds about this much beyond the encoder", minimum=1,
        maximum=600,
    )
    encoder_idle_ms: int = _setting(
        3000, "a session whose next frame has not come for this long closes its open segment and gives its "
        "encoder slot back; its next frame opens a new segment", minimum=100,
    )
    ffmpeg_stall_s: int = _setting(
        30, "an ffmpeg (encode, join, loudness measurement) that shows no progress for this long is stopped, "
        "and counts as a crash", minimum=2,
    )
    encoder_buffer_bytes: int = _setting(
        64 * 1024 * 1024, "frame bytes per session held in memory for the encoder; the rest is read back from the spool",
        minimum=0,
    )
    max_connections: int = _setting(
        2000, "open connections in all (HTTP and Socket.IO); past it a new one gets 503 and is closed", minimum=1
    )
    max_connections_per_address: int = _setting(
        64, "open connections from one client address, 0 for no cap (behind a proxy, all come from the proxy)", minimum=0
    )
    header_timeout_s: int = _setting(
        10, "seconds a request may take to send its line and headers; also the idle limit of a kept-alive connection",
        minimum=1,
    )
    ping_interval_s: int = _setting(25, "seconds between the pings that check a Socket.IO client is still there", minimum=1)
    ping_timeout_s: int = _setting(20, "seconds a client has to answer a ping before its connection is closed", minimum=1)
    metrics_without_token: bool = _setting(False, "serve /metrics without the access token (a scraper on a trusted network)")
    redis_url: str | None = _setting(
        None, "Redis URL (redis://host:port/db) that makes this process one node of a cluster sharing --work-dir "
        "and --output-dir; without it the server runs alone and needs no Redis", redis_url=True,
    )
    node_name: str | None = _setting(None, "this node's name in a cluster (default: host name and process id)")
    lease_ttl_s: int = _setting(
        10, "seconds a node's claim on a session lasts unless renewed: how soon another node may take over "
        "the sessions of a node that died", minimum=2, maximum=300,
    )

    @property
    def node(self) -> str:
        """This node's name in a cluster: the setting, or host name and process id."""
        return self.node_name or f"{socket.gethostname()}-{os.getpid()}"

    youtube_processing_poll_ms: int = _setting(
        5000, "first wait before asking YouTube how processing of an upload went; doubled after each answer", minimum=10
    )
    youtube_processing_poll_max_ms: int = _setting(60000, "longest wait between two such questions", minimum=10)
    youtube_processing_timeout_s: int = _setting(
        1800, "after this long from the upload, youtube_processed says timeout", minimum=1
    )

    @property
    def umask_bits(self) -> int:
        return int(self.umask, 8)

    @property
    def transport_max_bytes(self) -> int:
        """Engine.IO's message cap: a frame plus room for the packet around it."""
        return self.max_frame_bytes + 1024 * 1024


def _fields() -> list[dataclasses.Field]:
    return list(dataclasses.fields(Settings))


def _flag(field: dataclasses.Field) -> str:
    return "--" + field.name.replace("_", "-")


def _is_repeatable(field: dataclasses.Field) -> bool:
    return str(field.type).startswith("tuple")


def _where(source: str) -> str:
    """Where a value came from, for an error sentence: the user must know what to change."""
    if source.startswith("flag "):
        return "the command line"
    return "its default" if source == DEFAULT else source


def _items(field: dataclasses.Field, value: Any, source: str) -> tuple[str, ...]:
    """A repeatable setting's items (a list, or one string with commas); an empty item is an error."""
    items = [str(item).strip() for item in (value.split(",") if isinstance(value, str) else list(value))]
    if "" in items:
        raise SettingsError(f"{_flag(field)} has an empty value (from {_where(source)})"
                            f"{_EMPTY_HINTS.get(field.name, '')}; give a value or leave the setting out")  # fmt: skip
    return tuple(items)


def _convert(field: dataclasses.Field, value: Any, source: str) -> Any:
    """Turn a string (flag, env) or TOML value into the field's type, with an error naming the flag."""
    kind = str(field.type)
    if value is not None and _is_repeatable(field):
        return _items(field, value, source)
    try:
        if value is None:
            return None
        if kind == "bool":
            if isinstance(value, bool):
                return value
            lowered = str(value).strip().lower()
            if lowered not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise ValueError(value)
            return lowered in ("1", "true", "yes", "on")
        if kind == "int":
            return int(value)
        if "Path" in kind:
            return Path(value).expanduser()
        return str(value)
    except (TypeError, ValueError):
        kind_words = {"bool": "true or false", "int": "a whole number"}.get(kind, "a " + kind)
        raise SettingsError(f"{_flag(field)} must be {kind_words}, not {value!r} (from {_where(source)})") from None


def _problem(field: dataclasses.Field, value: Any) -> str | None:
    """What is wrong with a converted value according to its field's checks, as the end of a sentence."""
    checks = field.metadata
    if value is None:
        return None
    if "choices" in checks and value not in checks["choices"]:
        return f"must be one of {', '.join(checks['choices'])}"
    if "minimum" in checks and value < checks["minimum"]:
        return f"must be at least {checks['minimum']}"
    if "maximum" in checks and value > checks["maximum"]:
        return f"must be at most {checks['maximum']}"
    if "multiple_of" in checks and value % checks["multiple_of"]:
        return f"must be a multiple of {checks['multiple_of']}"
    if checks.get("exists") == "file" and not value.is_file():
        return "names no file"
    if checks.get("exists") == "dir" and not value.is_dir():
        return "names no folder"
    if checks.get("redis_url") and not re.match(r"(redis|rediss|unix)://\S+$", value):
        return "must be a redis://, rediss:// or unix:// URL"
    if checks.get("url") and not re.match(r"https?://\S+$", value):
        return "must be an http:// or https:// URL"
    if checks.get("octal") and not re.fullmatch(r"0?[0-7]{1,3}", value):
        return "must be octal permission bits such as 077 or 027"
    if checks.get("host_name"):
        odd = [item for item in value if not HOST_NAME.fullmatch(item)]
        if odd:
            return f"takes host names (no scheme, port or path), not {odd[0]!r}"
    if checks.get("origin"):
        odd = [item for item in value if not ORIGIN.fullmatch(item)]
        if odd:
            return f"takes origins as scheme://host[:port] with no path or trailing slash, not {odd[0]!r}"
    return None


def _validated(field: dataclasses.Field, value: Any, source: str) -> Any:
    """The value, normalised (log levels in capitals), or a ``SettingsError`` naming the flag and the source."""
    if field.name == "log_level" and isinstance(value, str):
        value = value.upper()
    problem = _problem(field, value)
    if not problem:
        return value
    hint = f"; {field.metadata['hint']}" if "hint" in field.metadata else ""
    if _is_repeatable(field):  # the problem names the odd item
        raise SettingsError(f"{_flag(field)} {problem} (from {_where(source)}){hint}")
    raise SettingsError(f"{_flag(field)} {problem}; got {str(_shown(field, value))!r} from {_where(source)}{hint}")


def _shown(field: dataclasses.Field, value: Any) -> Any:
    """The value as output may show it: secrets masked, and the password inside a URL (Redis's)."""
    if field.metadata.get("secret") and value:
        return ["***"] * len(value) if isinstance(value, tuple) else "***"
    if isinstance(value, str):
        return URL_QUERY_PASSWORD.sub("***", URL_PASSWORD.sub(r"\1:***@", value))
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="visualizer-server",
        description="Serve the visualizer: Socket.IO frames in, MP4 out. "
        "'visualizer-server authorize --client-secrets FILE' connects a YouTube channel once "
        "(see 'visualizer-server authorize --help').",
        epilog=f"Every flag also reads {ENV_PREFIX}<NAME> (e.g. {ENV_PREFIX}WORK_DIR) and the "
        "TOML file given by --config; flags win over the environment, which wins over the file.",
    )
    parser.add_argument("--config", type=Path, help="TOML config file (env VISUALIZER_CONFIG)")
    parser.add_argument(
        "--print-config", action="store_true", help="print each effective setting and where it comes from, then exit"
    )
    for field in _fields():
        help_text = f"{field.metadata['help']} (env {ENV_PREFIX}{field.name.upper()})"
        if str(field.type) == "bool":
            parser.add_argument(_flag(field), action="store_const", const=True, default=None, help=help_text)
        elif _is_repeatable(field):
            parser.add_argument(_flag(field), action="append", default=None, help=help_text)
        else:
            parser.add_argument(_flag(field), default=None, help=help_text)
    return parser


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError(f"--config: the config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"--config: {path} is not valid TOML: {error}") from None
    known = {field.name for field in _fields()}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(f"--config: {path} has unknown setting(s) {', '.join(unknown)}; "
                            "'visualizer-server --help' lists them (file keys use underscores)")  # fmt: skip
    return data


def _raw_value(
    field: dataclasses.Field, args: argparse.Namespace, environ: Mapping[str, str], from_file: Mapping[str, Any],
    config_path: str | None,
) -> tuple[Any, str]:
    """The value with the highest precedence and its source: flag > environment > file > default."""
    env_name = ENV_PREFIX + field.name.upper()
    if getattr(args, field.name) is not None:
        return getattr(args, field.name), f"flag {_flag(field)}"
    if env_name in environ:
        return environ[env_name], f"env {env_name}"
    if field.name in from_file:
        return from_file[field.name], f"file {config_path}"
    return field.default, DEFAULT


def load_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, dict[str, str], argparse.Namespace]:
    """Merge every source into checked ``Settings``; also where each value came from, and the parsed flags.

    Raises ``SettingsError`` (one sentence naming the flag) for any value that cannot work.
    """
    environ = os.environ if environ is None else environ
    args = _parser().parse_args(argv)
    config_path = str(args.config) if args.config else environ.get(ENV_PREFIX + "CONFIG")
    from_file = _read_config_file(Path(config_path)) if config_path else {}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for field in _fields():
        raw, source = _raw_value(field, args, environ, from_file, config_path)
        value = raw if source == DEFAULT else _convert(field, raw, source)
        values[field.name], sources[field.name] = _validated(field, value, source), source
    return Settings(**values), sources, args


def describe(settings: Settings, sources: Mapping[str, str]) -> dict[str, Any]:
    """Each setting's value (secrets masked) and source: for ``--print-config``."""
    described: dict[str, Any] = {}
    for field in _fields():
        value = _shown(field, getattr(settings, field.name))
        if isinstance(value, Path):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        described[field.name] = {"value": value, "source": sources[field.name]}
    return described


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_settings(settings: Settings) -> None:
    """Settings that are each valid but cannot work together; each error says what to do."""
    check_exposure(settings)
    if settings.admin_ui and not (settings.admin_username and settings.admin_password):
        raise SettingsError("--admin-ui needs --admin-username and --admin-password: the Admin UI shows every client")


def check_exposure(settings: Settings) -> None:
    """Refuse to listen beyond this machine with no token, unless the operator says so."""
    if not is_loopback(settings.host) and not settings.token and not settings.insecure_no_auth:
        raise SettingsError(
            f"refusing to listen on {settings.host} without an access token: anyone who can reach it could "
            "read and cancel sessions. Pass --token SECRET (or VISUALIZER_TOKEN), or --insecure-no-auth "
            "if the network is trusted."
        )
