"""One writing run per database: an flock on `<db>.lock` that names its holder.

The kernel drops an flock when its process dies, so a lock left by a killed run is never
stale; the holder's pid and start time are written into the file for the message.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kscrape.errors import LockedError, StoreError
from kscrape.store import utcnow


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
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"{db} is locked by another kscrape run ({describe_holder(db)})"
            ) from None
        os.ftruncate(fd, 0)
        me = {"pid": os.getpid(), "started_at": utcnow(), "command": command}
        os.write(fd, json.dumps(me).encode())
        yield
        os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def holder(db: str | Path) -> dict[str, object] | None:
    """Who holds the lock now, or None when nobody does."""
    path = lock_path(db)
    if not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                return json.loads(path.read_text() or "{}") or {"pid": "?"}
            except (OSError, ValueError):
                return {"pid": "?"}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def describe_holder(db: str | Path) -> str:
    info = holder(db) or {}
    return (
        f"pid {info.get('pid', '?')}, {info.get('command', 'run')} "
        f"started {info.get('started_at', '?')}"
    )
