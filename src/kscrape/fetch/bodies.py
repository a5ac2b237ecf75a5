"""What comes back: bodies with their Content-Encoding undone, and the server's file name."""

from __future__ import annotations

import re
import unicodedata
import zlib
from urllib.parse import unquote, urlsplit

from kscrape.errors import FetchError
from kscrape.fetch.pacing import Retryable

# What kscrape asks servers for, and how each coding is inflated: gzip (also as x-gzip), and
# deflate, which servers send as a zlib stream or, against the standard, as raw deflate.
ACCEPT_ENCODING = "gzip, deflate"
_WBITS = {"gzip": (31,), "x-gzip": (31,), "deflate": (15, -15)}


def decode_body(raw: bytes, encoding: str | None, limit: int, url: str = "") -> bytes:
    """The body as the resource's bytes, undoing the Content-Encoding the server applied.

    Bodies are read raw so that captures keep what the server sent; this is where gzip and
    deflate (the only codings asked for, both in the standard library) come off. The byte cap
    applies to the decoded size too, so a small compressed answer cannot inflate without
    bound, and a compressed stream that ends early is a cut-off answer, worth a retry.
    """
    codings = [c.strip().lower() for c in (encoding or "").split(",")]
    data = raw
    for coding in reversed([c for c in codings if c and c != "identity"]):
        if coding not in _WBITS:
            raise FetchError(f"{display_url(url)}: unsupported Content-Encoding {coding!r}",
                             url=url)
        data = _inflate(data, coding, limit, url)
    return data


def _inflate(data: bytes, coding: str, limit: int, url: str) -> bytes:
    for wbits in _WBITS[coding]:
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(data, limit + 1)
        except zlib.error:
            continue
        if len(out) > limit or inflater.unconsumed_tail:
            raise FetchError(f"{display_url(url)}: response exceeds the {limit}-byte cap once "
                             "decompressed", url=url)
        if not inflater.eof:
            raise Retryable(f"compressed body cut off ({coding})")
        return out
    raise Retryable(f"corrupt {coding} body")


def filename_from_disposition(header: str | None) -> str:
    """The server's file name, repaired: RFC 5987 filename*, latin-1 mojibake, NFC.

    Java servers send UTF-8 bytes in a plain `filename="…"`, which HTTP clients decode as
    latin-1; re-encoding undoes that. The name is only ever stored, never used as a path.
    """
    if not header:
        return ""
    star = re.search(r"filename\*\s*=\s*([^']*)'[^']*'([^;]+)", header, re.IGNORECASE)
    if star:
        name = unquote(star.group(2).strip().strip('"'), encoding=star.group(1) or "utf-8")
    else:
        plain = re.search(r'filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)', header, re.I)
        name = (plain.group(1) or plain.group(2) or "").strip() if plain else ""
        try:
            name = name.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
        if "%" in name:
            name = unquote(name)
    return unicodedata.normalize("NFC", name)


def display_url(url: str) -> str:
    """A URL for messages: path only, no query string (which may carry keys or tokens)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
