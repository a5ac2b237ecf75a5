r"""How close attachment text comes to what korea.kr's own viewer shows.

For every real release in tests/fixtures/attachments, the viewer's rendering (`<id>.md`,
between `## 본문` and `## 첨부파일`) is the ground truth. Both sides lose all whitespace and
the Markdown punctuation `| # * - : > \``, then are compared with a normalised Levenshtein
similarity: 1.0 is identical text in identical order.

Run: python bench/extract_quality.py [fixtures_dir]
"""

from __future__ import annotations

import html
import io
import json
import platform
import re
import resource
import statistics
import sys
import time
import tracemalloc
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from kscrape.extract import Extraction, extract, sniff
from kscrape.extract.model import Block, Bullets, Contacts
from kscrape.extract.plaintext import to_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "attachments"
RESULTS = Path(__file__).resolve().parent / "RESULTS-extract.md"

_STRIP_RE = re.compile(r"[\s|#*\-:>`]")
_SECTION_RE = re.compile(r"Contents/section(\d+)\.xml")
_T_RE = re.compile(r"<hp:t(?:\s[^>]*)?>(.*?)</hp:t>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")

GOALS = {
    "hwpx_mean": 0.90,
    "hwpx_median": 0.95,
    "hwp_mean": 0.90,
    "hwp_median": 0.95,
    "pdf_mean": 0.85,
    "hwpx_files_per_s": 20.0,
}
EXPLAIN_BELOW = 0.6
ALTERNATIVES = [
    "- extract-hwp 0.2.1 (BSD-3): HWPX zips mean 0.762 / median 0.837, HWP 5 mean 0.895 "
    "(it keeps the masthead and all runs; same as the naive baseline on HWPX).",
    "- hwp-hwpx-parser 1.0.0 (Apache-2.0): HWPX zips mean 0.734 / median 0.809, HWP 5 mean "
    "0.873; about 7× slower than kscrape.extract on HWPX.",
    "- PDF, raw page text before paragraph joining and masthead removal: pypdf 7.1 mean 0.754 "
    "/ median 0.839 in 13 s for 41 files; pdfminer.six mean 0.708 / median 0.811 in 25 s.",
]


@dataclass(frozen=True)
class Score:
    """One file's similarity to the ground truth, with the lengths that explain it."""

    news_id: str
    kind: str
    status: str
    similarity: float
    recall: float
    truth_chars: int
    extracted_chars: int
    similarity_without_contacts: float = 0.0
    similarity_without_summary: float = 0.0
    similarity_bare: float = 0.0  # without the contact block and without the subtitles


def normalise(text: str) -> str:
    """Drop whitespace and Markdown punctuation, so only the words and their order count."""
    return _STRIP_RE.sub("", text)


def ground_truth(md: str) -> str:
    """The viewer's body: everything between `## 본문` and `## 첨부파일`."""
    start = md.index("## 본문") + len("## 본문")
    end = md.find("## 첨부파일", start)
    return md[start : end if end >= 0 else None]


_CONTACT_SECTION_RE = re.compile(r"^## 담당 부서\n.*?(?=^## |\Z)", re.S | re.M)


def without_contacts(truth: str) -> str:
    """The .md without its `## 담당 부서` list."""
    return _CONTACT_SECTION_RE.sub("", truth)


def text_without(ex: Extraction, *kinds: type[Block]) -> str:
    """The extraction's text rendered without blocks of the given kinds (HWPX/HWP blocks;
    a PDF keeps its text)."""
    if not ex.blocks:
        return ex.text
    return to_text(b for b in ex.blocks if not isinstance(b, kinds))


def similarity(truth: str, text: str) -> float:
    return Levenshtein.normalized_similarity(normalise(truth), normalise(text))


def recall(truth: str, text: str) -> float:
    """Share of the viewer's characters found, in order, in the extraction.

    Low similarity with high recall means the extraction holds everything the viewer shows
    plus text the viewer dropped (tables, appendices), not that extraction lost anything.
    """
    a, b = normalise(truth), normalise(text)
    if not a:
        return 1.0
    kept = sum(op.src_end - op.src_start for op in Levenshtein.opcodes(a, b) if op.tag == "equal")
    return kept / len(a)


def naive_hwpx_text(data: bytes) -> str:
    """Baseline: every hp:t run of every section, concatenated."""
    with zipfile.ZipFile(_bytes_io(data)) as zf:
        names = sorted(
            (n for n in zf.namelist() if _SECTION_RE.fullmatch(n)),
            key=lambda n: int(_SECTION_RE.fullmatch(n)[1]),
        )
        runs = [m for n in names for m in _T_RE.findall(zf.read(n).decode("utf-8"))]
    return html.unescape(_TAG_RE.sub("", "".join(runs)))


