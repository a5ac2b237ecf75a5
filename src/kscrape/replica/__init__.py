"""A local korea.kr: list, view and download endpoints in the site's real markup, over HTTP.

Tests, benchmarks and the offline demo crawl it instead of the live site. See `Replica`.
"""

from kscrape.replica.corpus import (
    DEFAULT_CORPUS,
    MINISTRY_CODES,
    file_id_for,
    read_corpus,
    rep_code_for,
    synthetic_corpus,
)
from kscrape.replica.faults import KINDS, Fault, FaultContext, Faults, Response, kind
from kscrape.replica.folder import load_attachment_corpus, load_records
from kscrape.replica.hwpx import make_hwpx
from kscrape.replica.server import LoggedRequest, Replica, java_filename, serve

__all__ = [
    "DEFAULT_CORPUS",
    "KINDS",
    "MINISTRY_CODES",
    "Fault",
    "FaultContext",
    "Faults",
    "LoggedRequest",
    "Replica",
    "Response",
    "file_id_for",
    "java_filename",
    "kind",
    "load_attachment_corpus",
    "load_records",
    "make_hwpx",
    "read_corpus",
    "rep_code_for",
    "serve",
    "synthetic_corpus",
]
