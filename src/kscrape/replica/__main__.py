"""`python -m kscrape.replica`: serve the replica in the foreground."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from kscrape.replica.folder import load_records
from kscrape.replica.server import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kscrape replica", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--corpus", type=Path, default=None,
                        help=".jsonl, .jsonl.gz or index.json corpus")
    parser.add_argument("--files", "--attachments-dir", dest="files", type=Path, default=None,
                        help="folder of <newsId>.hwpx/.pdf served as attachments")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    args = parser.parse_args(argv)
    records = load_records(args.corpus, args.files)
    serve(args.host, args.port, records, attachments_dir=args.files, today=args.today)


if __name__ == "__main__":
    main()
