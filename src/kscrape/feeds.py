"""Atom 1.0 feeds of the archive: all releases, one per ministry code, one per watch.

korea.kr stopped its RSS feeds on 2026-07-01; these take their place. A feed holds the newest
`feed_size` releases. Everything in it derives from stored rows, including the feed's own
`updated` (the newest entry's), so the same archive always gives the same bytes: `kscrape feed`
rewrites a file only when a release in it changed, and readers polling it or a git history of
it see no churn. `kscrape serve` answers the same bytes live.

Written with the standard library's ElementTree: feedgen 1.0 drops the `rel` of entry links,
which turns attachment links into duplicate alternate links (invalid Atom).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path
from typing import Any

from kscrape import __version__
from kscrape.markup import body_html
from kscrape.ministries import MINISTRIES, matches, resolve
from kscrape.models import LIST_PATH, SITE_URL
from kscrape.paths import safe_component, write_if_changed
from kscrape.store import Store
from kscrape.store.reading import ministries_present, newest
from kscrape.store.search import Selection
from kscrape.store.watches import watches

KST = timezone(timedelta(hours=9))
ALL = "all"
RIGHTS = ("공공누리 제1유형(출처표시): 출처: 대한민국 정책브리핑(www.korea.kr). "
          "Korea Open Government License type 1: attribution required.")
EPOCH = datetime(2000, 1, 1, tzinfo=KST)  # `updated` of a feed without entries
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ATOM)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed: its file stem, title, and the releases it shows (None: every release)."""

    name: str
    title: str
    selection: Selection | None

    @property
    def filename(self) -> str:
        return safe_component(f"{self.name}.xml")


def feed_specs(store: Store) -> list[FeedSpec]:
    """all, then each ministry code the archive holds releases of, then each watch."""
    specs = [FeedSpec(ALL, "정책브리핑 보도자료 — 전체", None)]
    labels = ministries_present(store)
    for ministry in MINISTRIES:
        selection = resolve(ministry.code)
        if any(matches(selection, label) for label in labels):
            specs.append(FeedSpec(ministry.code, f"정책브리핑 보도자료 — {ministry.name}",
                                  Selection(ministries=selection.names)))
    for watch in watches(store):
        specs.append(FeedSpec(watch.name, f"정책브리핑 보도자료 — {watch.name}: "
                              f"{watch.describe()}", watch.selection()))
    return specs


def find_spec(store: Store, name: str) -> FeedSpec | None:
    return next((s for s in feed_specs(store) if s.name == name), None)


def render(store: Store, spec: FeedSpec, size: int) -> bytes:
    """The Atom document of one feed, as UTF-8 bytes."""
    rows = newest(store, spec.selection, limit=size)
    feed = ET.Element(_tag("feed"), {XML_LANG: "ko"})
    _child(feed, "id", f"urn:kscrape:feed:{spec.name}")
    _child(feed, "title", spec.title)
    updated = max((_updated(r) for r in rows), default=EPOCH)
    _child(feed, "updated", updated.isoformat())
    _child(feed, "link", href=f"{SITE_URL}{LIST_PATH}", rel="alternate", type="text/html")
    _child(feed, "rights", RIGHTS)
    _child(feed, "generator", "kscrape", version=__version__)
    for row in rows:
        _entry(feed, row)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def write_feeds(store: Store, directory: Path, size: int) -> tuple[int, int]:
    """Write every feed into `directory`; returns (files written, files left unchanged)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = unchanged = 0
    for spec in feed_specs(store):
        if write_if_changed(directory / spec.filename, render(store, spec, size)):
            written += 1
        else:
            unchanged += 1
    return written, unchanged


def _published(row: dict[str, Any]) -> datetime:
    if row["published_at"]:
        return datetime.fromisoformat(row["published_at"]).astimezone(KST)
    return datetime.fromisoformat(f"{row['date']}T00:00:00+09:00")


def _updated(row: dict[str, Any]) -> datetime:
    stored = datetime.fromisoformat(row["updated_at"].replace("Z", "+00:00")).astimezone(KST)
    return max(stored, _published(row))


def _entry(feed: ET.Element, row: dict[str, Any]) -> None:
    entry = _child(feed, "entry")
    _child(entry, "id", row["url"])
    _child(entry, "title", row["title"])
    _child(entry, "published", _published(row).isoformat())
    _child(entry, "updated", _updated(row).isoformat())
    author = _child(entry, "author")
    _child(author, "name", row["ministry"])
    _child(entry, "link", href=row["url"], rel="alternate", type="text/html")
    html = body_html(row["body_md"], row["body"], row["lead"])
    if row["files"]:
        html += "<h2>첨부파일</h2>\n<ul>\n" + "".join(
            f'<li><a href="{_attr(f["url"])}">{_attr(f["name"] or f["file_id"])}</a></li>\n'
            for f in row["files"]) + "</ul>\n"
        for f in row["files"]:
            _child(entry, "link", href=f["url"], rel="enclosure", title=f["name"] or f["file_id"])
    _child(entry, "content", html, type="html")


def _tag(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _child(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _tag(name), attrs)
    element.text = text
    return element


def _attr(text: str) -> str:
    return escape(text, quote=True)
