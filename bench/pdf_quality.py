"""PDF attachments alone: kscrape's Markdown record from the PDF against korea.kr's viewer.

The same record and metrics as bench/markdown_quality.py, with each release's PDF as its only
attachment (the path kscrape takes when a release has no HWPX/HWP), side by side with
OpenDataLoader's PDF → Markdown files in `peers/` and with kscrape's record from the HWPX.
Also: extraction time per PDF, and the library comparison of bench/pdf_libraries.py;
--no-libraries measures only kscrape's rows of it again (seconds, not minutes) and carries the
other libraries' rows over from the last report, each with the date it was measured.

Run: python bench/pdf_quality.py [attachments_dir] [--no-libraries]
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import markdown_metrics as metrics
import markdown_quality as mq
import pdf_libraries
from kscrape.extract import best_text, extract
from kscrape.record import Record, to_markdown

RESULTS = Path(__file__).resolve().parent / "RESULTS-pdf.md"
SYSTEMS = ("kscrape, PDF", "OpenDataLoader, PDF", "kscrape, HWPX/HWP")


def records_from_pdf(
    folder: Path, index: list[dict[str, Any]]
) -> tuple[dict[str, str], list[float]]:
    """kscrape's Markdown record of each release with its body from the PDF alone, and the
    seconds each extraction took. The record lists the release's attachments as published
    (HWPX and PDF), as a crawl would; only the body's source differs from markdown_quality."""
    out: dict[str, str] = {}
    seconds = []
    for item in index:
        news_id = item["news_id"]
        names = mq.published_names(folder / f"{news_id}.md")
        data = (folder / f"{news_id}.pdf").read_bytes()
        start = time.perf_counter()
        ex = extract(data)
        seconds.append(time.perf_counter() - start)
        row = mq.record_row(item, best_text([ex]))
        attachments = [{"name": name, "kind": kind} for kind, name in names.items()]
        out[news_id] = to_markdown(Record(row, attachments))
    return out, seconds


def run(folder: Path) -> dict[str, Any]:
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    ours, seconds = records_from_pdf(folder, index)
    peer = {
        p.stem: p.read_text(encoding="utf-8")
        for p in sorted((folder / "peers" / "opendataloader").glob("*.md"))
    }
    systems = {
        SYSTEMS[0]: mq.score_all(folder, index, ours),
        SYSTEMS[1]: mq.score_all(folder, index, peer),
        SYSTEMS[2]: mq.score_all(folder, index, mq.records_from_files(folder, index)),
    }
    return {
        "systems": systems,
        "summaries": {k: mq.summary(v) for k, v in systems.items()},
        "seconds": seconds,
        "documents": len(index),
        "tables": tables_against_hwpx(folder, index, {SYSTEMS[0]: ours, SYSTEMS[1]: peer}),
    }


def tables_against_hwpx(
    folder: Path, index: list[dict[str, Any]], preds: dict[str, dict[str, str]]
) -> dict[str, list[float]]:
    """TEDS of each system's tables with the tables of the release's HWPX/HWP as truth.

    The viewer's `.md` drops many tables and renders others oddly; the HWPX of the same
    release holds every table with its exact grid and spans, so it measures how much of the
    tables a PDF reader recovers. Releases whose HWPX has no table are left out.
    """
    out: dict[str, list[float]] = {name: [] for name in preds}
    for item in index:
        news_id = item["news_id"]
        truth = extract((folder / f"{news_id}.hwpx").read_bytes()).markdown
        for name, by_id in preds.items():
            score = metrics.teds(truth, by_id.get(news_id, ""))
            if score is not None:
                out[name].append(score)
    return out


def report(result: dict[str, Any], libraries: list[str], notes: list[str]) -> str:
    s = result["summaries"]
    secs = result["seconds"]
    lines = [
        "# PDF attachments: structured Markdown",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {platform.platform()}, "
        f"Python {platform.python_version()}",
        f"- documents: {result['documents']} releases, each one's PDF alone; truth: the viewer's "
        "`.md`; record and metrics as in bench/markdown_quality.py",
        "",
        "## Per metric, mean (median); TEDS only over releases whose `.md` has a table",
        "",
        "| system | overall | NID | TEDS | MHS | recall of the viewer's text |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, summ in s.items():
        cells = []
        for key in ("overall", "nid", "teds", "mhs", "recall"):
            m = summ.get(key)
            cells.append(f"{m['mean']:.3f} ({m['median']:.3f})" if m else "—")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"PDF → Markdown time per document, one core: mean {statistics.mean(secs):.3f} s, "
        f"median {statistics.median(secs):.3f} s, max {max(secs):.2f} s "
        f"({len(secs)} files, {sum(secs):.1f} s in all).",
        "",
        "## Tables against the HWPX of the same release",
        "",
        "TEDS with the tables of kscrape's reading of the release's HWPX/HWP (exact grids and",
        "spans) as truth, over the releases whose HWPX has a table; mean (median):",
        "",
        "| system | TEDS against the HWPX tables | releases |",
        "| --- | ---: | ---: |",
        *(
            f"| {name} | {statistics.mean(v):.3f} ({statistics.median(v):.3f}) | {len(v)} |"
            for name, v in result["tables"].items()
        ),
        "",
        *notes,
        "",
        "## Per release",
        "",
        "| newsId | overall | NID | TEDS | MHS | recall | OpenDataLoader overall "
        "| kscrape HWPX overall |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    other = {name: {d.news_id: d for d in result["systems"][name]} for name in SYSTEMS[1:]}
    for d in result["systems"][SYSTEMS[0]]:
        sc = d.scores
        lines.append(
            f"| {d.news_id} | {sc.overall:.3f} | {sc.nid:.3f} | {mq._fmt(sc.teds)} "
            f"| {mq._fmt(sc.mhs)} | {d.recall:.3f} "
            f"| {other[SYSTEMS[1]][d.news_id].scores.overall:.3f} "
            f"| {other[SYSTEMS[2]][d.news_id].scores.overall:.3f} |"
        )
    if libraries:
        lines += ["", LIBRARIES_HEADING, "", *libraries]
    return "\n".join(lines) + "\n"


NOTES_FILE = Path(__file__).resolve().parent / "pdf_quality_notes.md"
LIBRARIES_HEADING = "## Choosing the PDF library"


def previous_libraries() -> dict[str, str]:
    """The dated rows of the last report's library comparison, by library."""
    if not RESULTS.exists():
        return {}
    text = RESULTS.read_text(encoding="utf-8")
    start = text.find(LIBRARIES_HEADING)
    if start < 0:
        return {}
    return pdf_libraries.dated_rows(text[start + len(LIBRARIES_HEADING) :].split("\n"))


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    folder = Path(args[0]) if args else mq.DEFAULT_DIR
    if not (folder / "index.json").exists():
        folder = mq.FALLBACK_DIR
    result = run(folder)
    if "--no-libraries" in argv:
        libraries = pdf_libraries.run(folder, only=pdf_libraries.KSCRAPE,
                                      kept=previous_libraries())
    else:
        libraries = pdf_libraries.run(folder)
    notes = NOTES_FILE.read_text(encoding="utf-8").splitlines() if NOTES_FILE.exists() else []
    text = report(result, libraries, notes)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
