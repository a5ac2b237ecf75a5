"""kscrape's exceptions, and the exit code each one maps to at the command line.

KscrapeError
├── ConfigError        bad config file, environment value or option       → exit 2
├── FetchError         a request failed after all retries                 → exit 3
│   └── BlockedError     the site refuses us (repeated 403 / resets)      → exit 5
├── ParseError         a page lacks the markup we rely on                 → exit 7
│   └── GoneError        the site says the release no longer exists (skipped, not fatal)
├── ExtractError       an attachment is not a readable document
├── StoreError         the database is unusable (not SQLite, newer schema, disk full) → exit 8
│   └── LockedError      another kscrape run holds the write lock         → exit 6
└── ExportError        an export could not be written                     → exit 8

Library code raises these; only cli.py turns them into messages and exit codes.
"""

from __future__ import annotations


class KscrapeError(Exception):
    """Root of every error kscrape raises on purpose."""


class ConfigError(KscrapeError):
    """A configuration key, environment variable or option value is invalid."""


class FetchError(KscrapeError):
    """A request could not be completed after the configured retries."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class BlockedError(FetchError):
    """The site answers with refusals (403, connection resets): stop instead of hammering."""


class ParseError(KscrapeError):
    """A page does not have the markup the parser expects; the message names what is missing."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class GoneError(ParseError):
    """The site answers that a release no longer exists (removed after it was listed)."""


class ExtractError(KscrapeError):
    """An attachment is not a document we can read (wrong magic bytes, damaged, encrypted)."""


class StoreError(KscrapeError):
    """The database cannot be opened or written."""


class LockedError(StoreError):
    """Another kscrape run holds the write lock on this database."""


class ExportError(KscrapeError):
    """An export could not be written; no partial file is left behind."""
