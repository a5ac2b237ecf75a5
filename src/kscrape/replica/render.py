"""korea.kr markup for list and view pages, filled into templates cut from real captures."""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import quote

from kscrape.replica.corpus import Release

TEMPLATES = Path(__file__).parent / "templates"
PAGE_SIZE = 20
BLOCK = 10
LEAD_CUT = 170  # escaped characters before "..." in the repCode listing (real capture: 170)
NL = "\r\n"  # the list page's own line endings
T7 = "\t" * 7
FORM_FIELDS = ("pageIndex", "repCodeType", "repCode", "startDate", "endDate", "srchWord", "period")

_TITLE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "·": "&middot;"}
)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\xa0": "&nbsp;"})
_ENTITY_RANGES = ((0x3131, 0x318E), (0xFF61, 0xFFDC))  # compatibility jamo, halfwidth forms


@cache
def _template(name: str) -> tuple[bytes | str, ...]:
    """Template split on `@@name@@`: encoded literal, name, encoded literal, …, encoded literal."""
    with (TEMPLATES / name).open(encoding="utf-8", newline="") as fh:
        text = fh.read()
    parts = re.split(r"@@([a-z_]+)@@", text)
    return tuple(p.encode("utf-8") if i % 2 == 0 else p for i, p in enumerate(parts))


def fill(name: str, values: dict[str, str]) -> bytes:
    """The template with its slots filled; literals were encoded once, so this stays cheap."""
    parts = _template(name)
    return b"".join(
        part if isinstance(part, bytes) else values.get(part, "").encode("utf-8") for part in parts
    )


def escape_title(text: str) -> str:
    """Titles as the CMS stores them: `&middot;`, `&quot;`, `&lt;` but a literal apostrophe."""
    return text.translate(_TITLE_ESCAPES)


def escape_text(text: str) -> str:
    return text.translate(_TEXT_ESCAPES)


def _entity(ch: str) -> str:
    code = ord(ch)
    if ch == "·":
        return "&middot;"
    if ch == "'":
        return "&#39;"
    if ch == '"':
        return "&quot;"
    if any(lo <= code <= hi for lo, hi in _ENTITY_RANGES):
        return f"&#x{code:X};"
    return ch


def escape_search(text: str) -> str:
    """The search back-end's escaping: named/numeric entities for some characters."""
    return "".join(_entity(ch) for ch in escape_text(text))


def attr(value: str) -> str:
    return html.escape(value, quote=True)


def json_string(value: str) -> str:
    """Body of a JSON string literal that can sit inside a <script> block."""
    return json.dumps(value, ensure_ascii=False)[1:-1].replace("</", "<\\/")


def js_string(value: str) -> str:
    """Safe inside either quote style of a JS literal within a <script> block."""
    return json_string(value).replace("'", "\\'")


def lead_full(rel: Release) -> str:
    frag = rel.fragments.get("lead_full")
    if frag is None:
        frag = rel.fragments["lead_full"] = escape_text(rel.flat_text)
    return frag


def lead_cut(rel: Release) -> str:
    """Cut the *escaped* text, so a cut can land inside an entity (`&mi...`) as on the site."""
    frag = rel.fragments.get("lead_cut")
    if frag is None:
        escaped = escape_search(rel.flat_text[: LEAD_CUT + 1])
        frag = escaped if len(escaped) <= LEAD_CUT else escaped[:LEAD_CUT] + "..."
        rel.fragments["lead_cut"] = frag
    return frag


@dataclass
class ListState:
    """What a list page echoes back: the effective form values and whether it was a search."""

    page: int
    values: dict[str, str]
    searched: bool
    filtered: bool

    @property
    def href_suffix(self) -> str:
        """Filter state for item links, with the real `&srchWord=` (unescaped &) quirk."""
        v = {k: quote(self.values.get(k, ""), safe=",-") for k in FORM_FIELDS}
        return (
            f"&amp;pageIndex={self.page}&amp;repCodeType={v['repCodeType']}"
            f"&amp;repCode={v['repCode']}&amp;startDate={v['startDate']}"
            f"&amp;endDate={v['endDate']}&srchWord={v['srchWord']}&amp;period={v['period']}"
        )


def _item_tail(rel: Release, filtered: bool) -> str:
    key = "item_filtered" if filtered else "item_default"
    frag = rel.fragments.get(key)
    if frag is None:
        day = rel.approved_at.strftime("%Y-%m-%d" if filtered else "%Y.%m.%d")
        lead = lead_cut(rel) if filtered else lead_full(rel)
        t = "\t" * 11
        frag = (
            f'">{NL}{t}<span class="text">{NL}'
            f"{t}\t<strong>{escape_title(rel.title)}</strong>{NL}"
            f'{t}\t<span class="lead">{NL}{t}\t\t{lead}{NL}{t}\t</span>{NL}'
            f'{t}\t<span class="source">{NL}{t}\t\t<span>{day}</span>{NL}'
            f"{t}\t\t<span>{escape_text(rel.ministry)}</span>{NL}{t}\t</span>{NL}"
            f"{t}</span>{NL}{t[:-1]}</a>{NL}{t[:-2]}</li>{NL}"
        )
        rel.fragments[key] = frag
    return frag


