"""Measures that crawl a replica on loopback: rate accuracy, requests per release, scale.

The replica serves from a thread of the bench process and logs every request with its arrival
time; crawls that must be measured alone (RSS, CPU) run as `python -m kscrape` subprocesses.
"""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kscrape.backfill import crawl_range
from kscrape.config import Config, with_overrides
from kscrape.crawl import run
from kscrape.listing import DateRange
from kscrape.replica import LoggedRequest, Replica
from kscrape.update import update

JUNE = DateRange(date(2023, 6, 1), date(2023, 6, 30))
LAST_WEEK = DateRange(date(2023, 6, 26), date(2023, 6, 30))
BACKFILL_YEARS = 10
BACKFILL_RELEASES = 260_000


@dataclass(frozen=True)
class ChildRun:
    """A finished `python -m kscrape` subprocess: wall time and what the kernel charged it."""

    returncode: int
    wall: float
    cpu: float
    max_rss_mib: float
    stderr: str


def bench_config(replica: Replica, workdir: Path, **overrides: Any) -> Config:
    """A config aimed at the replica, with no config.toml or environment involved."""
    return with_overrides(
        Config(),
        base_url=replica.url,
        db=str(workdir / "bench.db"),
        attachments_dir=str(workdir / "attachments"),
        warc_dir=str(workdir / "warc"),
        rate=0,
        backoff_initial=0.01,
        backoff_max=0.05,
        **overrides,
    )


