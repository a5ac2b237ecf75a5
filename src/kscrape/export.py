"""Stream stored releases to CSV, JSON Lines or a JSON array, replacing the target atomically.

Formats:

- ``csv``: UTF-8 without BOM, RFC 4180 quoting and the csv module's default ``\\r\\n`` row
  ends (newlines inside a body stay as they are, inside a quoted cell). Values are raw:
  ``contacts`` is the JSON string the database holds.
- ``jsonl``: one JSON object per line, Korean unescaped; ``contacts`` is parsed into a list
  (kept as the raw string if it is not valid JSON, so nothing is lost). U+0085, U+2028 and
  U+2029 are written as ``\\uXXXX`` escapes because ``str.splitlines`` and some JSONL readers
  treat them as line breaks.
- ``json``: one JSON array with the same objects, written element by element.

``excel=True`` (CSV only) makes a file that Korean Excel opens safely, and changes the
cells, never the database:

- UTF-8 with BOM (``utf-8-sig``; also written first to stdout), because Excel reads a
  BOM-less CSV in the ANSI code page (CP949 on Korean Windows) and garbles Hangul;
- every cell, header cells included, that starts with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return gets a leading ``'`` (OWASP CSV injection): RFC 4180 quoting does not stop
  a formula. Korean bullets such as ``- 주요 내용`` are prefixed too; that is the price;
- a cell longer than Excel's limit of 32,767 characters (counted in UTF-16 units, as Excel
  counts) is cut so that the whole cell, marker included, fits, and ends with the marker
  ``…[truncated: N chars; full text in the database or JSONL export]``, where N is the
  number of characters removed.

Rows are read from a single query and written as they arrive, so memory stays flat however
large the archive is, and under WAL the export is one consistent snapshot that neither
waits for nor blocks a running crawl.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from kscrape.errors import ExportError, KscrapeError
from kscrape.paths import atomic_writer
from kscrape.selection import Selection
from kscrape.store import Store

DEFAULT_COLUMNS: tuple[str, ...] = (
    "news_id",
    "title",
    "ministry",
    "ministry_code",
    "date",
    "published_at",
    "lead",
    "body",
    "body_source",
    "url",
    "contacts",
    "first_seen_at",
    "updated_at",
)
FORMATS = ("csv", "jsonl", "json")
EXCEL_CELL_LIMIT = 32_767
TRUNCATION_MARKER = "…[truncated: {n} chars; full text in the database or JSONL export]"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LINE_BREAKS_JSON_KEEPS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}

Rows = Iterator[dict[str, Any]]
Writer = Callable[[IO[str], Rows, Sequence[str]], int]


def export_releases(
    store: Store,
    out: Path | None,
    *,
    fmt: str = "csv",
    excel: bool = False,
    since: str | None = None,
    until: str | None = None,
    ministry_names: frozenset[str] | None = None,
    columns: Sequence[str] = DEFAULT_COLUMNS,
    stdout: IO[str] | None = None,
) -> int:
    """Write the selected releases to `out` (or `stdout` when `out` is None); return the count.

    `since`/`until` bound `date` inclusively; `ministry_names` keeps only those ministries
    (an empty set keeps none). Rows come ordered by date, then news_id.
    """
    writer = _writer(fmt, excel)
    target = "<stdout>" if out is None else str(out)
    with _as_export_error(target):
        _check_columns(store, columns)
        sql, params = _query(columns, Selection(since, until, ministry_names))

        def write(stream: IO[str]) -> int:
            return writer(stream, store.rows(sql, params), columns)

        if out is None:
            stream = stdout if stdout is not None else sys.stdout
            if excel:
                stream.write("\ufeff")
            count = write(stream)
            stream.flush()
            return count
        return _write_atomically(out, "utf-8-sig" if excel else "utf-8", write)


def _writer(fmt: str, excel: bool) -> Writer:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if excel and fmt != "csv":
        raise ExportError("--excel applies to CSV only")
    if fmt == "csv":
        return _write_excel_csv if excel else _write_csv
    return _write_jsonl if fmt == "jsonl" else _write_json


def _check_columns(store: Store, columns: Sequence[str]) -> None:
    """Names go into SQL and the header, so only real columns of `releases` are accepted."""
    known = [r["name"] for r in store.rows("select name from pragma_table_info('releases')")]
    unknown = [c for c in columns if c not in known]
    if not columns or unknown:
        raise ExportError(
            f"unknown export column(s) {', '.join(unknown) or '(none given)'}; "
            f"available: {', '.join(known)}"
        )
    if len(set(columns)) != len(columns):
        raise ExportError(f"export columns listed more than once: {', '.join(columns)}")


def _query(columns: Sequence[str], selection: Selection) -> tuple[str, list[Any]]:
    where, params = selection.where()
    select = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    sql = f"select {select} from releases"
    if where:
        sql += " where " + " and ".join(where)
    return sql + " order by date, news_id", params


# -- formats ------------------------------------------------------------------------------


def _write_csv(stream: IO[str], rows: Rows, columns: Sequence[str]) -> int:
    return _write_csv_cells(stream, rows, columns, lambda value: value)


def _write_excel_csv(stream: IO[str], rows: Rows, columns: Sequence[str]) -> int:
    return _write_csv_cells(stream, rows, columns, excel_cell)


def _write_csv_cells(
    stream: IO[str], rows: Rows, columns: Sequence[str], cell: Callable[[Any], Any]
) -> int:
    writer = csv.writer(stream)
    writer.writerow([cell(c) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([cell(row[c]) for c in columns])
        count += 1
    return count


def _write_jsonl(stream: IO[str], rows: Rows, columns: Sequence[str]) -> int:
    count = 0
    for row in rows:
        stream.write(_json_line(row) + "\n")
        count += 1
    return count


def _write_json(stream: IO[str], rows: Rows, columns: Sequence[str]) -> int:
    count = 0
    for row in rows:
        stream.write(("[\n" if count == 0 else ",\n") + _json_line(row))
        count += 1
    stream.write("\n]\n" if count else "[]\n")
    return count


def _json_line(row: dict[str, Any]) -> str:
    if "contacts" in row:
        row = {**row, "contacts": _parsed_contacts(row["contacts"])}
    line = json.dumps(row, ensure_ascii=False)
    for char, escape in _LINE_BREAKS_JSON_KEEPS.items():
        line = line.replace(char, escape)
    return line


def _parsed_contacts(raw: str | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def excel_cell(value: Any) -> str:
    """One cell as Excel should see it: formula starts neutralised, length within the limit."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return _fit_excel_cell(text)


