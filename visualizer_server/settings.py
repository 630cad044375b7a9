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
import tomllib
from pathlib import Path
from typing import Any, Mapping, Sequence

ENV_PREFIX = "VISUALIZER_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _setting(default: Any, help: str, **extra: Any) -> Any:
    return dataclasses.field(default=default, metadata={"help": help, **extra})


@dataclasses.dataclass(frozen=True)
class Settings:
    """Effective configuration of one server instance; built once at the edge, then injected."""

    host: str = _setting("127.0.0.1", "address to bind; 0.0.0.0 exposes the server")
    port: int = _setting(3000, "TCP port for Socket.IO and HTTP (0 picks a free one)")
    work_dir: Path = _setting(Path("work"), "spool folder: one sub-folder per session")
    output_dir: Path = _setting(Path("output"), "folder of finished videos")
    token: tuple[str, ...] = _setting((), "access token clients must present (repeatable)", secret=True)
    cors_origin: tuple[str, ...] = _setting((), "allowed browser origin (repeatable); default: same origin")
    insecure_no_auth: bool = _setting(False, "allow a non-loopback bind without any token")
    youtube_token_file: Path | None = _setting(None, "OAuth2 token file written by 'authorize'")
    youtube_api_endpoint: str | None = _setting(None, "YouTube API endpoint (for a local test server)")
    youtube_token_uri: str | None = _setting(None, "OAuth2 token endpoint, overriding the token file's")
    youtube_chunk_bytes: int = _setting(8 * 1024 * 1024, "upload chunk size, a multiple of 256 KiB")
    log_level: str = _setting("INFO", "DEBUG, INFO, WARNING or ERROR")
    page_dir: Path = _setting(PROJECT_ROOT, "folder holding test_client.html and node_modules/")
    window: int = _setting(8, "frames a client may keep in flight unacknowledged")
    max_frame_bytes: int = _setting(64 * 1024 * 1024, "largest frame accepted, in bytes")
    x264_preset: str = _setting("veryfast", "libx264 preset (ultrafast ... veryslow)")
    x264_crf: int = _setting(20, "libx264 constant rate factor (lower is better quality)")
    max_sessions: int = _setting(32, "live sessions the server takes in all")
    max_sessions_per_connection: int = _setting(4, "live sessions one connection may own")
    max_frames_per_session: int = _setting(216_000, "frames in one session (two hours at 30 fps)")
    max_audio_bytes: int = _setting(512 * 1024 * 1024, "size of one session's audio file")
    max_concurrent_encodes: int = _setting(2, "ffmpeg encodes at once; more sessions wait their turn")
    max_events_per_second: int = _setting(1000, "events one connection may send per second")
    min_free_disk_bytes: int = _setting(1024**3, "free space kept on the work folder's disk; below it new data is refused")
    idle_timeout_s: int = _setting(3600, "a receiving session with no activity for this long expires")
    video_retention_s: int = _setting(7 * 86400, "finished videos are deleted after this long")
    sweep_interval_s: int = _setting(60, "how often expiry and retention are checked")
    shutdown_grace_s: int = _setting(30, "on SIGTERM, how long ending encodes may run before they are stopped")
    admin_ui: bool = _setting(False, "serve the official Socket.IO Admin UI's namespace /admin (needs a username and password)")
    admin_username: str | None = _setting(None, "Admin UI user name")
    admin_password: str | None = _setting(None, "Admin UI password", secret=True)
    admin_read_write: bool = _setting(False, "let the Admin UI disconnect clients (read-only otherwise)")
    log_format: str = _setting("text", "text (for people) or json (one object a line)")
    connect_timeout_s: int = _setting(10, "seconds a transport may stay open without connecting a namespace")
    encoder_buffer_bytes: int = _setting(
        64 * 1024 * 1024, "frame bytes per session held in memory for the encoder; the rest is read back from the spool"
    )

    @property
    def transport_max_bytes(self) -> int:
        """Engine.IO's message cap: a frame plus room for the packet around it."""
        return self.max_frame_bytes + 1024 * 1024


