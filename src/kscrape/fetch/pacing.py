"""When to send and when to try again: the rate limiter, retryable failures, Retry-After."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
SLOW_DOWN_STATUSES = frozenset({429, 503})


class Retryable(Exception):
    """A failure worth another attempt; carries the server's Retry-After when it sent one."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        refusal: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.refusal = refusal


@dataclass
class RateLimiter:
    """Spaces request *starts* at least 1/rate apart, so the achieved rate never exceeds it.

    After a 429 or 503 the interval doubles (up to 8×) and decays back as requests succeed:
    a struggling server answers errors quickly, and a fixed-delay crawler would speed up.
    """

    rate: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    factor: float = 1.0
    _next: float = field(default=0.0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wait(self) -> None:
        if self.rate <= 0:
            return
        interval = self.factor / self.rate
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + interval
        if start > now:
            self.sleep(start - now)
            # Sleeps overrun; spacing the next start from the real one keeps every gap ≥ 1/rate.
            with self._lock:
                self._next = max(self._next, self.clock() + interval)

    def slow_down(self) -> None:
        self.factor = min(self.factor * 2, 8.0)

    def recover(self) -> None:
        self.factor = max(1.0, self.factor * 0.9)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header given as seconds or as an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
