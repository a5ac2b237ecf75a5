"""The record `kscrape show` prints: one 담당 부서 section, the body's own where it has one."""

from __future__ import annotations

import json
import re

from kscrape.extract import extract, extract_contacts
from kscrape.record import Record, posted_at, to_markdown, to_text

from .conftest import ATTACHMENTS

SECTION = re.compile(r"^## 담당 부서$", re.M)


def _row(news_id: str, body: str, body_md: str | None) -> dict[str, object]:
    contacts = extract_contacts(body)
    return {
        "news_id": news_id, "title": "제목", "ministry": "행정안전부", "date": "2026-04-10",
        "published_at": "2026-04-10T09:00:00+09:00", "body": body, "body_md": body_md,
        "url": f"https://www.korea.kr/briefing/pressReleaseView.do?newsId={news_id}",
        "contacts": json.dumps(contacts, ensure_ascii=False) if contacts else None,
    }


def test_body_with_its_contact_section_gets_no_second_one() -> None:
    """156754093: the body's 담당 부서 section stands where the table stood, before the logos
    that follow it; the record adds none of its own, in Markdown or in text."""
    ex = extract((ATTACHMENTS / "156754093.hwpx").read_bytes())
    record = Record(_row("156754093", ex.text, ex.markdown),
                    [{"name": "260410 추경.hwpx", "kind": "hwpx"}])
    assert len(record.contacts) == 10
    shown = to_markdown(record)
    assert len(SECTION.findall(shown)) == 1
    body = shown.split("\n## 본문\n\n", 1)[1].split("\n\n## 첨부파일\n", 1)[0]
    first = "- 담당 부서: 기획조정실 / 책임자 과 장 신지혜 / (044-205-1401)"
    assert f"## 담당 부서\n\n{first}\n" in body
    assert body.endswith("- 지원총괄과: 담당자 / 서기관 정재형 / (044-205-6843)\n\n"
                         "![](image2.jpg)\n\n![](image3.jpg)")
    text = to_text(record)
    assert text.count("신지혜") == 1 and "기획조정실 / 책임자 과장 신지혜" not in text


def test_body_without_a_contact_section_gets_the_parsed_contacts() -> None:
    """Text from the list page has no section: the record lists the parsed contacts after it."""
    body = "본문 문장이다.\n\n담당 부서\t기획조정실\t책임자\t과 장\t이하녕\t(044-204-7320)"
    record = Record(_row("1", body, None))
    shown = to_markdown(record)
    assert len(SECTION.findall(shown)) == 1
    assert shown.endswith("## 담당 부서\n\n- 기획조정실 / 책임자 과장 이하녕 / 044-204-7320\n")
    assert to_text(record).endswith("\n\n기획조정실 / 책임자 과장 이하녕 / 044-204-7320\n")


def test_posting_time_is_written_as_the_corpora_write_it() -> None:
    """게시 시각 reads "MM/DD/YYYY HH:MM:SS" in Korean time, as korea.kr and the public corpora
    write it; a release known only by its day shows the day."""
    row = _row("156754093", "본문", None)
    assert posted_at(row) == "04/10/2026 09:00:00"
    assert "\n- 게시 시각: 04/10/2026 09:00:00\n" in to_markdown(Record(row))
    assert posted_at({**row, "published_at": None}) == "04/10/2026"
