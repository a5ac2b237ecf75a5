"""Settings: built-in defaults < config.toml < KSCRAPE_* environment < command-line options.

This is the only module that reads configuration files or the environment; every other
module receives a frozen `Config`.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kscrape import __version__
from kscrape.errors import ConfigError

DEFAULT_USER_AGENT = f"kscrape/{__version__} (press-release archiver; polite, 1 req/s)"
DEPTHS = ("auto", "list", "view", "files")
LOG_FORMATS = ("text", "json")
ENV_PREFIX = "KSCRAPE_"


@dataclass(frozen=True, slots=True)
class Config:
    """Every setting kscrape reads; field names are the config.toml keys."""

    base_url: str = "https://www.korea.kr"
    db: str = "data/kscrape.db"
    attachments_dir: str = "data/attachments"
    rate: float = 1.0  # requests per second, 0 = unlimited (for the local replica only)
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 20.0  # seconds of network inactivity per phase
    deadline: float = 60.0  # seconds for one whole request, however slowly it drips
    retries: int = 4  # attempts per request, the first included
    backoff_initial: float = 1.0  # seconds before the first retry, doubled each time
    backoff_max: float = 60.0  # ceiling of one backoff wait
    retry_after_max: float = 120.0  # cap on a server's Retry-After
    block_after: int = 2  # consecutive refusals (403 / reset) before the run stops as blocked
    max_page_bytes: int = 10_000_000
    max_attachment_bytes: int = 30_000_000
    depth: str = "auto"  # auto | list | view | files: crawl, backfill, verify --fix
    update_depth: str = "files"  # what `update` fetches for a new release (cron: whole documents)
    window_days: int = 7  # backfill window size
    recheck_days: int = 2  # update --recheck default
    update_max_pages: int = 50  # safety cap for update on a new or long-idle database
    batch_size: int = 100  # releases per transaction
    feed_size: int = 50  # entries per Atom feed (kscrape feed, update --feeds, serve)
    ca_bundle: str = ""  # extra CA file for TLS; verification itself cannot be turned off
    log_format: str = "text"  # text | json
    log_file: str = ""
    warc: bool = True  # keep every response in WARC files (see warc.py)
    warc_dir: str = "data/warc"
    warc_max_bytes: int = 1_000_000_000  # a WARC file is closed and a new one begun past this
    # Reserved for the data.go.kr Open API. Kept out of repr so it cannot reach a log line.
    api_key: str = field(default="", repr=False)

    @property
    def host(self) -> str:
        """scheme://host[:port] of the one site kscrape may contact."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"


KEYS: tuple[str, ...] = tuple(f.name for f in fields(Config))


def load_config(
    path: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Build the Config from the file, the environment and explicit overrides, in that order.

    `path=None` reads ./config.toml when it exists. Unknown keys and bad values raise
    ConfigError naming the key, so a cron job fails loudly instead of running on defaults.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    values.update(_read_file(_config_path(path, environ)))
    for key in KEYS:
        raw = environ.get(ENV_PREFIX + key.upper())
        if raw is not None:
            values[key] = _coerce(key, raw, f"environment variable {ENV_PREFIX}{key.upper()}")
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = _coerce(key, value, f"option --{key.replace('_', '-')}")
    config = Config(**values)
    _validate(config)
    return config


def with_overrides(config: Config, **changes: Any) -> Config:
    """A copy of `config` with some keys replaced, validated like the original."""
    clean = {k: _coerce(k, v, f"option --{k}") for k, v in changes.items() if v is not None}
    new = dataclasses.replace(config, **clean)
    _validate(new)
    return new


def _config_path(path: str | Path | None, environ: Mapping[str, str]) -> Path | None:
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file not found: {p}")
        return p
    env_path = environ.get(ENV_PREFIX + "CONFIG")
    if env_path:
        return _config_path(env_path, {})
    default = Path("config.toml")
    return default if default.is_file() else None


def _read_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    section = data.get("kscrape", data)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [kscrape] must be a table")
    return {k: _coerce(k, v, f"key '{k}' in {path}") for k, v in section.items()}


def _coerce(key: str, value: Any, where: str) -> Any:
    if key not in KEYS:
        raise ConfigError(f"unknown setting {where}")
    kind = type(getattr(Config(), key))
    try:
        if kind is bool:
            return _boolean(value)
        if isinstance(value, bool):
            raise ValueError
        if kind is str:
            return str(value)
        if isinstance(value, str):
            value = value.strip()
        converted = kind(value)
        if kind is int and isinstance(value, float) and value != converted:
            raise ValueError
        return converted
    except (TypeError, ValueError):
        raise ConfigError(f"bad value {value!r} for {where}: expected {kind.__name__}") from None


def _boolean(value: Any) -> bool:
    """true/false from TOML, or the words an environment variable can carry."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("true", "1", "yes", "on"):
        return True
    if word in ("false", "0", "no", "off"):
        return False
    raise ValueError


def _validate(config: Config) -> None:
    url = urlsplit(config.base_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise ConfigError(f"bad value {config.base_url!r} for base_url: expected http(s)://host")
    positive = (
        "timeout",
        "deadline",
        "retries",
        "block_after",
        "max_page_bytes",
        "max_attachment_bytes",
        "window_days",
        "batch_size",
        "update_max_pages",
        "warc_max_bytes",
        "feed_size",
    )
    for key in positive:
        if getattr(config, key) <= 0:
            raise ConfigError(f"bad value {getattr(config, key)!r} for {key}: must be > 0")
    non_negative = ("rate", "backoff_initial", "backoff_max", "retry_after_max", "recheck_days")
    for key in non_negative:
        if getattr(config, key) < 0:
            raise ConfigError(f"bad value {getattr(config, key)!r} for {key}: must be >= 0")
    for key in ("depth", "update_depth"):
        if getattr(config, key) not in DEPTHS:
            raise ConfigError(
                f"bad value {getattr(config, key)!r} for {key}: expected one of {DEPTHS}"
            )
    if config.log_format not in LOG_FORMATS:
        raise ConfigError(
            f"bad value {config.log_format!r} for log_format: expected one of {LOG_FORMATS}"
        )
    if config.ca_bundle and not Path(config.ca_bundle).is_file():
        raise ConfigError(f"bad value {config.ca_bundle!r} for ca_bundle: file not found")