def _fit_excel_cell(text: str) -> str:
    """Cut so cell plus marker fill the limit exactly; a second pass reclaims marker digits.

    Excel counts UTF-16 units, so an emoji costs two.
    """
    if len(text.encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT:
        return text
    kept = _utf16_prefix(text, EXCEL_CELL_LIMIT - len(TRUNCATION_MARKER.format(n=len(text))))
    marker = TRUNCATION_MARKER.format(n=len(text) - len(kept))
    kept = _utf16_prefix(text, EXCEL_CELL_LIMIT - len(marker))
    return kept + TRUNCATION_MARKER.format(n=len(text) - len(kept))


def _utf16_prefix(text: str, units: int) -> str:
    """The longest prefix of `text` within `units` UTF-16 units; a split pair is dropped."""
    return text.encode("utf-16-le")[: units * 2].decode("utf-16-le", errors="ignore")


# -- files --------------------------------------------------------------------------------


def _write_atomically(out: Path, encoding: str, write: Callable[[IO[str]], int]) -> int:
    """Write beside `out` and rename over it, so readers see the old file or the whole new one."""
    with atomic_writer(out, encoding=encoding) as handle:
        return write(handle)


@contextmanager
def _as_export_error(target: str) -> Iterator[None]:
    """Whatever stops an export reaches the caller as one ExportError naming the target."""
    try:
        yield
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(f"{target}: cannot write export: {exc.strerror or exc}") from exc
    except (KscrapeError, UnicodeError) as exc:
        raise ExportError(f"{target}: export failed: {_one_line(str(exc))}") from exc


def _one_line(message: str) -> str:
    return " ".join(message.split())


__all__ = [
    "DEFAULT_COLUMNS",
    "EXCEL_CELL_LIMIT",
    "FORMATS",
    "TRUNCATION_MARKER",
    "excel_cell",
    "export_releases",
]
