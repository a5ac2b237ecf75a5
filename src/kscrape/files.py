"""Attachments: download through the crawler's fetcher, keep the file under our own name,
extract its text, and record every outcome in the attachments table; what a release takes
from its best attachment (`attachment_text`), shared by the crawler and `reextract`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from kscrape.config import Config
from kscrape.errors import ExtractError, FetchError
from kscrape.extract import Extraction, best_text, extract, extract_contacts, sniff
from kscrape.fetch import Fetcher, filename_from_disposition
from kscrape.models import AttachmentRef, Capture, download_url
from kscrape.paths import atomic_write, safe_component
from kscrape.store import Store, dumps, utcnow
from kscrape.text import clean_inline

log = logging.getLogger("kscrape.files")

EXTENSIONS = {"hwpx": "hwpx", "hwp": "hwp", "pdf": "pdf"}
_SAFE_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class AttachmentText:
    """What a release takes from its best attachment: body, Markdown, source and contacts."""

    body: str
    body_md: str | None
    body_source: str
    contacts: str | None  # JSON list, or None when the text names no contact


def attachment_text(extractions: list[Extraction]) -> AttachmentText | None:
    """The body fields from the best of a release's extractions (HWPX/HWP before PDF), or
    None when none is usable, in which case the release keeps the text it has."""
    best = best_text(extractions)
    if best is None:
        return None
    contacts = extract_contacts(best.text)
    return AttachmentText(best.text, best.markdown or None, f"attachment:{best.format}",
                          dumps(contacts) if contacts else None)


@dataclass(frozen=True, slots=True)
class FileResult:
    """One attachment after download and extraction; `extraction` is None when it failed."""

    ref: AttachmentRef
    extraction: Extraction | None
    error: str = ""
    capture: Capture | None = None  # the download's WARC capture, when it was fetched now


def fetch_attachment(
    config: Config, fetcher: Fetcher, store: Store, news_id: str, ref: AttachmentRef
) -> FileResult:
    """Download, check and extract one attachment, reusing a file already stored intact."""
    if not _SAFE_ID.match(ref.file_id) or not _SAFE_ID.match(news_id):
        return _record(store, news_id, ref, None, error=f"unusable fileId {ref.file_id!r}")
    stored = store.attachment(news_id, ref.file_id)
    if stored and stored["status"] == "ok" and stored["path"]:
        data = _read_intact(Path(stored["path"]), stored["sha256"])
        if data is not None:
            return FileResult(ref, extract_quietly(data), "")
    url = download_url(ref.file_id)
    try:
        response = fetcher.get(download_url(ref.file_id, config.host), html=False,
                               max_bytes=config.max_attachment_bytes)
        data = response.content
        kind = sniff(data)
        if kind not in EXTENSIONS:
            raise FetchError(f"attachment {ref.file_id} is not a document (looks like {kind})")
    except FetchError as exc:
        return _record(store, news_id, ref, None, error=str(exc), url=url)
    name = filename_from_disposition(response.headers.get("content-disposition")) or ref.name
    path = _write_file(Path(config.attachments_dir), f"{news_id}_{ref.file_id}.{EXTENSIONS[kind]}",
                       data)
    extraction = extract_quietly(data)
    row = {
        "name": safe_name(name), "kind": kind, "path": str(path), "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(), "status": "ok",
        "extract_status": extraction.status if extraction else "damaged",
    }
    result = _record(store, news_id, ref, extraction, url=url, row=row)
    return dataclasses.replace(result, capture=response.capture)


def safe_name(name: str) -> str:
    """The server's file name as metadata that is also safe as a file name anywhere.

    Files are saved under our own `<newsId>_<fileId>.<ext>`; this only keeps the original
    name without directories or invisible characters, under the one set of rules of
    `paths.safe_component` (Windows' forbidden characters and device names, 255 bytes with a
    hash and the extension kept), so a user who saves a file under it later cannot be led
    out of a folder. A name with nothing left (`..`) is stored empty.
    """
    return safe_component(clean_inline(name.replace("\\", "/")).rsplit("/", 1)[-1], fallback="")


def extract_quietly(data: bytes) -> Extraction | None:
    """The extraction, or None for bytes that are not a document at all (logged)."""
    try:
        return extract(data)
    except ExtractError as exc:
        log.warning("cannot extract text: %s", exc)
        return None


def _record(
    store: Store,
    news_id: str,
    ref: AttachmentRef,
    extraction: Extraction | None,
    *,
    error: str = "",
    url: str = "",
    row: dict[str, object] | None = None,
) -> FileResult:
    base: dict[str, object] = {
        "news_id": news_id, "file_id": ref.file_id, "name": safe_name(ref.name),
        "url": url or ref.url, "kind": ref.kind, "fetched_at": utcnow(),
        "status": "error" if error else "ok", "error": error or None,
    }
    store.save_attachment({**base, **(row or {})})
    return FileResult(ref, extraction, error)


def _read_intact(path: Path, sha256: str | None) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def _write_file(directory: Path, name: str, data: bytes) -> Path:
    """Write atomically inside `directory`; the name is ours, never the server's."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if target.resolve().parent != directory.resolve():
        raise FetchError(f"refusing to write outside {directory}: {name!r}")
    atomic_write(target, data)
    return target
