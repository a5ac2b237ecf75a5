"""Plain records that cross module boundaries: what the parser returns and the store keeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

VIEW_PATH = "/briefing/pressReleaseView.do"
LIST_PATH = "/briefing/pressReleaseList.do"
DOWNLOAD_PATH = "/common/download.do"
SITE_URL = "https://www.korea.kr"


def view_url(news_id: str, base_url: str = SITE_URL) -> str:
    """The view URL of a release: the only identity korea.kr gives it is newsId.

    Stored rows keep korea.kr's own (canonical) URL even when crawled from a replica; the
    crawler asks `base_url` for the page.
    """
    return f"{base_url.rstrip('/')}{VIEW_PATH}?newsId={news_id}"


def download_url(file_id: str, base_url: str = SITE_URL) -> str:
    """An attachment's download URL, built from its fileId alone: a link on a page can never
    send the crawler to another host. Stored rows keep korea.kr's own URL, as for views."""
    return f"{base_url.rstrip('/')}{DOWNLOAD_PATH}?fileId={file_id}&tblKey=GMN"


@dataclass(frozen=True, slots=True)
class ListItem:
    """One release as a list page shows it."""

    news_id: str
    title: str
    lead: str
    date: str  # YYYY-MM-DD
    ministry: str
    url: str  # canonical view URL


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of `pressReleaseList.do`.

    `mode` is "default" for the date-only listing (dotted dates, full-text leads) and
    "filtered" for the repCode listing (dashed dates, leads cut at ~200 characters).
    """

    total: int
    page: int
    last_page: int
    mode: str
    items: tuple[ListItem, ...]


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """An attachment link on a view page, deduplicated by fileId."""

    file_id: str
    name: str
    url: str
    kind: str  # hwpx | hwp | pdf | other (told by the file name; the bytes decide later)


@dataclass(frozen=True, slots=True)
class ViewPage:
    """What `pressReleaseView.do` says about one release."""

    news_id: str
    title: str
    date: str  # YYYY-MM-DD
    published_at: str | None  # ISO 8601 with +09:00, from JSON-LD
    ministry: str
    ministry_code: str | None
    body: str  # inline text, usually "" because the page only embeds a document viewer
    attachments: tuple[AttachmentRef, ...] = ()
    licence: str | None = None


@dataclass(frozen=True, slots=True)
class Capture:
    """Where one captured response lies in the WARC files: enough to find, cite and check it."""

    file: str  # WARC file name, inside the capture directory
    offset: int  # byte offset of the response record (a gzip member) in that file
    length: int  # compressed bytes of that record
    uri: str  # WARC-Target-URI
    date: str  # WARC-Date, when the request went out
    digest: str  # WARC-Payload-Digest of the body as the server sent it


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and the complete response to it, as they went over the wire.

    `body` is what the server sent: its content coding (gzip, br) kept, the transfer coding
    (chunked) taken off by the HTTP client.
    """

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    started: datetime  # when the request went out (UTC)
    address: str = ""  # the server's IP address, when known
    capture: Capture | None = None  # set on exchanges answered from a capture


Recorder = Callable[[Exchange], Capture]
Replay = Callable[[str, str, bytes], Exchange | None]  # (method, url, body) -> the capture


@dataclass(frozen=True, slots=True)
class Evidence:
    """A capture behind a stored release: its list page, view page or one attachment."""

    kind: str  # list | view | file
    file_id: str  # the attachment's fileId for kind "file", else ""
    capture: Capture


@dataclass(slots=True)
class Release:
    """A release as the store keeps it; assembled by the crawler from list, view and files."""

    news_id: str
    title: str
    ministry: str
    date: str
    url: str
    lead: str = ""
    body: str = ""
    body_source: str = ""  # list | view | attachment:<kind> | none
    body_md: str | None = None  # the body as structured Markdown, when it came from a file
    ministry_code: str | None = None
    published_at: str | None = None
    licence: str | None = None
    contacts: str | None = None  # JSON list of {"role", "name", "phone", "dept"}
    attachments: list[AttachmentRef] = field(default_factory=list)
    depth: str = ""  # how much was fetched for it: list | view | files
    evidence: list[Evidence] = field(default_factory=list)  # captures it was built from
