"""A folder of real releases for the replica to serve: `kscrape replica --files DIR`.

The folder holds `<newsId>.hwpx` / `<newsId>.pdf` (served byte for byte as the release's
attachments), `<newsId>.md` records in the public Markdown corpora's layout (whose body becomes
the list lead and whose `HWPX 첨부:` / `PDF 첨부:` lines give the files' real names, in the
site's order) and an `index.json` naming the releases.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kscrape.replica.corpus import DEFAULT_CORPUS, parse_time, read_corpus


def load_records(corpus: Path | None = None, files: Path | None = None) -> list[dict[str, Any]]:
    """The releases a replica serves, from a corpus file and/or a folder of real files.

    `files` holds `<newsId>.hwpx` / `.pdf` (served as that release's attachments) and may hold
    `<newsId>.md` records in the public corpora's layout (title, metadata, body), which give the
    list lead and the attachments' real names. An `index.json` (a JSON array of news_id, title,
    ministry, approve_date) next to them, or given as `corpus`, lists the releases; a JSON-lines
    corpus is read as it is.
    """
    if corpus is None:
        return read_corpus(DEFAULT_CORPUS) if files is None else load_attachment_corpus(files)
    if corpus.suffix == ".json":
        return load_attachment_corpus(files or corpus.parent, index=corpus)
    return read_corpus(corpus)


def _md_body(text: str) -> str:
    """Body of a `<newsId>.md`: everything between `## 본문` and `## 첨부파일`, headings dropped."""
    start = text.find("## 본문")
    body = text[start:] if start >= 0 else text
    end = body.find("## 첨부파일")
    body = body[:end] if end >= 0 else body
    lines = [line for line in body.splitlines() if not line.startswith("#")]
    return "\n".join(lines).strip()


def load_attachment_corpus(directory: Path, *, index: Path | None = None) -> list[dict[str, Any]]:
    """Records for the releases in an `index.json` + `<newsId>.md/.hwpx/.pdf` directory.

    `index` names another index file; a release without a `.md` gets an empty lead and
    attachment names made from its title.
    """
    directory = Path(directory)
    records = []
    for entry in read_corpus(Path(index or directory / "index.json")):
        news_id = str(entry["news_id"])
        md_path = directory / f"{news_id}.md"
        md = md_path.read_text(encoding="utf-8") if md_path.is_file() else ""
        names: dict[str, str] = {}  # in the record's order, which is the site's
        for m in re.finditer(r"^- (HWPX|PDF) 첨부: (.+)$", md, re.M):
            names.setdefault(m.group(1).lower(), m.group(2).strip())
        records.append(
            {
                "news_id": news_id,
                "title": entry.get("title", ""),
                "ministry": entry.get("ministry", ""),
                "approved_at": parse_time(entry).isoformat(),
                "body": _md_body(md),
                "attachment_names": names,
            }
        )
    return records
