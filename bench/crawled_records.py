"""kscrape's Markdown records of releases crawled end to end, for the Markdown benchmark.

A replica serves a folder of real releases (`index.json`, `<newsId>.hwpx`, `<newsId>.pdf`,
`<newsId>.md`) as `kscrape replica --files` does; `python -m kscrape crawl --depth files`
walks it into a temporary database (list → view → download → extract → store); each
release's record is then what `kscrape show` prints. `records_crawled(folder, index)` has the
signature of a record source of bench/markdown_quality.py, so it can stand in for extracting
the files in process.

Run: python bench/crawled_records.py [attachments_dir]   (prints one line per release)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from kscrape.record import read_record, to_markdown
from kscrape.replica import Replica, load_records
from kscrape.store import open_store

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "tests" / "fixtures" / "attachments"


def records_crawled(folder: Path, index: list[dict[str, Any]]) -> dict[str, str]:
    """{newsId: the Markdown `kscrape show` prints} for the releases of `index`, after a crawl
    at depth files of a local korea.kr serving `folder`. Raises RuntimeError if the crawl
    fails or stores fewer releases than asked for."""
    wanted = {str(entry["news_id"]) for entry in index}
    records = [r for r in load_records(None, folder) if r["news_id"] in wanted]
    days = sorted(r["approved_at"][:10] for r in records)
    with tempfile.TemporaryDirectory() as tmp, Replica(records, attachments_dir=folder) as site:
        db = Path(tmp) / "kscrape.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("KSCRAPE_")}
        env.update(KSCRAPE_BASE_URL=site.url, KSCRAPE_DB=str(db), KSCRAPE_RATE="0",
                   KSCRAPE_ATTACHMENTS_DIR=str(Path(tmp) / "attachments"))
        done = subprocess.run(
            [sys.executable, "-m", "kscrape", "crawl", "--since", days[0], "--until", days[-1],
             "--depth", "files"], env=env, cwd=tmp, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"crawl failed ({done.returncode}): {done.stderr.strip()}")
        store = open_store(db, create=False)
        try:
            found = {news_id: read_record(store, news_id) for news_id in sorted(wanted)}
        finally:
            store.close()
        routes = Counter(r.route for r in site.requests)
    missing = sorted(k for k, v in found.items() if v is None)
    if missing:
        raise RuntimeError(f"the crawl did not store {', '.join(missing)} ({dict(routes)})")
    return {news_id: to_markdown(record) for news_id, record in found.items() if record}


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT_DIR
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    records = records_crawled(folder, index)
    for news_id, markdown in records.items():
        tables = markdown.count("\n| ---") + markdown.count("<table")
        print(f"{news_id}\t{len(markdown)} chars\t{tables} tables\t{markdown.splitlines()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