def _bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def _recalls(scores: list[Score]) -> dict[str, float]:
    return {
        k: statistics.mean([s.recall for s in scores if s.kind == k] or [0.0])
        for k in ("hwpx", "hwp", "pdf")
    }


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0, "mean": 0.0, "median": 0.0, "worst": 0.0}
    return {
        "n": len(values),
        "mean": statistics.mean(values),
        "median": statistics.median(values),
        "worst": min(values),
    }


def _kind_of(ex: Extraction, data: bytes) -> str:
    return ex.format if ex.format in ("hwpx", "hwp", "pdf") else sniff(data)


def _speed(blobs: list[bytes], rounds: int = 3) -> float:
    """HWPX zips per second of CPU time on one core (best of a few rounds, to damp noise).

    CPU time, not wall time: on a shared machine other work stretches the wall clock.
    """
    best = 0.0
    for _ in range(rounds):
        start = time.process_time()
        for data in blobs:
            extract(data)
        elapsed = time.process_time() - start
        best = max(best, len(blobs) / elapsed if elapsed else 0.0)
    return best


def _peak_memory(blobs: list[bytes]) -> int:
    tracemalloc.start()
    try:
        for data in blobs:
            extract(data)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(fixtures_dir: Path = FIXTURES) -> dict:
    """Score every fixture; return per-file scores, per-kind summaries, speed and memory."""
    index = json.loads((fixtures_dir / "index.json").read_text(encoding="utf-8"))
    scores: list[Score] = []
    baseline: list[float] = []
    hwpx_zips: list[bytes] = []
    all_blobs: list[bytes] = []
    for item in index:
        news_id = item["news_id"]
        truth = ground_truth((fixtures_dir / f"{news_id}.md").read_text(encoding="utf-8"))
        for suffix in ("hwpx", "pdf"):
            path = fixtures_dir / f"{news_id}.{suffix}"
            if not path.exists():
                continue
            data = path.read_bytes()
            all_blobs.append(data)
            ex = extract(data)
            kind = _kind_of(ex, data)
            if kind == "hwpx":
                hwpx_zips.append(data)
                baseline.append(similarity(truth, naive_hwpx_text(data)))
            scores.append(
                Score(
                    news_id,
                    kind,
                    ex.status,
                    similarity(truth, ex.text),
                    recall(truth, ex.text),
                    len(normalise(truth)),
                    len(normalise(ex.text)),
                    similarity(without_contacts(truth), text_without(ex, Contacts)),
                    similarity(truth, text_without(ex, Bullets)),
                    similarity(without_contacts(truth), text_without(ex, Contacts, Bullets)),
                )
            )
    kinds = {
        k: _summary([s.similarity for s in scores if s.kind == k]) for k in ("hwpx", "hwp", "pdf")
    }
    return {
        "scores": scores,
        "kinds": kinds,
        "recall": _recalls(scores),
        "kinds_trusted_md": {
            k: _summary([s.similarity for s in scores if s.kind == k and not _untrusted(s)])
            for k in ("hwpx", "hwp", "pdf")
        },
        "hwpx_without_contacts": _summary(
            [s.similarity_without_contacts for s in scores if s.kind == "hwpx"]
        ),
        "hwpx_without_contacts_trusted": _summary(
            [
                s.similarity_without_contacts
                for s in scores
                if s.kind == "hwpx" and not _untrusted(s)
            ]
        ),
        "hwpx_without_summary": _summary(
            [s.similarity_without_summary for s in scores if s.kind == "hwpx"]
        ),
        "hwpx_bare": _summary([s.similarity_bare for s in scores if s.kind == "hwpx"]),
        "hwpx_bare_trusted": _summary(
            [s.similarity_bare for s in scores if s.kind == "hwpx" and not _untrusted(s)]
        ),
        "baseline_hwpx": _summary(baseline),
        "hwpx_files_per_s": _speed(hwpx_zips),
        "peak_tracemalloc_bytes": _peak_memory(all_blobs),
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


# Why a file scores under 0.6, checked by reading the .md next to the document. High recall
# (the viewer's text is all there, in order) with a much longer extraction means the viewer
# dropped content, not that extraction failed.
_VIEWER_DROPPED = (
    "the viewer's .md is incomplete: recall {recall} shows all of its text is extracted in "
    "order, but the .md body is {truth} chars against {extracted} in the document; "
)
EXPLANATIONS = {
    "156754052": _VIEWER_DROPPED
    + "it omits the one-cell boxes of section Ⅱ (✓ programme descriptions and ☞ 신청기간/"
    "신청방법 lines) and the ▴ summary boxes; the PDF of the same release has the same text.",
    "156754060": _VIEWER_DROPPED
    + "it keeps only the four lead paragraphs and the contacts and omits the whole 참고 "
    "appendix (a floating 36×5 budget table, treatAsChar=0, of 추경 items with contacts).",
    "156754133": _VIEWER_DROPPED
    + "it omits the 붙임 table of 추가경정예산 items (a floating 15×4 table, treatAsChar=0).",
    "156754182": _VIEWER_DROPPED
    + "it omits every table of 붙임 1 (평가 지표, 24×5) and 붙임 2 (the 1,464 agency names "
    "in ten floating tables); only their headings (□ 중앙행정기관(51) …) remain in the .md.",
    "156754211": "the viewer's .md body is empty (65 chars: the masthead cell '원 | 보도자료' and "
    "the contact list); the release text (법무부는 2026. 4. 13.(월) 경력법조인 출신 …) is only "
    "in the attachments, so any faithful extraction scores low here.",
    "156754222": "the PDF attachment is a different document: a one-page photo appendix "
    "('(붙임 2) 사진 자료', 99 chars); the release text is only in the HWPX (0.66).",
}


# Why a goal on all files is missed, checked file by file (diff of the normalised strings and
# the section XML). Placeholders are filled from the run.
GAPS = [
    "Five releases have an incomplete .md (052, 060, 133, 182, 211, listed below): they alone "
    "pull the HWPX mean from {hwpx_trusted_mean} (n={hwpx_trusted_n}) down to {hwpx_mean}. "
    "211 scored 0.815 only while its body (a one-cell box below the title box) was dropped "
    "with the cover; now that it is extracted, the empty .md cannot match it.",
    "The contact table: extraction renders it as the .md does, a `담당 부서` section of one "
    'line per row ("담당 부서: 기획조정실 / 책임자 과 장 이하녕 / (044-204-7320)"), but keeps '
    "the phone number of every row where the .md keeps it on some rows only, and keeps the "
    "section for 103, 141, 148, 222 and 249, where the .md leaves it out. With the contact "
    "block left out on both sides the HWPX median is {hwpx_nc_median} (mean {hwpx_nc_mean}); "
    "excluding the incomplete .md, median {hwpx_nc_trusted_median}, mean "
    "{hwpx_nc_trusted_mean}.",
    "The subtitles of the title box (\"- 총 4,165억원 증액 의결 -\"): the release's own summary, "
    "kept as lines at the start of the text; the .md leaves them out with the cover. Without "
    "them the HWPX median is {hwpx_ns_median} (mean {hwpx_ns_mean}); without them and the "
    "contact block, median {hwpx_bare_median} (mean {hwpx_bare_mean}), excluding the "
    "incomplete .md median {hwpx_bare_trusted_median} (mean {hwpx_bare_trusted_mean}). The "
    "median goal is missed through these two alone.",
    "Tables the viewer omits although they hold data: 124 (지원 설비 유형), 126 (two 27-row "
    "result tables by 품목), 180 (정량요건 and 이직사유 tables of 참고), 194 and 244 (event "
    "schedules), 228 (company figures), 267 (세부품명 table), 275 (일평균 거래량). They stay: "
    "they are body content, and no structural attribute sets them apart from tables the viewer "
    "does show (same treatAsChar=1, textWrap, repeatHeader as 188's 기관명 table or 228's "
    "규제대상 table).",
    "Text boxes (hp:rect/hp:drawText) the viewer does not show: 143's five-step flowchart and "
    "222's ※ note on the Penn Museum; kept as content.",
    "The cover is treated inconsistently by the viewer: it keeps the document-type label in 12 "
    'of 39 releases ("동정자료" in 282 but not in 280, with the same `\\t동정자료\\t` cell '
    "layout), the whole title box in 278, and drops the lead paragraph of 093. The label and "
    "the embargo line are cover furniture and stay out; the title is the record's own.",
    "PDF: the PDFs are renderings of the same HWPX (normalised text identical for most), so the "
    "causes above apply; in addition 211 (.md body empty) and 222 (the PDF is a photo "
    "appendix) score near 0, and with the four incomplete .md files these six cost the PDF "
    "mean about 0.1 (all files {pdf_mean}, excluding them {pdf_trusted_mean}).",
]


# Files whose score says nothing about extraction: the .md is incomplete, or (222) the PDF is
# another document than the release.
INCOMPLETE_MD = {"156754052", "156754060", "156754133", "156754182", "156754211"}
WRONG_ATTACHMENT = {("156754222", "pdf")}


def _untrusted(s: Score) -> bool:
    return s.news_id in INCOMPLETE_MD or (s.news_id, s.kind) in WRONG_ATTACHMENT


def _explain(s: Score) -> str:
    why = EXPLANATIONS.get(s.news_id, "not yet explained")
    return why.format(recall=f"{s.recall:.2f}", truth=s.truth_chars, extracted=s.extracted_chars)


def _table(result: dict) -> list[str]:
    lines = ["| newsId | kind | status | similarity | recall | .md chars | extracted chars |"]
    lines.append("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for s in result["scores"]:
        lines.append(
            f"| {s.news_id} | {s.kind} | {s.status} | {s.similarity:.3f} | {s.recall:.3f} | "
            f"{s.truth_chars} | {s.extracted_chars} |"
        )
    return lines


def _figures(result: dict) -> list[str]:
    k = result["kinds"]
    rows = [
        ("HWPX zips: mean", k["hwpx"]["mean"], f"≥ {GOALS['hwpx_mean']}"),
        ("HWPX zips: median", k["hwpx"]["median"], f"≥ {GOALS['hwpx_median']}"),
        ("HWPX zips: worst", k["hwpx"]["worst"], "explained if < 0.6"),
        ("HWP 5: mean", k["hwp"]["mean"], f"≥ {GOALS['hwp_mean']}"),
        ("HWP 5: median", k["hwp"]["median"], f"≥ {GOALS['hwp_median']}"),
        ("HWP 5: worst", k["hwp"]["worst"], "explained if < 0.6"),
        ("PDF: mean", k["pdf"]["mean"], f"≥ {GOALS['pdf_mean']}"),
        ("PDF: median", k["pdf"]["median"], "—"),
        ("PDF: worst", k["pdf"]["worst"], "explained if < 0.6"),
        ("naive hp:t baseline (HWPX): mean", result["baseline_hwpx"]["mean"], "≈ 0.76"),
        ("naive hp:t baseline (HWPX): median", result["baseline_hwpx"]["median"], "≈ 0.84"),
    ]
    r = result["recall"]
    t = result["kinds_trusted_md"]
    rows += [
        (
            f"HWPX zips excluding incomplete .md / wrong attachment (n={t['hwpx']['n']}): mean",
            t["hwpx"]["mean"],
            f"≥ {GOALS['hwpx_mean']}",
        ),
        (
            "HWPX zips excluding incomplete .md / wrong attachment: median",
            t["hwpx"]["median"],
            f"≥ {GOALS['hwpx_median']}",
        ),
        (
            f"PDF excluding incomplete .md / wrong attachment (n={t['pdf']['n']}): mean",
            t["pdf"]["mean"],
            f"≥ {GOALS['pdf_mean']}",
        ),
        (
            "HWPX zips, contact block left out on both sides: mean",
            result["hwpx_without_contacts"]["mean"],
            "diagnostic",
        ),
        (
            "HWPX zips, contact block left out on both sides: median",
            result["hwpx_without_contacts"]["median"],
            "diagnostic",
        ),
        (
            "… the same excluding incomplete .md: mean",
            result["hwpx_without_contacts_trusted"]["mean"],
            "diagnostic",
        ),
        (
            "… the same excluding incomplete .md: median",
            result["hwpx_without_contacts_trusted"]["median"],
            "diagnostic",
        ),
        (
            "HWPX zips, subtitles left out of ours: mean",
            result["hwpx_without_summary"]["mean"],
            "diagnostic",
        ),
        (
            "HWPX zips, subtitles left out of ours: median",
            result["hwpx_without_summary"]["median"],
            "diagnostic",
        ),
        (
            "HWPX zips, both left out: mean",
            result["hwpx_bare"]["mean"],
            "diagnostic",
        ),
        (
            "HWPX zips, both left out: median",
            result["hwpx_bare"]["median"],
            "diagnostic",
        ),
        (
            "… the same excluding incomplete .md: mean",
            result["hwpx_bare_trusted"]["mean"],
            "diagnostic",
        ),
        (
            "… the same excluding incomplete .md: median",
            result["hwpx_bare_trusted"]["median"],
            "diagnostic",
        ),
        ("HWPX zips: mean recall of the viewer's text", r["hwpx"], "—"),
        ("HWP 5: mean recall", r["hwp"], "—"),
        ("PDF: mean recall", r["pdf"], "—"),
    ]
    out = ["| figure | value | goal |", "| --- | ---: | --- |"]
    out += [f"| {name} | {value:.3f} | {goal} |" for name, value, goal in rows]
    out.append(
        f"| HWPX extraction (text and Markdown) rate, one core, CPU time | "
        f"{result['hwpx_files_per_s']:.1f} files/s | "
        f"≥ {GOALS['hwpx_files_per_s']:.0f} files/s |"
    )
    out.append(
        f"| peak traced memory, all {len(result['scores'])} files | "
        f"{result['peak_tracemalloc_bytes'] / 2**20:.1f} MiB | bounded |"
    )
    out.append(f"| max RSS of the bench process | {result['max_rss_kib'] / 1024:.0f} MiB | — |")
    return out


def _gaps(result: dict) -> list[str]:
    k, t = result["kinds"], result["kinds_trusted_md"]
    nc, nct = result["hwpx_without_contacts"], result["hwpx_without_contacts_trusted"]
    ns, bare, bt = result["hwpx_without_summary"], result["hwpx_bare"], result["hwpx_bare_trusted"]
    missed = (
        k["hwpx"]["mean"] < GOALS["hwpx_mean"]
        or k["hwpx"]["median"] < GOALS["hwpx_median"]
        or k["pdf"]["mean"] < GOALS["pdf_mean"]
    )
    if not missed:
        return ["None."]
    values = {
        "hwpx_mean": f"{k['hwpx']['mean']:.3f}",
        "hwpx_trusted_mean": f"{t['hwpx']['mean']:.3f}",
        "hwpx_trusted_n": t["hwpx"]["n"],
        "hwpx_nc_mean": f"{nc['mean']:.3f}",
        "hwpx_nc_median": f"{nc['median']:.3f}",
        "hwpx_nc_trusted_mean": f"{nct['mean']:.3f}",
        "hwpx_nc_trusted_median": f"{nct['median']:.3f}",
        "hwpx_ns_mean": f"{ns['mean']:.3f}",
        "hwpx_ns_median": f"{ns['median']:.3f}",
        "hwpx_bare_mean": f"{bare['mean']:.3f}",
        "hwpx_bare_median": f"{bare['median']:.3f}",
        "hwpx_bare_trusted_mean": f"{bt['mean']:.3f}",
        "hwpx_bare_trusted_median": f"{bt['median']:.3f}",
        "pdf_mean": f"{k['pdf']['mean']:.3f}",
        "pdf_trusted_mean": f"{t['pdf']['mean']:.3f}",
    }
    return [f"- {gap.format(**values)}" for gap in GAPS]


def _low(result: dict) -> list[Score]:
    return [s for s in result["scores"] if s.similarity < EXPLAIN_BELOW]


def report(result: dict) -> str:
    """The markdown section for bench/RESULTS.md."""
    lines = [
        "## Attachment text extraction quality",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {platform.processor() or platform.platform()}, "
        f"Python {platform.python_version()}",
        "- measure: `.md` body (between `## 본문` and `## 첨부파일`) vs extracted text, both "
        "without whitespace and `| # * - : > \\``, "
        "`rapidfuzz.distance.Levenshtein.normalized_similarity`",
        "",
        *_figures(result),
        "",
        "### Alternatives (measured once with this measure, same files)",
        "",
        *ALTERNATIVES,
        "",
        "### Goals not met on all files, and why",
        "",
        *_gaps(result),
        "",
        "### Files under 0.6",
        "",
    ]
    low = _low(result)
    if not low:
        lines.append("None.")
    for s in low:
        why = _explain(s)
        lines.append(
            f"- {s.news_id} ({s.kind}, similarity {s.similarity:.3f}, recall {s.recall:.3f}; "
            f".md {s.truth_chars} chars vs extracted {s.extracted_chars}): {why}"
        )
    lines += ["", "### Per file", "", *_table(result), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    fixtures = Path(args[0]) if args else FIXTURES
    result = run(fixtures)
    print("\n".join(_table(result)))
    print()
    print("\n".join(_figures(result)))
    low = _low(result)
    if low:
        print("\nunder 0.6:", ", ".join(f"{s.news_id}/{s.kind}" for s in low))
    RESULTS.write_text(report(result), encoding="utf-8")
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
