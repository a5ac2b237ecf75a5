"""Minimal but valid HWPX (OWPML) documents built from a release's text.

The replica serves these as attachments so the crawler's HWPX extractor runs on the same
package layout Hancom Office writes: `mimetype` stored first and uncompressed, OCF container,
OPF manifest, a header and one section of `hp:p/hp:run/hp:t` paragraphs.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

MIMETYPE = "application/hwp+zip"
NS = {
    "ha": "http://www.hancom.co.kr/hwpml/2011/app",
    "hp": "http://www.hancom.co.kr/hwpml/2011/paragraph",
    "hp10": "http://www.hancom.co.kr/hwpml/2016/paragraph",
    "hs": "http://www.hancom.co.kr/hwpml/2011/section",
    "hc": "http://www.hancom.co.kr/hwpml/2011/core",
    "hh": "http://www.hancom.co.kr/hwpml/2011/head",
    "hpf": "http://www.hancom.co.kr/schema/2011/hpf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "opf": "http://www.idpf.org/2007/opf/",
}
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
_NS_ATTRS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # Hancom writes this fixed timestamp; it keeps output stable

_VERSION = (
    f'{_XML_DECL}<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" '
    'tagetApplication="WORDPROCESSOR" major="5" minor="1" micro="0" buildNumber="1" os="1" '
    'xmlVersion="1.4" application="Hancom Office Hangul" '
    'appVersion="11, 0, 0, 8808 WIN32LEWindows_10"/>'
)
_CONTAINER = (
    f'{_XML_DECL}<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container" '
    'xmlns:hpf="http://www.hancom.co.kr/schema/2011/hpf"><ocf:rootfiles>'
    '<ocf:rootfile full-path="Contents/content.hpf" media-type="application/hwpml-package+xml"/>'
    '<ocf:rootfile full-path="Preview/PrvText.txt" media-type="text/plain"/>'
    "</ocf:rootfiles></ocf:container>"
)
_MANIFEST = (
    f'{_XML_DECL}<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
)
_HEADER = (
    f'{_XML_DECL}<hh:head {_NS_ATTRS} version="1.4" secCnt="1">'
    '<hh:beginNum page="1" footnote="1" endnote="1" pic="1" tbl="1" equation="1"/>'
    '<hh:refList><hh:fontfaces itemCnt="1"><hh:fontface lang="HANGUL" fontCnt="1">'
    '<hh:font id="0" face="함초롬바탕" type="TTF" isEmbedded="0"/></hh:fontface></hh:fontfaces>'
    '<hh:charProperties itemCnt="2">'
    '<hh:charPr id="0" height="1000" textColor="#000000" shadeColor="none" useFontSpace="0" '
    'useKerning="0" symMark="NONE" borderFillIDRef="1"/>'
    '<hh:charPr id="1" height="1600" textColor="#000000" shadeColor="none" useFontSpace="0" '
    'useKerning="0" symMark="NONE" borderFillIDRef="1"><hh:bold/></hh:charPr>'
    "</hh:charProperties>"
    '<hh:paraProperties itemCnt="1"><hh:paraPr id="0" tabPrIDRef="0" condense="0" '
    'fontLineHeight="0" snapToGrid="1" suppressLineNumbers="0" checked="0"/></hh:paraProperties>'
    '<hh:styles itemCnt="1"><hh:style id="0" type="PARA" name="바탕글" engName="Normal" '
    'paraPrIDRef="0" charPrIDRef="0" nextStyleIDRef="0" langID="1042" lockForm="0"/></hh:styles>'
    "</hh:refList></hh:head>"
)
_SEC_PR = (
    '<hp:secPr id="" textDirection="HORIZONTAL" spaceColumns="1135" tabStop="8000" '
    'tabStopVal="4000" tabStopUnit="HWPUNIT" outlineShapeIDRef="1" memoShapeIDRef="0" '
    'textVerticalWidthHead="0" masterPageCnt="0"><hp:pagePr landscape="WIDELY" width="59528" '
    'height="84188" gutterType="LEFT_ONLY"><hp:margin header="2834" footer="4251" gutter="0" '
    'left="5669" right="5669" top="4251" bottom="2834"/></hp:pagePr></hp:secPr>'
)


def _para(text: str, *, char_pr: int = 0, sec_pr: str = "") -> str:
    return (
        '<hp:p id="0" paraPrIDRef="0" styleIDRef="0" pageBreak="0" columnBreak="0" merged="0">'
        f'<hp:run charPrIDRef="{char_pr}">{sec_pr}'
        f"<hp:t>{escape(_XML_INVALID.sub('', text))}</hp:t></hp:run></hp:p>"
    )


def _lines(title: str, body: str, ministry: str, date: str) -> list[tuple[str, int]]:
    """Title first (bold), then the ministry/date line, then one paragraph per body line."""
    lines: list[tuple[str, int]] = [("보도자료", 1), (title, 1)]
    meta = " ".join(part for part in (ministry, date) if part)
    if meta:
        lines.append((meta, 0))
    lines.extend((line.strip(), 0) for line in body.splitlines() if line.strip())
    return lines


def section_xml(title: str, body: str, *, ministry: str = "", date: str = "") -> str:
    """`Contents/section0.xml`; the first paragraph carries `hp:secPr` like Hancom's output."""
    lines = _lines(title, body, ministry, date)
    paras = [
        _para(text, char_pr=pr, sec_pr=_SEC_PR if i == 0 else "")
        for i, (text, pr) in enumerate(lines)
    ]
    return f"{_XML_DECL}<hs:sec {_NS_ATTRS}>{''.join(paras)}</hs:sec>"


