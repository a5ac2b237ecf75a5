"""One writing run per database: an flock on `<db>.lock` that names its holder.

The kernel drops an flock when its process dies, so a lock left by a killed run is never
stale: the next run simply gets it. The holder's pid, start time and command are written
into the file so that a refused run (and `kscrape status`) can say who holds it.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kscrape.errors import LockedError, StoreError
from kscrape.store import utcnow

# A reader (`status`) probes the lock with a momentary shared flock; a writer starting at that
# very instant retries for this long instead of reporting a lock that nobody holds.
GRACE_SECONDS = 0.2
_POLL = 0.02


def lock_path(db: str | Path) -> Path:
    return Path(f"{db}.lock")


@contextmanager
def write_lock(db: str | Path, *, command: str) -> Iterator[None]:
    """Hold the database's write lock for the duration of the block, or raise LockedError."""
    path = lock_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create lock file: {exc.strerror}") from exc
    try:
        if not _acquire(fd):
            raise LockedError(
                f"{db} is locked by another kscrape run ({describe(_read(path, wait=True))}); "
                "it will be free when that run ends"
            )
        me = {"pid": os.getpid(), "started_at": utcnow(), "command": command}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def _acquire(fd: int) -> bool:
    deadline = time.monotonic() + GRACE_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL)


def holder(db: str | Path) -> dict[str, Any] | None:
    """Who holds the lock now, or None when nobody does.

    The file's contents alone cannot tell: a killed holder leaves its record behind. The
    flock can, so this probes it with a shared lock that it drops at once.
    """
    path = lock_path(db)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(path, wait=True)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read(path: Path, *, wait: bool) -> dict[str, Any]:
    """The holder's record; a holder that just took the lock may not have written it yet."""
    deadline = time.monotonic() + (GRACE_SECONDS if wait else 0)
    while True:
        try:
            info = json.loads(path.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            info = None
        if isinstance(info, dict) or time.monotonic() >= deadline:
            return info if isinstance(info, dict) else {}
        time.sleep(_POLL)


def describe(info: dict[str, Any] | None) -> str:
    """'pid 123, backfill started 2024-05-01T03:00:00Z' for messages."""
    info = info or {}
    return (
        f"pid {info.get('pid', '?')}, {info.get('command', 'run')} "
        f"started {info.get('started_at', '?')}"
    )
