"""The evidence behind a stored release: its capture records, checked, and their bytes.

Each evidence row names a WARC file and the offset of a response record in it. Reading the
record there proves the row: its URI and payload digest must be the ones stored, and the
body must hash to that digest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kscrape.captures import read_exchange
from kscrape.errors import ConfigError, KscrapeError, StoreError
from kscrape.models import Exchange
from kscrape.store import Store
from kscrape.store.evidence import evidence_of
from kscrape.warc import OPEN_SUFFIX, payload_digest


@dataclass(frozen=True, slots=True)
class Proof:
    """One capture behind a release, and whether the WARC file still holds it as recorded."""

    kind: str  # list | view | file
    file_id: str
    uri: str
    date: str
    digest: str
    file: str
    offset: int
    length: int
    status: str  # ok | missing (no such file) | differs (the record there is not this one)
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def proofs(store: Store, news_id: str, warc_dir: Path) -> list[Proof]:
    """Every capture behind `news_id`, each checked against its WARC file."""
    return [_check(row, warc_dir)[0] for row in evidence_of(store, news_id)]


def raw_capture(store: Store, news_id: str, warc_dir: Path,
                record: str | None = None) -> tuple[Proof, bytes]:
    """The body of one capture as the server sent it: `record` is list, view or a fileId
    (default: the view page when there is one, else the list page)."""
    rows = evidence_of(store, news_id)
    if not rows:
        raise ConfigError(f"no captures recorded for release {news_id}")
    chosen = [r for r in rows if _matches(r, record)] if record else (
        [r for r in rows if r["kind"] == "view"] or [r for r in rows if r["kind"] == "list"])
    if not chosen:
        kinds = ", ".join(sorted({r["kind"] if r["kind"] != "file" else r["file_id"]
                                  for r in rows}))
        raise ConfigError(f"release {news_id} has no '{record}' capture (it has: {kinds})")
    proof, exchange = _check(chosen[0], warc_dir)
    if exchange is None or proof.status != "ok":
        raise StoreError(f"{proof.file} @ {proof.offset}: {proof.status} {proof.detail}".strip())
    return proof, exchange.body


def _matches(row: dict[str, Any], record: str) -> bool:
    return record in (row["kind"], row["file_id"])


def _check(row: dict[str, Any], warc_dir: Path) -> tuple[Proof, Exchange | None]:
    fields = {"kind": row["kind"], "file_id": row["file_id"], "uri": row["uri"],
              "date": row["warc_date"], "digest": row["payload_digest"],
              "file": row["warc_file"], "offset": row["warc_offset"],
              "length": row["warc_length"]}
    path = warc_dir / row["warc_file"]
    if not path.exists():
        path = path.with_name(path.name + OPEN_SUFFIX)
    if not path.exists():
        return Proof(**fields, status="missing", detail=f"no file in {warc_dir}"), None
    try:
        exchange = read_exchange(path, row["warc_offset"])
    except (KscrapeError, OSError, ValueError) as exc:
        return Proof(**fields, status="differs", detail=str(exc)), None
    assert exchange.capture is not None
    found = exchange.capture
    problems = [name for name, ok in (
        ("URI", found.uri == row["uri"]),
        ("date", found.date == row["warc_date"]),
        ("digest", found.digest == row["payload_digest"]),
        ("body", payload_digest(exchange.body) == row["payload_digest"]),
    ) if not ok]
    if problems:
        return Proof(**fields, status="differs", detail=", ".join(problems)), exchange
    return Proof(**fields, status="ok"), exchange
