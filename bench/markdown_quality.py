"""kscrape's Markdown record of a release against korea.kr's viewer, beside two other converters.

For each release in the attachments folder (`<newsId>.hwpx`, `<newsId>.pdf`, the viewer's
`<newsId>.md`, index.json), kscrape's record is the Markdown `kscrape show` prints
(kscrape.record.to_markdown): `# title`, metadata, `## 본문`, `## 담당 부서`, `## 첨부파일`. It is
scored against the `.md` with bench/markdown_metrics.py (NID, TEDS, MHS, overall), side by side
with the files of readhim and OpenDataLoader in `peers/`, and with kscrape's plain text as it
was stored before Markdown existed. Recall of the viewer's text and HWPX → Markdown throughput
on one core are measured too.

Where kscrape's records come from is one function, `records_from_files`: it extracts each
release's attachments in process. An end-to-end source (crawl a replica that serves these
files at depth `files`, then `kscrape show`) can replace it with the same signature.

Run: python bench/markdown_quality.py [attachments_dir]
"""

from __future__ import annotations

import json
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import markdown_metrics as metrics
from kscrape.extract import Extraction, best_text, extract, extract_contacts
from kscrape.extract.magic import sniff
from kscrape.models import view_url
from kscrape.record import Record, to_markdown

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = Path("/work/shared/korea_kr/attachments")
FALLBACK_DIR = ROOT / "tests" / "fixtures" / "attachments"
RESULTS = Path(__file__).resolve().parent / "RESULTS-markdown.md"
PEERS = ("readhim", "opendataloader")
GOALS = {"overall": 0.80, "nid": 0.85, "teds": 0.75, "mhs": 0.70, "recall": 0.98, "rate": 100.0}
PUBLISHED = {
    "readhim": {"overall": 0.474, "nid": 0.696, "teds": 0.318, "mhs": 0.287},
    "opendataloader": {"overall": 0.363, "nid": 0.660, "teds": 0.218, "mhs": 0.113},
}

Source = Callable[[Path, list[dict[str, Any]]], dict[str, str]]


def published_at(approve_date: str) -> str:
    """index.json's "MM/DD/YYYY HH:MM:SS" (KST) as the ISO time the store keeps."""
    moment = datetime.strptime(approve_date, "%m/%d/%Y %H:%M:%S")
    return moment.strftime("%Y-%m-%dT%H:%M:%S+09:00")


def record_row(item: dict[str, Any], best: Extraction | None) -> dict[str, Any]:
    """The releases row the crawler would store for this release at depth `files`."""
    contacts = extract_contacts(best.text) if best else []
    stamp = published_at(item["approve_date"])
    return {
        "news_id": item["news_id"],
        "title": item["title"],
        "ministry": item["ministry"],
        "date": stamp[:10],
        "published_at": stamp,
        "url": view_url(item["news_id"]),
        "body": best.text if best else "",
        "body_md": (best.markdown or None) if best else None,
        "contacts": json.dumps(contacts, ensure_ascii=False) if contacts else None,
    }


def records_from_files(folder: Path, index: list[dict[str, Any]]) -> dict[str, str]:
    """kscrape's Markdown record of each release, extracting its attachment files in process.

    The attachments carry the names korea.kr published them under, in its order, as a crawl
    reads them off the view page; index.json lacks them, so they are read from the metadata
    list of the `.md` (`- HWPX 첨부: …`), and default to the file names at hand.
    """
    out: dict[str, str] = {}
    for item in index:
        news_id = item["news_id"]
        names = published_names(folder / f"{news_id}.md")
        attachments = []
        extractions = []
        order = list(names)
        for kind in sorted(("hwpx", "pdf"), key=lambda k: order.index(k) if k in order else 9):
            path = folder / f"{news_id}.{kind}"
            if path.exists():
                extractions.append(extract(path.read_bytes()))
                attachments.append({"name": names.get(kind, path.name), "kind": kind})
        row = record_row(item, best_text(extractions))
        out[news_id] = to_markdown(Record(row, attachments))
    return out


_NAME_RE = re.compile(r"^- (HWPX|PDF) 첨부: (.+)$", re.M)


def published_names(md_path: Path) -> dict[str, str]:
    """Attachment names by kind ("hwpx", "pdf") from a `.md`'s metadata list, in its order."""
    if not md_path.exists():
        return {}
    head = md_path.read_text(encoding="utf-8").split("## 본문", 1)[0]
    return {kind.lower(): name.strip() for kind, name in _NAME_RE.findall(head)}


def plain_text_bodies(folder: Path, index: list[dict[str, Any]]) -> dict[str, str]:
    """The plain text kscrape stored before it had Markdown: the body alone."""
    out = {}
    for item in index:
        best = best_text([extract((folder / f"{item['news_id']}.hwpx").read_bytes())])
        out[item["news_id"]] = best.text if best else ""
    return out


@dataclass(frozen=True)
class DocScore:
    news_id: str
    scores: metrics.Scores
    recall: float


def score_all(folder: Path, index: list[dict[str, Any]], preds: dict[str, str]) -> list[DocScore]:
    """Every release scored; a release without a prediction scores as an empty document."""
    out = []
    for item in index:
        truth = (folder / f"{item['news_id']}.md").read_text(encoding="utf-8")
        pred = preds.get(item["news_id"], "")
        scores = metrics.score(truth, pred)
        out.append(DocScore(item["news_id"], scores, metrics.recall(viewer_body(truth), pred)))
    return out


def viewer_body(md: str) -> str:
    """The viewer's text of a release: its `.md` between `## 본문` and `## 첨부파일`."""
    start = md.find("## 본문")
    start = start + len("## 본문") if start >= 0 else 0
    end = md.find("\n## 첨부파일", start)
    return md[start : end if end >= 0 else None]


