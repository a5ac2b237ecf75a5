"""Shared fixtures: the local korea.kr replica, a config pointing at it, a tmp working dir."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kscrape.cli import cli
from kscrape.config import Config, load_config
from kscrape.replica import Replica, load_records

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PAGES = FIXTURES / "pages"
ATTACHMENTS = FIXTURES / "attachments"
CORPUS = ROOT / "src" / "kscrape" / "replica" / "data" / "2023-06.jsonl.gz"
LOOPBACK = ("127.", "::1", "localhost")

# Fast, deterministic network settings for tests: no politeness delay, no real backoff.
# Tests pin depth "list" (one request per 20 releases), for update too, unless they are about
# depth.
FAST = {"depth": "list", "update_depth": "list", "rate": 0, "backoff_initial": 0, "backoff_max": 0,
        "retry_after_max": 0.05, "timeout": 2.0, "deadline": 5.0, "retries": 3}


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite must pass with the outside world unreachable: refuse any other address."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and not str(address[0]).startswith(LOOPBACK):
            raise OSError(f"tests may only connect to loopback, not {address[0]}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in its own directory with no config.toml and no KSCRAPE_* variables."""
    monkeypatch.chdir(tmp_path)
    for key in [k for k in __import__("os").environ if k.startswith("KSCRAPE_")]:
        monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def replica_server() -> Iterator[Replica]:
    with Replica() as server:
        yield server


@pytest.fixture(scope="session")
def files_site() -> Iterator[Replica]:
    """korea.kr serving the 41 real releases with their real HWPX/HWP and PDF files (what
    `kscrape replica --files tests/fixtures/attachments` serves). Tests reset it before use."""
    with Replica(load_records(None, ATTACHMENTS), attachments_dir=ATTACHMENTS) as site:
        yield site


@pytest.fixture
def replica(replica_server: Replica) -> Iterator[Replica]:
    replica_server.reset()
    yield replica_server
    replica_server.reset()


@pytest.fixture
def config(tmp_path: Path, replica: Replica) -> Config:
    return make_config(tmp_path, replica.url)


def make_config(tmp_path: Path, url: str, **overrides: Any) -> Config:
    values = {"base_url": url, "db": str(tmp_path / "kscrape.db"),
              "attachments_dir": str(tmp_path / "attachments"), **FAST, **overrides}
    return load_config(environ={}, overrides=values)


def cli_env(config: Config) -> dict[str, str]:
    """The environment that gives a CLI run the same settings as `config`."""
    keys = ("base_url", "db", "attachments_dir", "warc", "warc_dir", "warc_max_bytes", *FAST)
    return {f"KSCRAPE_{k.upper()}": str(getattr(config, k)) for k in keys}


def run_cli(config: Config, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=cli_env(config), catch_exceptions=False)


def corpus_records() -> list[dict[str, Any]]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def corpus_between(since: str, until: str) -> dict[str, dict[str, Any]]:
    return {r["news_id"]: r for r in corpus_records() if since <= r["approved_at"][:10] <= until}
