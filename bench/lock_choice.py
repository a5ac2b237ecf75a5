"""How the write lock was chosen: cross-platform lock candidates under the same four trials.

Each candidate is tried in child processes, once as installed and once with `fcntl` made
unimportable (what Windows looks like to a library that only knows fcntl and msvcrt):

1. it imports, and how long that takes;
2. a second process is refused while a first one holds the lock;
3. after the holder is killed with SIGKILL, the next process gets the lock (no stale lock);
4. the cost of one non-blocking acquire + release.

    python bench/lock_choice.py           # prints a Markdown table (RESULTS-lock.md)

The candidates are in the `bench` extra (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

# Each candidate: code that defines `take(path) -> object | None` (None when refused) and
# `drop(handle)`. Imports happen inside, timed.
CANDIDATES = {
    "filelock.FileLock": """
        import filelock
        def take(path):
            lock = filelock.FileLock(path, timeout=0)
            try:
                lock.acquire()
            except filelock.Timeout:
                return None
            return lock
        def drop(lock):
            lock.release()
    """,
    "filelock.ReadWriteLock (SQLite)": """
        import filelock
        def take(path):
            lock = filelock.ReadWriteLock(path, timeout=0, blocking=False, is_singleton=False)
            try:
                lock.acquire_write(blocking=False)
            except filelock.Timeout:
                return None
            return lock
        def drop(lock):
            lock.release()
            lock.close()
    """,
    "portalocker.Lock": """
        import portalocker
        def take(path):
            lock = portalocker.Lock(path, timeout=0, fail_when_locked=True)
            try:
                lock.acquire()
            except portalocker.exceptions.LockException:
                return None
            return lock
        def drop(lock):
            lock.release()
    """,
    "fasteners.InterProcessLock": """
        import fasteners
        def take(path):
            lock = fasteners.InterProcessLock(path)
            return lock if lock.acquire(blocking=False) else None
        def drop(lock):
            lock.release()
    """,
    "sqlite3 BEGIN EXCLUSIVE": """
        import sqlite3
        def take(path):
            conn = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                conn.execute("pragma journal_mode=memory")
                conn.execute("begin exclusive")
            except sqlite3.OperationalError:
                conn.close()
                return None
            return conn
        def drop(conn):
            conn.execute("rollback")
            conn.close()
    """,
}

BLOCK_FCNTL = """
import sys
class _NoFcntl:
    def find_spec(self, name, path=None, target=None):
        if name == "fcntl":
            raise ModuleNotFoundError("No module named 'fcntl'", name=name)
sys.modules.pop("fcntl", None)
sys.meta_path.insert(0, _NoFcntl())
"""

CHILD = """
import sys, time, warnings
{block}
started = time.perf_counter()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        exec({code!r})
    except ImportError as exc:
        print("import-error", "needs", exc.name or type(exc).__name__, flush=True)
        sys.exit(0)
print("imported", round((time.perf_counter() - started) * 1000, 1),
      "warned" if caught else "quiet", flush=True)
mode, path = sys.argv[1], sys.argv[2]
if mode == "hold":
    handle = take(path)
    print("held" if handle else "refused", flush=True)
    time.sleep(60)
elif mode == "try":
    handle = take(path)
    print("acquired" if handle else "refused", flush=True)
    if handle:
        drop(handle)
else:
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        drop(take(path))
    print("cost", round((time.perf_counter() - started) / rounds * 1e6), flush=True)
"""


def child(code: str, blocked: bool, *args: str) -> subprocess.Popen[str]:
    source = CHILD.format(block=BLOCK_FCNTL if blocked else "", code=textwrap.dedent(code))
    return subprocess.Popen([sys.executable, "-c", source, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def lines(proc: subprocess.Popen[str], count: int) -> list[list[str]]:
    """The child's first `count` lines, split into words; a child that died reads 'error'."""
    assert proc.stdout is not None
    return [proc.stdout.readline().split() or ["error", "error"] for _ in range(count)]


def trial(code: str, blocked: bool, folder: Path) -> dict[str, str]:
    path = str(folder / f"lock-{int(blocked)}-{abs(hash(code))}")
    probe = child(code, blocked, "try", path)
    first = lines(probe, 1)[0]
    probe.wait()
    if first[0] != "imported":
        reason = "not installed" if not blocked else " ".join(first[1:3])
        return {"imports": f"no: {reason}"}
    result = {"imports": f"yes, {first[1]} ms" + (" (warns)" if first[2] == "warned" else "")}
    holder = child(code, blocked, "hold", path)
    held = lines(holder, 2)[1][0]
    contender = child(code, blocked, "try", path)
    result["second refused"] = "yes" if lines(contender, 2)[1][0] == "refused" else "NO"
    contender.wait()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    after = child(code, blocked, "try", path)
    result["free after SIGKILL"] = "yes" if lines(after, 2)[1][0] == "acquired" else "NO"
    after.wait()
    cost = child(code, blocked, "cost", path)
    result["acquire+release"] = f"{lines(cost, 2)[1][1]} µs"
    cost.wait()
    if held != "held":
        result["second refused"] = "holder failed"
    return result


def main() -> None:
    columns = ("imports", "second refused", "free after SIGKILL", "acquire+release")
    print(f"<!-- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python "
          f"{sys.version.split()[0]}, {os.uname().sysname} -->")
    print("| candidate | fcntl | " + " | ".join(columns) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in columns) + " |")
    with tempfile.TemporaryDirectory() as tmp:
        for name, code in CANDIDATES.items():
            for blocked in (False, True):
                row = trial(code, blocked, Path(tmp))
                cells = [row.get(c, "—") for c in columns]
                print(f"| {name} | {'blocked' if blocked else 'present'} | "
                      + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