def summary(scores: list[DocScore]) -> dict[str, dict[str, float]]:
    columns: dict[str, list[float]] = {k: [] for k in ("overall", "nid", "teds", "mhs", "recall")}
    for s in scores:
        columns["overall"].append(s.scores.overall)
        columns["nid"].append(s.scores.nid)
        if s.scores.teds is not None:
            columns["teds"].append(s.scores.teds)
        if s.scores.mhs is not None:
            columns["mhs"].append(s.scores.mhs)
        columns["recall"].append(s.recall)
    return {
        k: {"mean": statistics.mean(v), "median": statistics.median(v), "n": len(v)}
        for k, v in columns.items()
        if v
    }


def hwpx_rate(folder: Path, index: list[dict[str, Any]], rounds: int = 3) -> tuple[float, int]:
    """HWPX zips → Markdown per second on one core (best of a few rounds)."""
    blobs = []
    for item in index:
        data = (folder / f"{item['news_id']}.hwpx").read_bytes()
        if sniff(data) == "hwpx":
            blobs.append(data)
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for data in blobs:
            extract(data)
        elapsed = time.perf_counter() - start
        best = max(best, len(blobs) / elapsed)
    return best, len(blobs)


def run(folder: Path, source: Source = records_from_files) -> dict[str, Any]:
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    ours = source(folder, index)
    systems: dict[str, list[DocScore]] = {"kscrape": score_all(folder, index, ours)}
    for peer in PEERS:
        preds = {
            p.stem: p.read_text(encoding="utf-8")
            for p in sorted((folder / "peers" / peer).glob("*.md"))
        }
        systems[peer] = score_all(folder, index, preds)
    systems["kscrape plain text (before)"] = score_all(
        folder, index, plain_text_bodies(folder, index)
    )
    rate, n = hwpx_rate(folder, index)
    return {
        "systems": systems,
        "summaries": {k: summary(v) for k, v in systems.items()},
        "rate": rate,
        "rate_files": n,
        "seconds": time.perf_counter() - started,
        "documents": len(index),
        "records": ours,
    }


def _met(value: float, goal: float) -> str:
    return "yes" if value >= goal else "no"


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def report(result: dict[str, Any], notes: list[str]) -> str:
    s = result["summaries"]
    lines = [
        "## Structured Markdown quality (NID, TEDS, MHS)",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {platform.platform()}, "
        f"Python {platform.python_version()}",
        f"- documents: {result['documents']} releases (HWPX or HWP 5 + PDF each); truth: the "
        "viewer's `.md`; metrics: bench/markdown_metrics.py",
        "",
        "### Per metric, mean (median); TEDS only over releases whose `.md` has a table",
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
    k = s["kscrape"]
    lines += [
        "",
        f"TEDS applies to {k['teds']['n']} releases, MHS to {k['mhs']['n']}. Releases a peer "
        "did not convert (readhim: 2) score as empty documents.",
        "",
        "### Goals",
        "",
        "| goal | kscrape | target | met |",
        "| --- | ---: | ---: | --- |",
    ]
    for key in ("overall", "nid", "teds", "mhs"):
        value = k[key]["mean"]
        lines.append(f"| {key} (mean) | {value:.3f} | ≥ {GOALS[key]} | {_met(value, GOALS[key])} |")
    rec = k["recall"]["median"]
    lines.append(
        f"| recall (median) | {rec:.3f} | ≥ {GOALS['recall']} | {_met(rec, GOALS['recall'])} |"
    )
    rate = result["rate"]
    lines.append(
        f"| HWPX → Markdown, one core | {rate:.0f} docs/s ({result['rate_files']} files) | "
        f"≥ {GOALS['rate']:.0f} docs/s | {'yes' if rate >= GOALS['rate'] else 'no'} |"
    )
    lines += ["", "### Calibration: the peers scored here against their published means", ""]
    lines += ["| converter | overall | NID | TEDS | MHS |", "| --- | ---: | ---: | ---: | ---: |"]
    for peer, pub in PUBLISHED.items():
        here = s[peer]
        lines.append(
            f"| {peer}, published (99 docs) | "
            + " | ".join(f"{pub[key]:.3f}" for key in ("overall", "nid", "teds", "mhs"))
            + " |"
        )
        lines.append(
            f"| {peer}, these {result['documents']} docs | "
            + " | ".join(f"{here[key]['mean']:.3f}" for key in ("overall", "nid", "teds", "mhs"))
            + " |"
        )
    lines += ["", *notes, "", "### Per release (kscrape)", ""]
    lines += [
        "| newsId | overall | NID | TEDS | MHS | recall | readhim overall "
        "| OpenDataLoader overall |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    peers = {p: {d.news_id: d for d in result["systems"][p]} for p in PEERS}
    for d in result["systems"]["kscrape"]:
        sc = d.scores
        lines.append(
            f"| {d.news_id} | {sc.overall:.3f} | {sc.nid:.3f} | {_fmt(sc.teds)} | {_fmt(sc.mhs)} "
            f"| {d.recall:.3f} | {peers['readhim'][d.news_id].scores.overall:.3f} "
            f"| {peers['opendataloader'][d.news_id].scores.overall:.3f} |"
        )
    return "\n".join(lines) + "\n"


NOTES_FILE = Path(__file__).resolve().parent / "markdown_quality_notes.md"


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    if not (folder / "index.json").exists():
        folder = FALLBACK_DIR
    result = run(folder)
    notes = NOTES_FILE.read_text(encoding="utf-8").splitlines() if NOTES_FILE.exists() else []
    text = report(result, notes)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
