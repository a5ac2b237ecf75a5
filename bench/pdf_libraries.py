"""Which PDF library to read the PDF attachments with: text fidelity, tables, speed.

For each of the 41 real PDFs this times each candidate's raw page text and scores it against
the viewer's `.md` (the similarity and recall of bench/extract_quality.py, before any of
kscrape's paragraph joining or cover removal). Tables are scored against the HWPX of the
same release, whose tables are exact: a PDF table counts as recovered when a HWPX table of
the same rows × columns exists (one-cell boxes left out on both sides).

Each row carries the date it was measured: bench/pdf_quality.py --no-libraries measures
kscrape's own rows again and carries the other libraries' rows over with their dates.

Run: python bench/pdf_libraries.py [fixtures_dir]   (prints a Markdown section)
"""

from __future__ import annotations

import io
import json
import re
import statistics
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from extract_quality import FIXTURES, ground_truth, recall, similarity

HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"


def pypdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def pdfminer_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def pdfplumber_text(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def pypdfium2_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def kscrape_text(data: bytes) -> str:
    from kscrape.extract import extract

    return extract(data).text


def pdfplumber_tables(data: bytes) -> list[tuple[int, int]]:
    """Shapes (rows, cols) of the tables pdfplumber's ruling-line finder detects."""
    import pdfplumber

    shapes = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for table in page.find_tables():
                rows = table.rows
                shapes.append((len(rows), max((len(r.cells) for r in rows), default=0)))
    return shapes


def kscrape_tables(data: bytes) -> list[tuple[int, int]]:
    from kscrape.extract.model import Table
    from kscrape.extract.pdf import pdf_blocks

    shapes = []

    def walk(blocks) -> None:
        for b in blocks:
            if isinstance(b, Table):
                shapes.append((b.rows, b.cols))
                for c in b.cells:
                    walk(c.blocks)

    walk(pdf_blocks(data))
    return shapes


def hwpx_tables(data: bytes) -> list[tuple[int, int]]:
    """Shapes of every table (nested ones too) in a HWPX package; [] for HWP 5."""
    if not data.startswith(b"PK"):
        return []
    shapes = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in sorted(n for n in zf.namelist() if n.startswith("Contents/section")):
            for tbl in ET.fromstring(zf.read(name)).iter(f"{HP}tbl"):
                shapes.append((int(tbl.get("rowCnt", 0)), int(tbl.get("colCnt", 0))))
    return shapes


TEXT = {
    "pypdf": pypdf_text,
    "pdfminer.six": pdfminer_text,
    "pdfplumber": pdfplumber_text,
    "pypdfium2": pypdfium2_text,
    "kscrape (pypdfium2 + layout)": kscrape_text,
}
TABLES = {"pdfplumber find_tables": pdfplumber_tables, "kscrape grid": kscrape_tables}
KSCRAPE = ("kscrape (pypdfium2 + layout)", "kscrape grid")  # kscrape's own rows


def _timed(fn: Callable[[bytes], object], data: bytes) -> tuple[object, float]:
    start = time.perf_counter()
    out = fn(data)
    return out, time.perf_counter() - start


def _matched(found: list[tuple[int, int]], truth: list[tuple[int, int]]) -> int:
    """How many reference tables have a found table of the same shape (boxes left out)."""
    want = Counter(s for s in truth if s != (1, 1))
    got = Counter(s for s in found if s != (1, 1))
    return sum((want & got).values())


def run(fixtures: Path, only: Collection[str] | None = None,
        kept: Mapping[str, str] | None = None) -> list[str]:
    """The section's lines. `only` names the rows to measure (all if None); the others are
    the lines of `kept` (a previous report's rows by name, with the date they were measured),
    left out where `kept` has none."""
    index = json.loads((fixtures / "index.json").read_text(encoding="utf-8"))
    text_rows: dict[str, dict[str, list[float]]] = {
        k: {} for k in TEXT if only is None or k in only}
    table_rows: dict[str, dict[str, list[float]]] = {
        k: {} for k in TABLES if only is None or k in only}
    ref_tables = 0
    for item in index:
        nid = item["news_id"]
        data = (fixtures / f"{nid}.pdf").read_bytes()
        truth = ground_truth((fixtures / f"{nid}.md").read_text(encoding="utf-8"))
        for name in text_rows:
            text, secs = _timed(TEXT[name], data)
            row = text_rows[name]
            row.setdefault("similarity", []).append(similarity(truth, str(text)))
            row.setdefault("recall", []).append(recall(truth, str(text)))
            row.setdefault("seconds", []).append(secs)
        reference = [s for s in hwpx_tables((fixtures / f"{nid}.hwpx").read_bytes()) if s != (1, 1)]
        ref_tables += len(reference)
        for name in table_rows:
            shapes, secs = _timed(TABLES[name], data)
            row = table_rows[name]
            row.setdefault("matched", []).append(_matched(shapes, reference))  # type: ignore[arg-type]
            row.setdefault("found", []).append(len([s for s in shapes if s != (1, 1)]))  # type: ignore[union-attr]
            row.setdefault("seconds", []).append(secs)
    return _report(text_rows, table_rows, ref_tables, len(index), kept or {})


TEXT_HEADER = ("| library | similarity mean | median | recall mean | s/doc mean | s/doc max "
               "| total s | measured |")
TABLES_HEADER = ("| finder | tables found | shape matches | s/doc mean | s/doc max | total s "
                 "| measured |")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _report(text_rows, table_rows, ref_tables: int, n: int,
            kept: Mapping[str, str]) -> list[str]:
    today = f"{datetime.now(UTC):%Y-%m-%d}"
    out = [
        f"Raw text against the viewer's `.md`, {n} PDFs (one core, this machine; each row on "
        "the date in its last column):",
        "",
        TEXT_HEADER,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name in TEXT:
        row = text_rows.get(name)
        if row is None:
            out += [kept[name]] if name in kept else []
            continue
        out.append(
            f"| {name} | {statistics.mean(row['similarity']):.3f} | "
            f"{statistics.median(row['similarity']):.3f} | {statistics.mean(row['recall']):.3f} | "
            f"{statistics.mean(row['seconds']):.3f} | {max(row['seconds']):.2f} | "
            f"{sum(row['seconds']):.1f} | {today} |"
        )
    out += [
        "",
        f"Tables (more than one cell) against the HWPX of the same release ({ref_tables} tables "
        "in the HWPX files that are zips; a match is a table of the same rows × columns):",
        "",
        TABLES_HEADER,
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name in TABLES:
        row = table_rows.get(name)
        if row is None:
            out += [kept[name]] if name in kept else []
            continue
        out.append(
            f"| {name} | {sum(row['found']):.0f} | {sum(row['matched']):.0f} | "
            f"{statistics.mean(row['seconds']):.3f} | {max(row['seconds']):.2f} | "
            f"{sum(row['seconds']):.1f} | {today} |"
        )
    return out


def dated_rows(lines: list[str]) -> dict[str, str]:
    """The rows of a report made by `run`, by name, that carry the date they were measured."""
    width = {**dict.fromkeys(TEXT, TEXT_HEADER.count("|")),
             **dict.fromkeys(TABLES, TABLES_HEADER.count("|"))}
    out = {}
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if width.get(cells[0]) == line.count("|") and DATE.fullmatch(cells[-1]):
            out[cells[0]] = line
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print("\n".join(run(Path(args[0]) if args else FIXTURES)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