def list_items(items: list[Release], state: ListState, *, no_data: bool = True) -> str:
    t7, t8, t9, t10 = "\t" * 7, "\t" * 8, "\t" * 9, "\t" * 10
    if not items:
        if not no_data:
            return ""
        return (
            f'{NL}{t8}{NL}{t9}<li class="no_data"><span>등록된 정보가 없습니다.</span></li>{NL}{t7}'
        )
    head = f'{NL}{t8}{NL}{t8} {NL}{t9}<li>{NL}{t10}<a href="/briefing/pressReleaseView.do?newsId='
    suffix = state.href_suffix
    parts = [NL, t8]
    for rel in items:
        parts.append(head)
        parts.append(rel.news_id)
        parts.append(suffix)
        parts.append(_item_tail(rel, state.filtered))
    parts.append(f"{t8}{NL}{t8}{NL}{t7}")
    return "".join(parts)


def _page_link(n: int, cls: str, label: str, icons: str) -> str:
    return (
        f'<a class="{cls}" href="#pageLink" onclick="pageLink({n}); return false;">'
        f'{icons}<span class="sr-only">{label}</span></a>'
    )


def paging(total: int, page: int) -> str:
    """`div.paging` as the site renders it; absent when there are no results."""
    if total <= 0:
        return ""
    last = (total + PAGE_SIZE - 1) // PAGE_SIZE
    start = (min(page, last) - 1) // BLOCK * BLOCK + 1
    end = min(start + BLOCK - 1, last)
    left, right = '<i class="xi-angle-left"></i>', '<i class="xi-angle-right"></i>'
    parts = []
    if last > BLOCK:
        parts.append(_page_link(1, "first", "첫 페이지로 이동", left * 2))
        parts.append(_page_link(max(1, start - 1), "prev", "이전페이지로 이동", left))
    for n in range(start, end + 1):
        if n == page:
            parts.append(
                '<span class="num on"><a href="#pageLink" onclick="return false;" '
                f'class="on" title="현재페이지" >{n}</a></span>'
            )
        else:
            parts.append(
                f'<span class="num"><a href="#pageLink" onclick="pageLink({n}); return false;" '
                f'title="{n}페이지" >{n}</a></span>'
            )
    if last > BLOCK:
        parts.append(_page_link(min(last, end + 1), "next", "다음페이지로 이동", right))
        parts.append(_page_link(last, "last", "마지막 페이지로 이동", right * 2))
    indent = "\t\t                \t\t"
    return f'<div class="paging">{NL}{indent}{"".join(parts)}{NL}{NL}{T7}</div>'


def render_list(
    total: int, items: list[Release], state: ListState, *, no_data: bool = True
) -> bytes:
    result = (
        f"검색결과 총 <strong>{total}</strong>건"
        if state.searched
        else f" 총 <strong>{total}</strong>건"
    )
    values = {
        "page_index": str(state.page),
        "rep_code_type": attr(state.values.get("repCodeType", "")),
        "rep_code": attr(state.values.get("repCode", "")),
        "start_date": attr(state.values.get("startDate", "")),
        "end_date": attr(state.values.get("endDate", "")),
        "srch_word": attr(state.values.get("srchWord", "")),
        "period": attr(state.values.get("period", "")),
        "result": result,
        "items": list_items(items, state, no_data=no_data),
        "paging": paging(total, state.page),
    }
    return fill("list.html", values)


@dataclass
class ViewContext:
    """Everything around a release that its view page shows."""

    form: dict[str, str] = field(default_factory=dict)
    older: Release | None = None
    newer: Release | None = None
    attachment_name: str | None = None


_ICONS = {
    "hwp": ("/images/icon/icon_ihangul.gif", "한글파일"),
    "hwpx": ("/images/icon/icon_ihangul.gif", "한글파일"),
    "pdf": ("/images/icon/icon_ipdf.gif", "PDF파일"),
}


