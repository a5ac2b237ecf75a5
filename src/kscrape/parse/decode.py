"""Page bytes to text, as a browser would pick the charset."""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Labels that name a codec Python lacks or a narrower charset than browsers really use.
_CHARSET_ALIASES = {
    "euc-kr": "cp949",
    "euckr": "cp949",
    "ks_c_5601-1987": "cp949",
    "x-windows-949": "cp949",
}


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Bytes to text by BOM, HTTP charset, `<meta charset>`, else UTF-8 with replacement."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    labels: list[str] = []
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        labels.append(m.group(1))
    if meta := _META_CHARSET.search(data, 0, 4096):
        labels.append(meta.group(1).decode("ascii", errors="replace"))
    for label in labels:
        codec = _codec(label)
        if codec:
            return data.decode(codec, errors="replace")
    return data.decode("utf-8", errors="replace")


def _codec(label: str) -> str | None:
    """The Python codec for a charset label, or None when Python cannot decode text with it."""
    label = label.strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    # A page that reached us as bytes cannot really be UTF-16 if its meta tag was readable as ASCII.
    return "utf-8" if info.name.startswith("utf-16") else info.name


def as_text(html: str | bytes) -> str:
    """Accept both forms the callers have: text from a file or bytes from the wire."""
    return decode_html(html) if isinstance(html, bytes) else html
