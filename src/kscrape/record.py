"""One release as a record people read: Markdown, plain text or JSON.

The Markdown layout is the one the public Markdown corpora of korea.kr releases use (e.g. the
GovPress corpus): `# title`, a metadata list (출처, 부처, 게시 시각, 원문 URL, one `HWPX 첨부:` /
`PDF 첨부:` line per file), then `## 본문`, `## 담당 부서` (only when there are contacts) and
`## 첨부파일` (only when there are files). A body rendered from an attachment holds its own
담당 부서 section where the contact table stands; the record adds one from the parsed contacts
only when the body has none (text from the list page). Tools that read those corpora read ours.
Rows come from the store (`read_record`); rendering does no I/O.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kscrape.store import Store

SOURCE = "대한민국 정책브리핑 보도자료"
LICENCE = "공공누리 제1유형 (KOGL type 1), 출처: 대한민국 정책브리핑"
KIND_LABEL = {"hwpx": "HWPX", "hwp": "HWP", "pdf": "PDF"}
_CONTACTS_SECTION_RE = re.compile(r"^## 담당 부서[ \t]*$", re.M)


@dataclass(frozen=True, slots=True)
class Record:
    """A stored release with its attachments and parsed contacts."""

    release: dict[str, Any]
    attachments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def contacts(self) -> list[dict[str, str]]:
        raw = self.release.get("contacts")
        try:
            value = json.loads(raw) if raw else []
        except ValueError:
            return []
        return value if isinstance(value, list) else []

    @property
    def body_markdown(self) -> str:
        """The structured body when an attachment gave one, else the plain text as it is."""
        return self.release.get("body_md") or self.release.get("body") or ""

    @property
    def listed_contacts(self) -> list[dict[str, str]]:
        """The contacts the record lists after the body: none when the body has its own
        담당 부서 section."""
        if _CONTACTS_SECTION_RE.search(self.release.get("body_md") or ""):
            return []
        return self.contacts


def read_record(store: Store, news_id: str) -> Record | None:
    """The stored release with its attachments (in the site's order), or None."""
    row = store.release(news_id)
    return None if row is None else Record(row, store.attachments_of(news_id))


def to_markdown(record: Record) -> str:
    r = record.release
    lines = [f"# {r['title']}", "", f"- 출처: {SOURCE}", f"- 부처: {r['ministry']}",
             f"- 게시 시각: {posted_at(r)}", f"- 원문 URL: {r['url']}"]
    lines += [f"- {file_label(att)} 첨부: {att['name']}" for att in record.attachments]
    lines += ["", "## 본문", "", record.body_markdown.strip() or "(본문 없음)"]
    if record.listed_contacts:
        lines += ["", "## 담당 부서", ""]
        lines += [f"- {contact_line(c)}" for c in record.listed_contacts]
    if record.attachments:
        lines += ["", "## 첨부파일", ""]
        lines += [f"- {att['name']}" for att in record.attachments]
    return "\n".join(lines) + "\n"


def posted_at(release: dict[str, Any]) -> str:
    """When the release was posted, written as korea.kr writes it and the public corpora
    copy it: "04/12/2026 10:30:00", Korean time (only the date when the time is unknown).
    JSON and front matter keep the ISO 8601 form."""
    stamp = release.get("published_at") or release["date"]
    day = f"{stamp[5:7]}/{stamp[8:10]}/{stamp[:4]}"
    return f"{day} {stamp[11:19]}" if len(stamp) >= 19 else day


def to_text(record: Record) -> str:
    r = record.release
    head = [r["title"], f"{r['ministry']} · {r.get('published_at') or r['date']} · {r['url']}"]
    parts = ["\n".join(head), r.get("body") or ""]
    if record.listed_contacts:
        parts.append("\n".join(contact_line(c) for c in record.listed_contacts))
    if record.attachments:
        parts.append("\n".join(f"첨부: {att['name']}" for att in record.attachments))
    return "\n\n".join(p for p in parts if p.strip()) + "\n"


def to_json(record: Record) -> dict[str, Any]:
    return {
        **{k: v for k, v in record.release.items() if k != "contacts"},
        "contacts": record.contacts,
        "attachments": [
            {k: att.get(k) for k in ("file_id", "name", "kind", "bytes", "sha256", "status",
                                     "extract_status", "url")}
            for att in record.attachments
        ],
    }


def file_label(attachment: dict[str, Any]) -> str:
    """HWPX, HWP or PDF, by the file's name as the site lists it (some HWP 5 files are
    served as .hwpx, and the corpora call those HWPX), else by what the bytes were."""
    name = str(attachment.get("name") or "")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return KIND_LABEL.get(ext) or KIND_LABEL.get(attachment.get("kind") or "", "파일")


def contact_line(contact: dict[str, str]) -> str:
    """'대외환경대응과 / 책임자 과장 예우영 / 044-204-7444' from one parsed contact."""
    who = " ".join(contact.get(k, "") for k in ("role", "title", "name") if contact.get(k))
    parts = [contact.get("dept", ""), who, contact.get("phone", ""), contact.get("email", "")]
    return " / ".join(p for p in parts if p)
