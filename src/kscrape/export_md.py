"""Stored releases as a tree of Markdown files, kept up to date by reruns.

Layout under the output folder:

    YYYY/YYYY-MM/YYYY-MM-DD/NNN_부처_제목.md   one release: YAML front matter + its record
    YYYY/YYYY-MM/YYYY-MM-DD/README.md          the day's index

NNN is the release's place in its day in newsId order (the order korea.kr registered them),
which does not move when a release later gains its exact time. Names go through
`safe_component` (Windows and macOS safe, NFC, long titles cut with a stable hash), so paths
stay near 100 characters below the output folder. Files are written atomically and only when
their bytes change: a rerun over an unchanged archive writes nothing, and a git-tracked
corpus sees only real changes.

A rerun renders only the days holding a release stored or changed after the folder's mark
(kept in the database, table `marks`, so the folder holds the corpus alone: the change up to
which the previous run, reading one snapshot, rendered everything), plus days a changed
release moved away from; a day is rendered whole, so numbers stay consistent and files of
releases that left it go.
The front matter is written here, not by a YAML library: every string is a double-quoted
JSON string with YAML's extra line breaks and non-printables escaped, which every YAML
parser reads and whose bytes no library upgrade can change.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kscrape import __version__
from kscrape.errors import ConfigError, ExportError, StoreError
from kscrape.paths import safe_component, write_if_changed
from kscrape.record import Record, to_markdown
from kscrape.selection import Selection
from kscrape.store import Store, utcnow
from kscrape.store.marks import read_mark, write_mark

# A mark made for another format or kscrape version makes the next run render every day (and
# still write only the files whose bytes differ).
FORMAT = 1
NAME_CHARS = 80
RELEASE_FILE = re.compile(r"^\d{3,}_.+\.md$")
INDEX_FILE = "README.md"
# Characters a YAML double-quoted scalar may not hold raw (YAML 1.1 and 1.2): controls, C1,
# the extra line breaks NEL/LS/PS, the BOM and the non-characters U+FFFE/U+FFFF. JSON has
# already escaped the C0 controls, `"` and `\`.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_LINK_TEXT = re.compile(r"([\\`*_\[\]<>])")
log = logging.getLogger("kscrape.export")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # updated_at's form: UTC, whole seconds, sortable as text
# A writer takes its `updated_at` just before its transaction; one that commits after this
# run's snapshot began took it at most this long before. The mark stays that far behind.
SETTLE_SECONDS = 60


@dataclass(slots=True)
class MarkdownExport:
    """What a run did: releases rendered, files written, left as they were, and removed."""

    releases: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    days: list[str] = field(default_factory=list)


def export_markdown(
    store: Store,
    out_dir: Path,
    *,
    selection: Selection | None = None,
    changed_since: str | None = None,
    full: bool = False,
) -> MarkdownExport:
    """Write (or bring up to date) the Markdown tree of the selected releases in `out_dir`.

    Without `full` or `changed_since`, the mark left by the previous run with the same
    selection limits the work to what changed since; `changed_since` (UTC, as `updated_at`)
    sets that limit by hand and leaves the mark alone; `full` renders every selected day.
    """
    selection = selection or Selection()
    mark_name = f"export-md {out_dir.resolve()}"
    after = _before(changed_since_bound(changed_since), 1) if changed_since else None
    if after is None and not full:
        after = _current_up_to(read_mark(store, mark_name), selection)
    settled = _before(utcnow(), SETTLE_SECONDS + 1)
    result = MarkdownExport()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with store.transaction():  # one snapshot: what the mark says is what was rendered
            newest = _newest_change(store)
            for day in _days(store, selection, after):
                _write_day(store, out_dir, day, selection, result)
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot write the Markdown export: "
                          f"{exc.strerror or exc}") from exc
    if changed_since is None and newest:
        mark = {"format": FORMAT, "kscrape": __version__, "selection": selection.as_json(),
                "updated_at": min(newest, settled)}
        try:
            write_mark(store, mark_name, mark)
        except StoreError as exc:
            log.warning("the export is complete, but its mark was not saved (%s); the next "
                        "run renders more than it needs", exc)
    return result


def release_path(day: str, number: int, ministry: str, title: str) -> Path:
    """`YYYY/YYYY-MM/YYYY-MM-DD/NNN_부처_제목.md`, safe as a path on every common system."""
    name = safe_component(f"{number:03d}_{ministry}_{title}", max_chars=NAME_CHARS)
    return Path(day[:4], day[:7], day, f"{name}.md")


def release_file(record: Record) -> str:
    """One release's file: YAML front matter, then the Markdown record."""
    r = record.release
    names = [att["name"] for att in record.attachments]
    front = [
        ("title", r["title"]),
        ("ministry", r["ministry"]),
        ("ministry_code", r.get("ministry_code")),
        ("date", r["date"]),
        ("published_at", r.get("published_at")),
        ("news_id", r["news_id"]),
        ("original_url", r["url"]),
        ("attachments", names),
        ("attachment_count", len(names)),
        ("body_source", r.get("body_source") or None),
    ]
    lines = ["---", *(f"{key}:{yaml_value(value)}" for key, value in front), "---", "", ""]
    return "\n".join(lines) + to_markdown(record)


