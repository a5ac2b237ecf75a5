"""What Datasette shows about the archive: titles, licence, descriptions, facets, search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kscrape.config import Config
from kscrape.store.search import SEARCH_SQL

PLUGIN = "kscrape"
INTERNAL = ("runs", "windows", "failures", "release_versions", "watches", "search_queue",
            "releases_search", "releases_search_data", "releases_search_idx",
            "releases_search_docsize", "releases_search_config")

RELEASE_COLUMNS = {
    "news_id": "korea.kr's id of the release (newsId); the row's key",
    "title": "Title as published",
    "ministry": "Ministry or agency, under the name it published with",
    "ministry_code": "korea.kr code of the ministry (repCode), e.g. A00007; survives renames",
    "date": "Release date (Korean time), YYYY-MM-DD",
    "published_at": "Publication time in Korean time (+09:00), from the release's page",
    "lead": "The text the list page shows",
    "body": "Full text as plain text",
    "body_source": "Where the body came from: list (the list page), or attachment:hwpx/hwp/pdf",
    "body_md": "Full text as Markdown, when it came from an attachment (rendered here)",
    "url": "The release on korea.kr",
    "licence": "Licence mark of the release (KOGL type)",
    "contacts": "Contacts named in the release (JSON)",
    "depth": "How much kscrape fetched: list, view or files",
    "content_hash": "Hash of what the list shows; changes when the release is edited",
    "first_seen_at": "When kscrape first stored it (UTC)",
    "updated_at": "When kscrape last changed it (UTC)",
}
ATTACHMENT_COLUMNS = {
    "news_id": "The release the file belongs to",
    "file_id": "korea.kr's id of the file",
    "name": "File name as the site gave it",
    "url": "Download link on korea.kr",
    "kind": "hwpx, hwp, pdf or other",
    "path": "The stored copy (a link to download it from this site)",
    "bytes": "Size of the stored copy",
    "status": "Download status",
    "extract_status": "Whether its text could be read",
}


def metadata(config: Config) -> dict[str, Any]:
    database = Path(config.db).stem
    search_page = f"/{database}/search"
    return {
        "title": "kscrape — 정책브리핑 보도자료 archive",
        "description_html": (
            "<p>Korean government press releases (보도자료) archived from korea.kr by kscrape.</p>"
            f'<form action="{search_page}" method="get"><label>Search the releases: '
            '<input type="search" name="q" placeholder="예산, 호우, 고객중심…"></label> '
            '<input type="submit" value="Search"></form>'
            f'<p><a href="/{database}/releases">All releases</a> · '
            '<a href="/-/kscrape/feeds">Atom feeds</a></p>'
            '<p><img src="/-/kscrape/weekly.svg" alt="Releases per week, top ministries" '
            'style="max-width:100%"></p>'),
        "license": "KOGL Type 1 (공공누리 제1유형: 출처표시)",
        "license_url": "https://www.kogl.or.kr/info/licenseType1.do",
        "source": "출처: 대한민국 정책브리핑 (www.korea.kr)",
        "source_url": "https://www.korea.kr",
        "plugins": {PLUGIN: {"attachments_dir": str(Path(config.attachments_dir).resolve()),
                             "feed_size": config.feed_size, "database": database}},
        "databases": {database: {
            "tables": {
                "releases": {
                    "description_html": (
                        "One row per press release, newest first. "
                        f'<a href="{search_page}">Search them</a> (Korean words of any '
                        "length, inside longer words too)."),
                    "sort_desc": "date",
                    "facets": ["ministry", "date", "body_source"],
                    "label_column": "title",
                    "columns": RELEASE_COLUMNS,
                },
                "attachments": {
                    "description": "Files attached to the releases (HWPX, HWP, PDF).",
                    "columns": ATTACHMENT_COLUMNS,
                    "facets": ["kind", "status"],
                },
                **{name: {"hidden": True} for name in INTERNAL},
            },
            "queries": {"search": {
                "title": "Search releases",
                "description_html": (
                    "<p>Every word must occur in the title or the text, at any length and "
                    "inside longer words (고객중심 finds 고객중심경영, 예산 finds 추경예산안). "
                    "Optional: ministry (name or code, e.g. 기획재정부 or A00007), since and "
                    "until (YYYY-MM-DD), order (newest, or relevance), limit (default 50). "
                    "Add <code>.json</code> to the address for the same results as JSON.</p>"),
                "sql": SEARCH_SQL,
                "hide_sql": True,
            }},
        }},
    }
