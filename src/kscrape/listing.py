"""What to ask the list page for: form fields, date windows and page arithmetic. No I/O."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from kscrape.errors import ConfigError

PAGE_SIZE = 20
KST = timezone(timedelta(hours=9))


def today_kst() -> date:
    """korea.kr dates releases in Korean time; a day is over only when it is over there."""
    return datetime.now(KST).date()


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of days."""

    since: date
    until: date

    def __post_init__(self) -> None:
        if self.since > self.until:
            raise ConfigError(f"--since {self.since} is after --until {self.until}")

    @classmethod
    def from_iso(cls, since: str, until: str) -> DateRange:
        return cls(date.fromisoformat(since), date.fromisoformat(until))

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1


def parse_day(value: str, *, option: str) -> date:
    """A YYYY-MM-DD date from the command line, with a message that names the option."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"bad date {value!r} for {option}: expected YYYY-MM-DD") from None


def list_form(
    *,
    page: int = 1,
    since: date | None = None,
    until: date | None = None,
    rep_codes: tuple[str, ...] = (),
) -> dict[str, str]:
    """The seven fields korea.kr's own search form posts (pageIndex only works by POST)."""
    return {
        "pageIndex": str(page),
        "repCodeType": "",
        "repCode": ",".join(rep_codes),
        "startDate": since.isoformat() if since else "",
        "endDate": until.isoformat() if until else "",
        "srchWord": "",
        "period": "direct" if since or until else "",
    }


def windows(span: DateRange, days: int, *, newest_first: bool = True) -> list[DateRange]:
    """Split a range into consecutive windows of `days` days (the last one may be shorter).

    Windows are aligned to `span.since` so the same range always yields the same windows:
    that is what lets a resumed backfill recognise the windows it already finished.
    """
    out: list[DateRange] = []
    start = span.since
    while start <= span.until:
        end = min(start + timedelta(days=days - 1), span.until)
        out.append(DateRange(start, end))
        start = end + timedelta(days=1)
    return out[::-1] if newest_first else out


def page_count(total: int) -> int:
    return max(1, math.ceil(total / PAGE_SIZE))


def days_back(today: date, days: int) -> DateRange:
    """The last `days` days up to and including today."""
    return DateRange(today - timedelta(days=max(days, 1) - 1), today)


def iter_days(span: DateRange) -> Iterator[date]:
    for offset in range(span.days):
        yield span.since + timedelta(days=offset)
