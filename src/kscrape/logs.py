"""Logging for people and for cron collectors: human lines, or one JSON object per line.

Log lines quote release titles and server messages, so they carry characters a console may
lack. stderr is tolerant (kscrape.console); JSON lines going to a stream that does not speak
UTF-8 are written in ASCII with `\\uXXXX` escapes, which any collector decodes back to the same
text, instead of losing characters to replacement.
"""

from __future__ import annotations

import json
import logging
import sys

from kscrape.console import speaks_utf8, tolerant
from kscrape.errors import ConfigError


def setup_logging(verbose: bool, log_format: str, log_file: str) -> None:
    """Route the `kscrape` loggers to stderr (and `log_file`), in the chosen format."""
    root = logging.getLogger("kscrape")
    root.handlers.clear()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    tolerant(sys.stderr, errors="backslashreplace")
    handlers: list[tuple[logging.Handler, bool]] = [
        (logging.StreamHandler(sys.stderr), speaks_utf8(sys.stderr))]
    if log_file:
        try:
            handlers.append((logging.FileHandler(log_file, encoding="utf-8"), True))
        except OSError as exc:
            raise ConfigError(f"cannot open log file {log_file}: {exc.strerror}") from exc
    text = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    for handler, utf8 in handlers:
        handler.setFormatter(JsonFormatter(ascii_only=not utf8) if log_format == "json" else text)
        root.addHandler(handler)
    root.propagate = False


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for cron log collectors."""

    def __init__(self, *, ascii_only: bool = False) -> None:
        super().__init__()
        self.ascii_only = ascii_only

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, ensure_ascii=self.ascii_only)
