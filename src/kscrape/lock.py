"""One writing run per database: an exclusive SQLite lock on `<db>.lock`, its holder named.

The lock is SQLite's own file lock, taken with `BEGIN EXCLUSIVE` on an empty database file
and held for the whole run. SQLite implements it with POSIX advisory locks on Linux and
macOS and with `LockFileEx` on Windows; the operating system drops either when the process
dies, so a lock left by a killed run is never stale: the next run simply gets it. The same
code runs on every platform and needs no POSIX-only module (`fcntl` does not exist on
Windows). bench/lock_choice.py measured the alternatives (filelock, portalocker, fasteners).

The holder writes its pid, start time and command into `<db>.lock.json`, so that a refused
run (and `kscrape status`) can say who holds the lock. That record is a separate file:
nothing can be committed to a database while its exclusive lock is held, and a process that
opened and closed the locked file outside SQLite would lose its POSIX locks.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

from kscrape.errors import LockedError, StoreError
from kscrape.store import utcnow

# A reader (`status`) probes the lock with a momentary shared lock; a writer starting at that
# very instant retries for this long instead of reporting a lock that nobody holds.
GRACE_SECONDS = 0.2
_POLL = 0.02


def lock_path(db: str | Path) -> Path:
    """The file whose SQLite lock is the write lock (empty: only its lock is used)."""
    return Path(f"{db}.lock")


def record_path(db: str | Path) -> Path:
    """Who holds the lock: JSON written by the holder, emptied when it lets go."""
    return Path(f"{db}.lock.json")


@contextmanager
def write_lock(db: str | Path, *, command: str) -> Iterator[None]:
    """Hold the database's write lock for the duration of the block, or raise LockedError."""
    conn = _acquire(db, command)
    try:
        yield
    finally:
        with suppress(OSError):
            _write_record(db, None)
        conn.close()


def _acquire(db: str | Path, command: str) -> sqlite3.Connection:
    """Take the lock and sign it, or raise LockedError (held) or StoreError (cannot)."""
    path = lock_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _take(path)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: cannot take the write lock: {exc}") from exc
    if conn is None:
        raise LockedError(
            f"{db} is locked by another kscrape run ({describe(_read(db, wait=True))}); "
            "it will be free when that run ends"
        )
    try:
        _write_record(db, {"pid": os.getpid(), "started_at": utcnow(), "command": command})
    except OSError as exc:
        conn.close()
        raise StoreError(f"{record_path(db)}: cannot name the lock holder: {exc}") from exc
    return conn


def _take(path: Path) -> sqlite3.Connection | None:
    """A connection holding the exclusive lock on `path`, or None when another process has it."""
    try:
        return _begin_exclusive(path)
    except sqlite3.DatabaseError as exc:
        if _code(exc) != sqlite3.SQLITE_NOTADB:
            raise
    path.write_bytes(b"")  # the JSON record an older kscrape kept in <db>.lock
    return _begin_exclusive(path)


def _begin_exclusive(path: Path) -> sqlite3.Connection | None:
    conn = sqlite3.connect(path, timeout=GRACE_SECONDS, isolation_level=None)
    try:
        conn.execute("pragma journal_mode=memory")  # no -journal file beside the lock
        conn.execute("begin exclusive")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if _code(exc) == sqlite3.SQLITE_BUSY:
            return None
        raise
    return conn


def _code(exc: sqlite3.Error) -> int:
    """The primary result code (SQLITE_BUSY also comes as BUSY_RECOVERY, BUSY_TIMEOUT…)."""
    return (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF


def holder(db: str | Path) -> dict[str, Any] | None:
    """Who holds the lock now, or None when nobody does.

    The record alone cannot tell: a killed holder leaves it behind. The lock can, so this
    asks for a shared lock on the lock file (read-only, without waiting) and drops it at once.
    """
    path = lock_path(db)
    if not path.is_file():
        return None
    uri = f"{path.absolute().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)) as conn:
            conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        if _code(exc) == sqlite3.SQLITE_BUSY:
            return _read(db, wait=True)
    return None


def _write_record(db: str | Path, info: dict[str, Any] | None) -> None:
    """Written in place, not replaced: on Windows a reader's open handle would block a rename."""
    with record_path(db).open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(info) if info else "")


def _read(db: str | Path, *, wait: bool) -> dict[str, Any]:
    """The holder's record; a holder that just took the lock may not have written it yet."""
    deadline = time.monotonic() + (GRACE_SECONDS if wait else 0)
    while True:
        try:
            info = json.loads(record_path(db).read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            info = None
        if isinstance(info, dict) or time.monotonic() >= deadline:
            return info if isinstance(info, dict) else {}
        time.sleep(_POLL)


def claim_file(fileno: int) -> bool:
    """Lock an open file for this process alone, without waiting; False when another has it.

    Capture files use it to tell a live writer's file from one a killed run left behind: the
    operating system drops the lock with its process. POSIX systems have fcntl, Windows msvcrt
    (imported here, never at module level, so that neither is needed to import kscrape). On a
    system with neither, the database's write lock, which every capturing run holds, is what
    keeps two writers apart, and the claim succeeds.
    """
    try:
        import fcntl
    except ImportError:
        return _claim_windows(fileno)
    try:
        fcntl.flock(fileno, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _claim_windows(fileno: int) -> bool:
    try:
        import msvcrt
    except ImportError:
        return True
    try:
        msvcrt.locking(fileno, msvcrt.LK_NBLCK, 1)  # the first byte: the file's position is 0
    except OSError:
        return False
    return True


def describe(info: dict[str, Any] | None) -> str:
    """'pid 123, backfill started 2024-05-01T03:00:00Z' for messages."""
    info = info or {}
    return (
        f"pid {info.get('pid', '?')}, {info.get('command', 'run')} "
        f"started {info.get('started_at', '?')}"
    )
