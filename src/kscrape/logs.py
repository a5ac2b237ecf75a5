"""Logging for people and for cron collectors: human lines, or one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys

from kscrape.errors import ConfigError


def setup_logging(verbose: bool, log_format: str, log_file: str) -> None:
    """Route the `kscrape` loggers to stderr (and `log_file`), in the chosen format."""
    root = logging.getLogger("kscrape")
    root.handlers.clear()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        try:
            handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot open log file {log_file}: {exc.strerror}") from exc
    for handler in handlers:
        handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(
            "%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
        root.addHandler(handler)
    root.propagate = False


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for cron log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, ensure_ascii=False)
