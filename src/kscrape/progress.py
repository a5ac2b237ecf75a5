"""What a long run shows while it works: a progress bar with ETA on a terminal, one log line
per backfill window elsewhere (a cron log or a collector reading --log-format json).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from kscrape.backfill import WindowReport
from kscrape.config import Config
from kscrape.crawl import RunStats

log = logging.getLogger("kscrape")

# Mean requests per release beyond the list pages; `auto` fetches files for about one in five.
REQUESTS_PER_RELEASE = {"list": 0.0, "auto": 0.5, "view": 1.0, "files": 2.0}


class WindowProgress:
    """A progress bar with ETA on a terminal; one log line per window otherwise.

    The ETA counts the requests still to make: the windows walked so far give the mean
    declared count per window, hence list pages (20 releases each) and, at depth view or
    files, one or two more requests per release. Each takes 1/rate seconds, or longer when
    the run so far has been slower than the rate limit.
    """

    WIDTH = 20

    def __init__(self, config: Config, stream: Any = None) -> None:
        self.config = config
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.walked = 0
        self.declared = 0
        self.requests = 0.0
        self.drawn = 0  # width of the longest line drawn, 0 before the first

    def __call__(self, report: WindowReport, stats: RunStats) -> None:
        if not report.skipped:
            self.walked += 1
            self.declared += report.declared
            self.requests += self.requests_for(report.declared)
        if self.tty:
            self.draw(report, stats)
            return
        state = "already done" if report.skipped else (
            f"{report.declared} listed, {report.matched} ours; total new {stats.new}, "
            f"updated {stats.updated}, failed {stats.failed}, list pages {stats.pages}")
        fields = {"window": report.index, "windows": report.total,
                  "since": str(report.span.since), "until": str(report.span.until),
                  "skipped": report.skipped, "declared": report.declared,
                  "new": stats.new, "updated": stats.updated, "failed": stats.failed}
        log.info("window %d/%d %s..%s: %s", report.index, report.total, report.span.since,
                 report.span.until, state, extra={"fields": fields})

    def requests_for(self, declared: float) -> float:
        return 1 + declared / 20 + declared * REQUESTS_PER_RELEASE[self.config.depth]

    def eta(self, remaining_windows: int) -> float | None:
        """Seconds left, or None before the first walked window gives a count to go by."""
        if not self.walked:
            return None
        per_request = 1 / self.config.rate if self.config.rate else 0.0
        per_request = max(per_request, (time.monotonic() - self.started) / self.requests)
        return remaining_windows * self.requests_for(self.declared / self.walked) * per_request

    def draw(self, report: WindowReport, stats: RunStats) -> None:
        filled = round(self.WIDTH * report.index / report.total)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        eta = self.eta(report.total - report.index)
        left = "?" if eta is None else clock(eta)
        line = (f"[{bar}] {report.index}/{report.total} windows {report.span.since}.."
                f"{report.span.until}  new {stats.new}  failed {stats.failed}  ETA {left}")
        # Spaces, not an ANSI erase: a Windows console shows escape codes as text.
        self.stream.write("\r" + line.ljust(self.drawn))
        self.stream.flush()
        self.drawn = max(self.drawn, len(line))

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def clock(seconds: float) -> str:
    """Seconds as H:MM:SS."""
    whole = int(seconds + 0.5)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
