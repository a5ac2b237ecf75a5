"""File names and file writes that are safe on Linux, macOS and Windows.

Every file kscrape names after something it did not choose (a release title, a watch name,
a server's file name) goes through `safe_component`; every file it writes for people to read
(exports, Markdown trees, feeds) goes through `atomic_writer`/`atomic_write`, so a reader sees
the old file or the whole new one, never half of either.

The rules are Windows' (the strictest of the three): no `< > : " / \\ | ? *` or controls, no
trailing dot or space, no device names, 255 units per name. Whole paths stay within 260
characters (MAX_PATH) by keeping names short: the Markdown tree's stay under 110 characters
below its folder (`export_md.release_path`).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

# Characters Windows forbids in a name, the path separators of every platform, and controls.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
# Names Windows reserves for devices, also with an extension or spaces before it (`CON .txt`).
_RESERVED = re.compile(
    r"^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³]) *(\.|$)", re.IGNORECASE)
# An extension worth keeping when a long name is cut: `.hwpx`, `.md`, `.xml`.
_EXTENSION = re.compile(r"\.[0-9A-Za-z]{1,8}$")
COMPONENT_MAX_BYTES = 255  # ext4, APFS (UTF-8 bytes); NTFS allows 255 UTF-16 units
COMPONENT_MAX_CHARS = 120
HASH_CHARS = 8
REPLACE_RETRIES = (0.05, 0.1, 0.2, 0.3, 0.4)  # seconds between tries of a rename


def safe_component(name: str, *, max_chars: int = COMPONENT_MAX_CHARS, fallback: str = "_") -> str:
    """One path component that every common file system accepts and that names the same file.

    NFC (macOS keeps what it is given, and NFD Hangul would otherwise look like another
    name), no separators, controls or characters Windows forbids (each becomes `_`), no
    leading or trailing dots or spaces, no device names (CON, NUL, COM1 … become `_CON`).
    A name longer than `max_chars` (UTF-16 units, as Windows counts) or 255 UTF-8 bytes is
    cut and ends in `~` and a hash of the whole name, before a short extension if it had one:
    two long titles that share a beginning still get two files, and the same title (in NFC
    or NFD) always the same one.
    """
    nfc = unicodedata.normalize("NFC", name)
    text = _FORBIDDEN.sub("_", " ".join(nfc.split())).strip(" .")
    if _RESERVED.match(text):
        text = "_" + text
    if _units(text) > max_chars or len(text.encode("utf-8")) > COMPONENT_MAX_BYTES:
        match = _EXTENSION.search(text)
        extension = match.group() if match else ""
        tail = "~" + hashlib.sha256(nfc.encode("utf-8")).hexdigest()[:HASH_CHARS] + extension
        stem = _prefix(text[: len(text) - len(extension)], max_chars - len(tail),
                       COMPONENT_MAX_BYTES - len(tail))
        text = stem.rstrip(" ._") + tail
    return text or fallback


def _units(text: str) -> int:
    """Length as Windows counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _prefix(text: str, max_units: int, max_bytes: int) -> str:
    """The longest prefix within both limits."""
    units = size = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        size += len(char.encode("utf-8"))
        if units > max_units or size > max_bytes:
            return text[:index]
    return text


@contextmanager
def atomic_writer(
    path: Path, *, encoding: str | None = "utf-8", newline: str | None = ""
) -> Iterator[IO[Any]]:
    """A file object whose contents replace `path` in one step when the block ends.

    The data goes to a temporary file in the same folder, is flushed to disk and closed, and
    only then renamed over the target with `os.replace` (atomic on POSIX and Windows; no
    handle is open on the target at that moment). An error inside the block leaves the old
    file as it was. The folder must exist. `encoding=None` gives a binary file.
    """
    mode = "wb" if encoding is None else "w"
    extra = {} if encoding is None else {"encoding": encoding, "newline": newline}
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed before the rename below
        mode, dir=path.parent, prefix=_temp_prefix(path.name), suffix=".tmp", delete=False,
        **extra,
    )
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, _target_mode(path))
        _replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _temp_prefix(name: str) -> str:
    """`.name.` cut so that the temporary name (prefix, 8 random characters, `.tmp`) is no
    longer than the target's: a path that fits Windows' 260 characters, its temporary does."""
    return f".{name[: min(40, max(0, len(name) - 14))]}."


def _replace(source: str, target: Path) -> None:
    """`os.replace`, tried again for about a second on PermissionError: on Windows a virus
    scanner or search indexer may hold the new file for a moment, or a reader the old one."""
    for delay in REPLACE_RETRIES:
        try:
            os.replace(source, target)
            return
        except PermissionError:
            time.sleep(delay)
    os.replace(source, target)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (see `atomic_writer`)."""
    with atomic_writer(path, encoding=None) as handle:
        handle.write(data)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` atomically unless the file already holds exactly it; True if written.

    Feeds and Markdown trees are kept in git or polled by readers: an unchanged file keeps
    its bytes and its modification time.
    """
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


def _target_mode(path: Path) -> int:
    """Temporary files are created 0600; give the result the mode a plain open() would."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask

