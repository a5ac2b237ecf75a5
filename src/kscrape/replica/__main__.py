"""`python -m kscrape.replica`: serve the replica in the foreground."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from kscrape.replica.server import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kscrape replica", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--corpus", type=Path, default=None, help=".jsonl or .jsonl.gz corpus")
    parser.add_argument("--attachments-dir", type=Path, default=None)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.corpus, attachments_dir=args.attachments_dir, today=args.today)


if __name__ == "__main__":
    main()
