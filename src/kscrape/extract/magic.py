"""Kind of an attachment by its magic bytes: file names on korea.kr cannot be trusted."""

from __future__ import annotations

import io
import struct
import zipfile

from kscrape.extract.hwp import HWP3_MAGIC, HWP5_SIGNATURE, open_ole
from kscrape.extract.hwpx import SECTION_RE

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def sniff(data: bytes) -> str:
    """Kind of document by magic bytes: hwpx, hwp, pdf, html, zip or other.

    File names on korea.kr lie (HWP 5 binaries are served as .hwpx), so only the bytes count.
    """
    if data.startswith(ZIP_MAGIC):
        return "hwpx" if _zip_is_hwpx(data) else "zip"
    if data.startswith(CFB_MAGIC):
        return "hwp" if _cfb_is_hwp(data) else "other"
    if data.startswith(HWP3_MAGIC):
        return "hwp"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n\f\x00")[:1024].startswith(b"%PDF"):
        return "pdf"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\f").lower()
    if head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<?xml")) and (
        b"<html" in data[:4096].lower() or head.startswith((b"<!doctype html", b"<html"))
    ):
        return "html"
    return "other"


def _zip_is_hwpx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if any(SECTION_RE.fullmatch(n) for n in names):
                return True
            if "mimetype" in names:
                info = zf.getinfo("mimetype")
                return info.file_size < 100 and b"hwp" in zf.read("mimetype").lower()
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return _zip_local_header_is_hwpx(data)
    return False


def _zip_local_header_is_hwpx(data: bytes) -> bool:
    """A truncated zip lacks its central directory; its first local entry still tells."""
    name_len, extra_len = struct.unpack_from("<HH", data, 26) if len(data) >= 30 else (0, 0)
    name = data[30 : 30 + name_len]
    if name == b"mimetype":
        start = 30 + name_len + extra_len
        return data[start : start + 40].startswith(b"application/hwp")
    return name.startswith(b"Contents/") or name == b"version.xml"


def _cfb_is_hwp(data: bytes) -> bool:
    ole = open_ole(data)
    if ole is None:
        return HWP5_SIGNATURE in data[:65536] or "FileHeader".encode("utf-16-le") in data
    with ole:
        return ole.exists("FileHeader")