def _fields() -> list[dataclasses.Field]:
    return list(dataclasses.fields(Settings))


def _is_repeatable(field: dataclasses.Field) -> bool:
    return str(field.type).startswith("tuple")


def _convert(field: dataclasses.Field, value: Any) -> Any:
    """Turn a string (env) or TOML value into the field's type, with an error naming the setting."""
    kind = str(field.type)
    try:
        if value is None:
            return None
        if _is_repeatable(field):
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(item).strip() for item in items if str(item).strip())
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
        raise SystemExit(f"setting {field.name}: cannot read {value!r} as {kind}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="visualizer-server",
        description="Serve the visualizer: Socket.IO frames in, MP4 out.",
        epilog=f"Every flag also reads {ENV_PREFIX}<NAME> (e.g. {ENV_PREFIX}WORK_DIR) and the "
        "TOML file given by --config; flags win over the environment, which wins over the file.",
    )
    parser.add_argument("--config", type=Path, help="TOML config file (env VISUALIZER_CONFIG)")
    parser.add_argument("--print-config", action="store_true", help="print the effective settings and exit")
    for field in _fields():
        flag = "--" + field.name.replace("_", "-")
        help_text = f"{field.metadata['help']} (env {ENV_PREFIX}{field.name.upper()})"
        if str(field.type) == "bool":
            parser.add_argument(flag, action="store_const", const=True, default=None, help=help_text)
        elif _is_repeatable(field):
            parser.add_argument(flag, action="append", default=None, help=help_text)
        else:
            parser.add_argument(flag, default=None, help=help_text)
    return parser


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise SystemExit(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise SystemExit(f"config file {path} is not valid TOML: {error}") from None
    known = {field.name for field in _fields()}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SystemExit(f"config file {path}: unknown setting(s) {', '.join(unknown)}")
    return data


def load_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, argparse.Namespace]:
    """Merge every source into a ``Settings``; also returns the parsed flags for the caller."""
    environ = os.environ if environ is None else environ
    args = _parser().parse_args(argv)
    config_path = args.config or environ.get(ENV_PREFIX + "CONFIG")
    from_file = _read_config_file(Path(config_path)) if config_path else {}
    values: dict[str, Any] = {}
    for field in _fields():
        flag_value = getattr(args, field.name)
        env_value = environ.get(ENV_PREFIX + field.name.upper())
        if flag_value is not None:
            values[field.name] = _convert(field, flag_value)
        elif env_value is not None:
            values[field.name] = _convert(field, env_value)
        elif field.name in from_file:
            values[field.name] = _convert(field, from_file[field.name])
    return Settings(**values), args


def describe(settings: Settings) -> dict[str, Any]:
    """The settings as plain values, secrets masked: for ``--print-config`` and the startup log."""
    described: dict[str, Any] = {}
    for field in _fields():
        value = getattr(settings, field.name)
        if field.metadata.get("secret") and value:
            value = ["***"] * len(value) if isinstance(value, tuple) else "***"
        elif isinstance(value, Path):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        described[field.name] = value
    return described


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_settings(settings: Settings) -> None:
    """Settings that parse but cannot work together; each error says what to do."""
    check_exposure(settings)
    if settings.admin_ui and not (settings.admin_username and settings.admin_password):
        raise SystemExit("--admin-ui needs --admin-username and --admin-password: the Admin UI shows every client")
    if settings.log_format not in ("text", "json"):
        raise SystemExit(f"--log-format must be text or json, not {settings.log_format!r}")
    if settings.youtube_chunk_bytes % (256 * 1024):
        raise SystemExit("--youtube-chunk-bytes must be a multiple of 256 KiB (262144)")


def check_exposure(settings: Settings) -> None:
    """Refuse to listen beyond this machine with no token, unless the operator says so."""
    if not is_loopback(settings.host) and not settings.token and not settings.insecure_no_auth:
        raise SystemExit(
            f"refusing to listen on {settings.host} without an access token: anyone who can reach it could "
            "read and cancel sessions. Pass --token SECRET (or VISUALIZER_TOKEN), or --insecure-no-auth "
            "if the network is trusted."
        )