def _content_hpf(title: str, ministry: str, date: str) -> str:
    return (
        f'{_XML_DECL}<opf:package {_NS_ATTRS} version="" unique-identifier="" id="">'
        f"<opf:metadata><opf:title>{escape(title)}</opf:title><opf:language>ko</opf:language>"
        f'<opf:meta name="creator" content="text">{escape(ministry)}</opf:meta>'
        f'<opf:meta name="date" content="text">{escape(date)}</opf:meta></opf:metadata>'
        "<opf:manifest>"
        '<opf:item id="header" href="Contents/header.xml" media-type="application/xml"/>'
        '<opf:item id="section0" href="Contents/section0.xml" media-type="application/xml"/>'
        '<opf:item id="settings" href="settings.xml" media-type="application/xml"/></opf:manifest>'
        '<opf:spine><opf:itemref idref="header" linear="no"/><opf:itemref idref="section0"/>'
        "</opf:spine></opf:package>"
    )


def _settings() -> str:
    return (
        f'{_XML_DECL}<ha:HWPApplicationSetting xmlns:ha="{NS["ha"]}" '
        'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0">'
        '<ha:CaretPosition listIDRef="0" paraIDRef="0" pos="0"/></ha:HWPApplicationSetting>'
    )


def _write(zf: zipfile.ZipFile, name: str, data: str | bytes, *, stored: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)


def make_hwpx(title: str, body: str, *, ministry: str = "", date: str = "") -> bytes:
    """A deterministic HWPX package whose section holds the title and every body line."""
    buf = io.BytesIO()
    preview = "\r\n".join(f"<{text}>" for text, _ in _lines(title, body, ministry, date))
    with zipfile.ZipFile(buf, "w") as zf:
        _write(zf, "mimetype", MIMETYPE, stored=True)
        _write(zf, "version.xml", _VERSION, stored=True)
        _write(zf, "Contents/header.xml", _HEADER)
        _write(zf, "Contents/section0.xml", section_xml(title, body, ministry=ministry, date=date))
        _write(zf, "Preview/PrvText.txt", preview)
        _write(zf, "settings.xml", _settings())
        _write(zf, "Contents/content.hpf", _content_hpf(title, ministry, date))
        _write(zf, "META-INF/container.xml", _CONTAINER)
        _write(zf, "META-INF/manifest.xml", _MANIFEST)
    return buf.getvalue()