def yaml_value(value: str | int | list[str] | None) -> str:
    """The text after `key:` in front matter: a scalar on the same line, or a block list."""
    if value is None:
        return " null"
    if isinstance(value, int):
        return f" {value}"
    if isinstance(value, list):
        return "".join(f"\n  - {yaml_string(v)}" for v in value) if value else " []"
    return f" {yaml_string(value)}"


def yaml_string(text: str) -> str:
    """A double-quoted YAML scalar that every YAML parser reads back as exactly `text`."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def changed_since_bound(value: str) -> str:
    """`--changed-since` as the UTC text `updated_at` holds: a day, or a time with or
    without an offset (taken as UTC without one)."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--changed-since {value!r}: expected YYYY-MM-DD or an ISO 8601 "
                          "time such as 2026-04-10T09:00:00Z") from None
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime(TIME_FORMAT)


# -- days ---------------------------------------------------------------------------------


def _days(store: Store, selection: Selection, after: str | None) -> list[str]:
    """The days to render: all selected ones, or those touched by a change after `after`."""
    where, params = selection.where()
    if after is None:
        sql = "select distinct date from releases" + (f" where {' and '.join(where)}"
                                                      if where else "")
        return [r["date"] for r in store.rows(sql + " order by date", params)]
    # A release that moved to another day (or ministry) left a file behind in its old day.
    moved, moved_params = selection.where("release_versions", ministries=False)
    sql = (
        "select date from releases where " + " and ".join([*where, "updated_at > ?"])
        + " union select date from release_versions where "
        + " and ".join([*moved, "replaced_at > ?"]) + " order by date"
    )
    return [r["date"] for r in store.rows(sql, (*params, after, *moved_params, after))]


def _write_day(store: Store, out_dir: Path, day: str, selection: Selection,
               result: MarkdownExport) -> None:
    """Render one day whole: its releases, its index; remove files of releases that left."""
    folder = out_dir / day[:4] / day[:7] / day
    records = list(_records_of_day(store, day, selection))
    expected: set[str] = set()
    entries: list[tuple[str, Record]] = []
    for number, record in enumerate(records, start=1):
        r = record.release
        path = release_path(day, number, r["ministry"], r["title"])
        expected.add(path.name)
        entries.append((path.name, record))
        _write(out_dir / path, release_file(record), result)
        result.releases += 1
    if entries:
        _write(folder / INDEX_FILE, day_index(day, entries), result)
        result.days.append(day)
    if folder.is_dir():
        for path in folder.iterdir():
            stale = RELEASE_FILE.match(path.name) and path.name not in expected
            if stale or (not entries and path.name == INDEX_FILE):
                path.unlink()
                result.removed += 1
        _remove_empty(folder, out_dir)


def _records_of_day(store: Store, day: str, selection: Selection) -> Iterator[Record]:
    where, params = selection.where()
    clause = " and ".join(["releases.date = ?", *where])
    files: dict[str, list[dict[str, Any]]] = {}
    for att in store.rows(
        "select attachments.* from attachments join releases using (news_id) "
        f"where {clause} order by attachments.rowid", (day, *params)
    ):
        files.setdefault(att["news_id"], []).append(att)
    for row in store.rows(f"select * from releases where {clause} order by news_id",
                          (day, *params)):
        yield Record(row, files.get(row["news_id"], []))


def day_index(day: str, entries: Sequence[tuple[str, Record]]) -> str:
    """The day folder's README.md: one line per release, linking its file."""
    lines = [f"# {day} 보도자료", "", f"{len(entries)}건", ""]
    for number, (name, record) in enumerate(entries, start=1):
        r = record.release
        title = _LINK_TEXT.sub(r"\\\1", " ".join(r["title"].split()))
        clock = (r.get("published_at") or "")[11:16]
        target = name.replace("%", "%25").replace("#", "%23")  # not a URL fragment
        lines.append(f"- {number:03d} {r['ministry']} — [{title}](<{target}>)"
                     + (f" · {clock}" if clock else ""))
    return "\n".join(lines) + "\n"


# -- files --------------------------------------------------------------------------------


def _write(path: Path, text: str, result: MarkdownExport) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if write_if_changed(path, text.encode("utf-8")):
        result.written += 1
    else:
        result.unchanged += 1


def _remove_empty(folder: Path, root: Path) -> None:
    """Remove the day, month and year folders that a move left empty."""
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _newest_change(store: Store) -> str:
    row = next(store.rows("select max(updated_at) as newest from releases"), None)
    return (row or {}).get("newest") or ""


def _before(stamp: str, seconds: int) -> str:
    when = datetime.strptime(stamp, TIME_FORMAT) - timedelta(seconds=seconds)
    return when.strftime(TIME_FORMAT)


def _current_up_to(mark: dict[str, Any] | None, selection: Selection) -> str | None:
    """The change up to which the folder is current, if its mark is for the same selection,
    format and kscrape version; None means render every day."""
    if mark is None or (mark.get("format"), mark.get("kscrape")) != (FORMAT, __version__):
        return None
    if mark.get("selection") != selection.as_json() or not mark.get("updated_at"):
        return None
    return str(mark["updated_at"])