def child_env(replica: Replica, db: Path, rate: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KSCRAPE_")}
    env.update(
        KSCRAPE_BASE_URL=replica.url,
        KSCRAPE_DB=str(db),
        KSCRAPE_RATE=str(rate),
        KSCRAPE_LOG_FORMAT="text",
    )
    return env


def start_child(args: Sequence[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kscrape", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_child(proc: subprocess.Popen[str], started: float) -> ChildRun:
    """Reap the child: CPU from wait4 (that child's alone), peak RSS from /proc VmHWM.

    wait4's ru_maxrss is useless here: Linux carries the parent's peak RSS across fork+exec,
    so a child of a bench process holding a 100k-release corpus would report the bench's size.
    """
    assert proc.stderr is not None
    peak = [0]
    poller = threading.Thread(target=_poll_hwm, args=(proc.pid, peak), daemon=True)
    poller.start()
    stderr = proc.stderr.read()
    poller.join()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    return ChildRun(
        returncode=proc.returncode,
        wall=time.perf_counter() - started,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mib=peak[0] / 1024,
        stderr=stderr,
    )


def _poll_hwm(pid: int, peak: list[int]) -> None:
    """Follow the child's VmHWM (peak resident set, KiB) until it exits."""
    path = f"/proc/{pid}/status"
    while True:
        try:
            with open(path, encoding="ascii") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            return
        hwm = fields.get("VmHWM")
        if hwm is None:  # a zombie: the memory is gone, the peak was read before
            return
        peak[0] = max(peak[0], int(hwm.split()[0]))
        time.sleep(0.02)


def rate_of(times: Sequence[float]) -> float:
    """(n−1)/(t_last − t_first): requests per second between the first and last start."""
    if len(times) < 2 or times[-1] <= times[0]:
        return 0.0
    return (len(times) - 1) / (times[-1] - times[0])


# -- 3. rate accuracy -------------------------------------------------------------------------


@contextmanager
def june_crawl(replica: Replica, rate: float, name: str) -> Iterator[list[ChildRun]]:
    """A `backfill --depth view` of June 2023 in a child at `rate`, running inside the block.

    The block starts once the replica saw the first request; on leaving, the child is
    stopped and its ChildRun appended to the yielded list.
    """
    replica.reset()
    done: list[ChildRun] = []
    with tempfile.TemporaryDirectory(prefix=f"kscrape-{name}-") as tmp:
        work = Path(tmp)
        env = child_env(replica, work / f"{name}.db", rate)
        started = time.perf_counter()
        proc = start_child(
            ["backfill", "--since", JUNE.since.isoformat(), "--until", JUNE.until.isoformat(),
             "--depth", "view"], env, work)
        try:
            _wait_for_requests(replica, 1, timeout=30)
            yield done
        finally:
            proc.terminate()  # SIGINT may be ignored when the bench runs in the background
            done.append(wait_child(proc, started))


def measure_rate(replica: Replica, rate: float, seconds: float) -> dict[str, Any]:
    """Crawl at depth view with `rate` for `seconds`, then interrupt; rate from the replica log."""
    with june_crawl(replica, rate, "rate") as done:
        time.sleep(seconds)
    child = done[0]
    times = [r.at for r in replica.requests]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    achieved = rate_of(times)
    return {
        "rate": rate,
        "requests": len(times),
        "span_s": times[-1] - times[0] if times else 0.0,
        "achieved": achieved,
        "ratio": achieved / rate,
        "min_gap_s": min(gaps) if gaps else 0.0,
        "cpu_s": child.cpu,
        "cpu_per_request_s": child.cpu / max(1, len(times)),
        "returncode": child.returncode,
    }


def measure_backoff(replica: Replica, rate: float, before: float, after: float,
                    burst: int = 3, retry_after: int = 1) -> dict[str, Any]:
    """Rate before, during and after a burst of 429 + Retry-After answers."""
    with june_crawl(replica, rate, "burst"):
        time.sleep(before)
        replica.faults.add("*", kind="status", code=429, times=burst,
                           headers={"Retry-After": str(retry_after)})
        _wait_for(lambda: any(r.status == 429 for r in replica.requests), timeout=10)
        time.sleep(burst * retry_after + after)
    log = replica.requests
    refused = [r.at for r in log if r.status == 429]
    first_429, last_429 = refused[0], refused[-1]
    recovered = next(r.at for r in log if r.at > last_429)

    def per_second(lo: float, hi: float) -> float:
        return rate_of([r.at for r in log if lo <= r.at <= hi])

    end = log[-1].at
    return {
        "rate": rate,
        "burst": burst,
        "retry_after": retry_after,
        "before": rate_of([r.at for r in log if r.at < first_429]),
        "during": per_second(first_429, recovered),
        "after_0_2": per_second(recovered, recovered + 2),
        "after_2_5": per_second(recovered + 2, recovered + 5),
        "after_5_end": per_second(recovered + 5, end),
        "burst_s": recovered - first_429,
    }


def _wait_for_requests(replica: Replica, n: int, timeout: float) -> None:
    _wait_for(lambda: len(replica.requests) >= n, timeout)


def _wait_for(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the replica saw nothing in time")
        time.sleep(0.01)


# -- 4. requests per release ------------------------------------------------------------------


def _routes(log: Sequence[LoggedRequest]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in log:
        counts[r.route] = counts.get(r.route, 0) + 1
    return counts


def measure_depths(replica: Replica, spans: dict[str, DateRange]) -> list[dict[str, Any]]:
    """Requests per stored release for a date-range crawl at each depth."""
    rows = []
    for depth, span in spans.items():
        replica.reset()
        with tempfile.TemporaryDirectory(prefix=f"kscrape-{depth}-") as tmp:
            config = bench_config(replica, Path(tmp))
            started = time.perf_counter()
            with run(config, "crawl", span=span, depth=depth) as crawler:
                stats = crawl_range(crawler, span, resume=False)
            wall = time.perf_counter() - started
        routes = _routes(replica.requests)
        total = sum(routes.values())
        releases = stats.new
        per = total / releases
        rows.append({
            "depth": depth,
            "span": f"{span.since}..{span.until}",
            "releases": releases,
            "requests": total,
            "routes": routes,
            "per_release": per,
            "list_per_release": routes.get("list", 0) / releases,
            "backfill_hours": BACKFILL_RELEASES * per / 3600,
            "wall_s": wall,
        })
    return rows


def measure_updates(replica: Replica, depth: str, news: Sequence[int]) -> list[dict[str, Any]]:
    """Requests of `update` after the last week is stored and `k` releases were published."""
    replica.reset()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kscrape-update-") as tmp:
        config = bench_config(replica, Path(tmp))
        with run(config, "crawl", span=LAST_WEEK, depth=depth) as crawler:
            crawl_range(crawler, LAST_WEEK, resume=False)
        for k in news:
            for i in range(k):
                replica.add_release({
                    "title": f"벤치마크 신규 보도자료 {k}-{i}",
                    "ministry": "기획재정부",
                    "body": "새로 게시된 보도자료의 본문입니다.",
                })
            before = len(replica.requests)
            with run(config, "update", depth=depth) as crawler:
                stats = update(crawler)
            routes = _routes(replica.requests[before:])
            rows.append({
                "depth": depth,
                "new": k,
                "stored_new": stats.new,
                "requests": sum(routes.values()),
                "list": routes.get("list", 0),
                "view": routes.get("view", 0),
                "expected_list": max(1, math.ceil((k + 1) / 20)),
            })
    return rows


# -- 5. scale ---------------------------------------------------------------------------------


def measure_backfill(records: list[dict[str, Any]], workdir: Path) -> dict[str, Any]:
    """Backfill every record at depth list and rate 0 in a subprocess; export the result."""
    days = sorted(str(r["approved_at"])[:10] for r in records)
    since, until = days[0], days[-1]
    db = workdir / f"scale-{len(records)}.db"
    with Replica(records) as replica:
        env = child_env(replica, db, 0)
        started = time.perf_counter()
        proc = start_child(["backfill", "--since", since, "--until", until, "--depth", "list"],
                           env, workdir)
        child = wait_child(proc, started)
        log = replica.requests
    if child.returncode != 0:
        raise RuntimeError(f"backfill exited {child.returncode}: {child.stderr[-2000:]}")
    times = [r.at for r in log]
    fifth = max(2, len(times) // 5)
    size = db.stat().st_size + _size(Path(f"{db}-wal"))
    csv = workdir / f"scale-{len(records)}.csv"
    started = time.perf_counter()
    export = wait_child(start_child(["export", "--format", "csv", "-o", str(csv)],
                                    child_env(replica, db, 0), workdir), started)
    if export.returncode != 0:
        raise RuntimeError(f"export exited {export.returncode}: {export.stderr[-2000:]}")
    out = {
        "releases": len(records),
        "span": f"{since}..{until}",
        "requests": len(times),
        "wall_s": child.wall,
        "cpu_s": child.cpu,
        "max_rss_mib": child.max_rss_mib,
        "releases_per_s": len(records) / child.wall,
        "pages_per_s": len(times) / child.wall,
        "pages_per_s_first_fifth": rate_of(times[:fifth]),
        "pages_per_s_last_fifth": rate_of(times[-fifth:]),
        "cpu_per_page_s": child.cpu / max(1, len(times)),
        "db_bytes": size,
        "db_kib_per_1k": size / 1024 / (len(records) / 1000),
        "export_wall_s": export.wall,
        "export_rss_mib": export.max_rss_mib,
        "export_rows_per_s": len(records) / export.wall,
        "csv_bytes": csv.stat().st_size,
    }
    db.unlink()
    csv.unlink()
    return out


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def window_count(span: DateRange, days: int = 7) -> int:
    return math.ceil(((span.until - span.since) + timedelta(days=1)).days / days)
