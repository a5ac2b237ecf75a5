"""File names and file writes that are safe on Linux, macOS and Windows.

Every file kscrape names after something it did not choose (a release title, a watch name,
a server's file name) goes through `safe_component`; every file it writes for people to
read (exports, Markdown trees, feeds) goes through `atomic_write`, so a reader sees the old
file or the whole new one, never half of either.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

# Characters Windows forbids in a name, plus the path separators of every platform.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Names Windows reserves for devices, with or without an extension.
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)", re.IGNORECASE)
COMPONENT_MAX_BYTES = 255
HASH_CHARS = 8


def safe_component(name: str, *, max_chars: int = 120, fallback: str = "_") -> str:
    """One path component that every common file system accepts and that names the same file.

    NFC (macOS keeps what it is given, and NFD Hangul would otherwise look like another
    name), no separators, controls or characters Windows forbids, no trailing dots or
    spaces, no device names (CON, NUL, COM1 …). A name longer than `max_chars` characters
    (or 255 UTF-8 bytes) is cut and ends in a hash of the whole name, so two long titles
    that share a beginning still get two files, and the same title always the same one.
    """
    text = unicodedata.normalize("NFC", name)
    text = _FORBIDDEN.sub("_", text)
    text = " ".join(text.split()).strip(" .")
    if _RESERVED.match(text):
        text = "_" + text
    if len(text) > max_chars or len(text.encode("utf-8")) > COMPONENT_MAX_BYTES:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:HASH_CHARS]
        room = min(max_chars, COMPONENT_MAX_BYTES // 4) - HASH_CHARS - 1
        text = f"{text[:room].rstrip(' ._')}~{digest}"
    return text or fallback


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
        mode, dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".tmp", delete=False,
        **extra,
    )
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, _target_mode(path))
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


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