def _file_p(file_id: str, name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    icon, alt = _ICONS.get(ext, ("/images/icon/icon_isetup.gif", "첨부파일"))
    link = f"/common/download.do?fileId={file_id}&amp;tblKey=GMN"
    return (
        f'\n\t\t\t\t\t\t\t<p>\n\t\t\t\t\t\t\t\t<span><a href="{link}">\n'
        f'\t\t\t\t\t\t\t\t\t<img src="{icon}" alt="{alt}">{escape_text(name)}\n'
        "\t\t\t\t\t\t\t\t\t</a></span>\n\t\t\t\t\t\t\t\t<span>\n"
        f'\t\t\t\t\t\t\t\t\t\t<a class="view" href="/common/docViewer.do?fileId={file_id}'
        '&amp;tblKey=GMN" target="_Blank">바로보기</a>\n'
        f'\t\t\t\t\t\t\t\t\t<a class="down" href="{link}">내려받기</a>\n'
        "\t\t\t\t\t\t\t\t</span>\n\t\t\t\t\t\t\t</p>"
    )


def filedown(rel: Release, name_override: str | None = None) -> str:
    if not rel.attachments:
        return ""
    ps = "".join(_file_p(a.file_id, name_override or a.name) for a in rel.attachments)
    return (
        '<div class="filedown">\n\t\t\t\t<dl>\n\t\t\t\t\t<dt>첨부파일</dt>\n\t\t\t\t\t<dd>'
        f"{ps}\n\t\t\t\t\t</dd>\n\t\t\t\t</dl>\n\t\t\t</div>"
    )


def _neighbour(rel: Release | None, cls: str, label: str, wise: str) -> str:
    if rel is None:
        return ""
    return (
        f'\n\t\t\t\t<a class="{cls}" href="javascript:;" '
        f"onclick=\"goView('/news/pressReleaseView.do"
        f'?newsId={rel.news_id}&pWise=sub&pWiseSub={wise}\')"><span><i class="xe-icon"></i>'
        f"{label}</span><strong>{escape_title(rel.title)}</strong></a>"
    )


def _doc_hash(rel: Release) -> str:
    return hashlib.md5(rel.news_id.encode(), usedforsecurity=False).hexdigest()


def render_view(rel: Release, ctx: ViewContext) -> bytes:
    flat = " ".join(rel.flat_text.split())
    digest = _doc_hash(rel)
    stamp = rel.approved_at
    form = ctx.form
    values = {
        "title": escape_title(rel.title),
        "title_js": js_string(rel.title),
        "news_id": rel.news_id,
        "meta_description": attr(
            f"{rel.title} {flat}"[:100] + " - 정책브리핑 | 브리핑룸 | 보도자료"
        ),
        "ld_headline": json_string(rel.title),
        "ld_description": json_string(f"{rel.title} {flat}"[:220]),
        "ld_author": json_string(rel.ministry),
        "date_published": stamp.isoformat(timespec="seconds"),
        "date_dotted": stamp.strftime("%Y.%m.%d"),
        "ministry": escape_text(rel.ministry),
        "rep_code_link": rel.rep_code or "",
        "filedown": filedown(rel, ctx.attachment_name),
        "iframe_src": (
            f"/docViewer/iframe_skin/doc.html?fn={digest}&amp;rs=/docViewer/result/"
            f"{stamp:%Y.%m}/{stamp:%d}/{digest}"
        ),
        "area_page": _neighbour(ctx.older, "prev", "이전기사", "J1")
        + _neighbour(ctx.newer, "next", "다음기사", "J2")
        + "\n\t",
        "page_index": attr(form.get("pageIndex", "1") or "1"),
        "rep_code_type": attr(form.get("repCodeType", "")),
        "rep_code": attr(form.get("repCode", "")),
        "start_date": attr(form.get("startDate", "")),
        "end_date": attr(form.get("endDate", "")),
        "srch_word": attr(form.get("srchWord", "")),
        "period": attr(form.get("period", "")),
    }
    return fill("view.html", values)


def render_missing_view() -> str:
    """What the replica answers for an unknown newsId: 200, an alert and no article markup."""
    return (
        '<!DOCTYPE html>\n<html lang="ko">\n<head>\n<meta charset="UTF-8">\n'
        "<title>대한민국 정책브리핑</title>\n</head>\n<body>\n<script>\n"
        "alert('해당 게시물이 존재하지 않습니다.');\nhistory.back();\n</script>\n</body>\n</html>\n"
    )


def render_maintenance() -> str:
    return (
        '<!DOCTYPE html>\n<html lang="ko">\n<head>\n<meta charset="UTF-8">\n'
        "<title>시스템 점검 안내 | 대한민국 정책브리핑</title>\n</head>\n<body>\n"
        '<div class="maintenance">\n<h1>시스템 점검 안내</h1>\n'
        "<p>보다 나은 서비스를 제공하기 위하여 시스템 정기점검을 실시하고 있습니다.</p>\n"
        "<p>점검시간 동안 서비스 이용이 일시 중단되오니 양해 부탁드립니다.</p>\n"
        "<p>점검일시 : 매주 일요일 02:00 ~ 06:00</p>\n</div>\n</body>\n</html>\n"
    )


def render_error_page(message: str = "요청하신 파일을 찾을 수 없습니다.") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="ko">\n<head>\n<meta charset="UTF-8">\n'
        "<title>오류 | 대한민국 정책브리핑</title>\n</head>\n<body>\n"
        f'<div class="error_wrap">\n<h1>오류가 발생하였습니다</h1>\n<p>{escape_text(message)}</p>\n'
        '<a href="/">메인으로</a>\n</div>\n</body>\n</html>\n'
    )
