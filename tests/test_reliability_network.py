"""Network faults against the replica: retries, give-up, blocking, broken bodies, redirects.

Every test either drives the real CLI in-process or a real Fetcher over loopback; waits are
asserted through an injected `sleep` recorder, never slept.
"""

from __future__ import annotations

import email.utils
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kscrape.cli import cli
from kscrape.config import KEYS, Config
from kscrape.errors import FetchError
from kscrape.fetch import Fetcher, RateLimiter
from kscrape.listing import list_form
from kscrape.models import LIST_PATH, view_url

from .conftest import corpus_between, make_config

DAY = "2023-06-24"  # 8 releases: one list page
OTHER_DAY = "2023-06-25"  # 20 releases: one list page
NEWS_ID = "156577893"  # 기획재정부, 2023-06-29


# -- helpers shared by the reliability tests ----------------------------------------------------


def stored(config: Config) -> dict[str, dict]:
    """Every row of `releases`, by newsId; empty when the database was never created."""
    if not Path(config.db).exists():
        return {}
    with closing(sqlite3.connect(config.db)) as conn:
        conn.row_factory = sqlite3.Row
        return {r["news_id"]: dict(r) for r in conn.execute("select * from releases")}


def query(config: Config, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(config.db)) as conn:
        return conn.execute(sql, params).fetchall()


def full_env(config: Config) -> dict[str, str]:
    """KSCRAPE_* for every setting that differs from the default, so subprocesses match too."""
    default = Config()
    return {f"KSCRAPE_{k.upper()}": str(getattr(config, k)) for k in KEYS
            if getattr(config, k) != getattr(default, k)}


def invoke(config: Config, *args: str) -> Result:
    """The CLI in-process with every setting of `config` (run_cli passes only a few)."""
    return CliRunner().invoke(cli, list(args), env=full_env(config), catch_exceptions=False)


def crawl_day(config: Config, day: str = DAY, *extra: str) -> Result:
    return invoke(config, "crawl", "--since", day, "--until", day, *extra)


def day_ids(day: str) -> set[str]:
    return set(corpus_between(day, day))


class Recorder:
    """A second loopback web server that only records the paths it was asked for."""

    def __init__(self) -> None:
        hits: list[str] = []
        self.hits = hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with Recorder() as server:
        yield server


def fetcher_with(config: Config, sleeps: list[float], **overrides) -> Fetcher:
    cfg = make_config(Path(config.db).parent, config.base_url, **overrides)
    return Fetcher(cfg, sleep=sleeps.append)


def list_day(fetcher: Fetcher, day: str = DAY):
    d = date.fromisoformat(day)
    return fetcher.post(LIST_PATH, data=list_form(since=d, until=d))


# -- 429 and Retry-After (T1) ------------------------------------------------------------------


def test_retry_after_in_seconds_is_the_wait_chosen(config, replica):
    """A 429 with Retry-After: 3 makes the next attempt wait exactly 3 s (recorded, not slept)."""
    replica.faults.add("list", kind="status", code=429, headers={"Retry-After": "3"})
    sleeps: list[float] = []
    with fetcher_with(config, sleeps, retry_after_max=10) as fetcher:
        response = list_day(fetcher)
    assert response.status == 200
    assert sleeps == [3.0]
    assert [r.status for r in replica.requests] == [429, 200]


def test_retry_after_as_http_date_is_the_wait_chosen(config, replica):
    """A Retry-After given as an HTTP date five seconds ahead is waited out (3..5 s)."""
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    replica.faults.add("list", kind="status", code=429, headers={"Retry-After": when})
    sleeps: list[float] = []
    with fetcher_with(config, sleeps, retry_after_max=10) as fetcher:
        list_day(fetcher)
    assert len(sleeps) == 1 and 3.0 <= sleeps[0] <= 5.0


def test_absurd_retry_after_is_capped(config, replica):
    """Retry-After: 100000 is cut to retry_after_max instead of stalling the run for a day."""
    replica.faults.add("list", kind="status", code=429, headers={"Retry-After": "100000"})
    sleeps: list[float] = []
    with fetcher_with(config, sleeps, retry_after_max=0.25) as fetcher:
        list_day(fetcher)
    assert sleeps == [0.25]


def test_backoff_without_retry_after_stays_within_jitter_bounds(config, replica):
    """Waits double from backoff_initial, plus at most one backoff_initial of jitter, capped."""
    replica.faults.add("list", kind="status", code=503, times=3)
    sleeps: list[float] = []
    with fetcher_with(config, sleeps, retries=4, backoff_initial=1, backoff_max=3) as fetcher:
        list_day(fetcher)
    assert len(sleeps) == 3
    assert 1 <= sleeps[0] <= 2 and 2 <= sleeps[1] <= 3 and sleeps[2] == 3


class FakeClock:
    """Monotonic time that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_rate_limit_spaces_request_starts_and_slows_after_429(config, replica):
    """At 2 req/s starts are 0.5 s apart; after a 429 the interval doubles to 1 s."""
    clock = FakeClock()
    starts: list[float] = []
    replica.on_request(lambda _request: starts.append(clock.now))
    with fetcher_with(config, [], rate=2) as fetcher:
        fetcher.limiter = RateLimiter(2, clock=clock, sleep=clock.sleep)
        for _ in range(3):
            list_day(fetcher)
        replica.faults.add("list", kind="status", code=429)
        list_day(fetcher)
        list_day(fetcher)
    assert starts == [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]


# -- transient server errors (T2, T5, T6) ------------------------------------------------------


def test_server_errors_then_success_store_one_row_after_n_attempts(tmp_path, replica):
    """500, 502, 503, 504 on one view page, then 200: stored once, 5 attempts, 4 retry lines."""
    config = make_config(tmp_path, replica.url, retries=5)
    for code in (500, 502, 503, 504):
        replica.faults.add("view", kind="status", code=code, match={"newsId": NEWS_ID})
    result = crawl_day(config, "2023-06-29", "--ministry", "기획재정부", "--depth", "view")
    assert result.exit_code == 0, result.output
    attempts = [r.status for r in replica.requests if r.query.get("newsId") == NEWS_ID]
    assert attempts == [500, 502, 503, 504, 200]
    assert stored(config)[NEWS_ID]["published_at"] == "2023-06-29T17:02:07+09:00"
    assert query(config, "select count(*) from releases where news_id = ?", (NEWS_ID,)) == [(1,)]
    assert result.stderr.count("retrying in") == 4


@pytest.mark.parametrize("kind", ["drop_mid_body", "short_body", "truncate_html"])
def test_broken_list_body_is_retried_and_never_stored(config, replica, kind):
    """A list page cut mid-body (reset, short Content-Length, close-framed) is fetched again."""
    replica.faults.add("list", kind=kind, times=1)
    result = crawl_day(config)
    assert result.exit_code == 0, result.output
    assert set(stored(config)) == day_ids(DAY)
    assert [r.route for r in replica.requests] == ["list", "list"]


@pytest.mark.parametrize("kind", ["drop_mid_body", "short_body", "truncate_html"])
def test_persistently_broken_view_is_a_recorded_failure_not_a_row(config, replica, kind):
    """A view page that always arrives cut is never stored: exit 4, listed in failures."""
    replica.faults.add("view", kind=kind, times=None, match={"newsId": NEWS_ID})
    result = crawl_day(config, "2023-06-29", "--ministry", "기획재정부", "--depth", "view")
    assert result.exit_code == 4, result.output
    assert NEWS_ID not in stored(config)
    assert query(config, "select news_id from failures") == [(NEWS_ID,)]
    assert query(config, "select count(*) from windows") == [(0,)]


def test_slow_drip_is_cut_by_the_per_request_deadline(config, replica):
    """A body dripping 64 B every 0.05 s never trips the read timeout but hits the deadline."""
    replica.faults.add("view", kind="slow_drip", times=None, interval=0.05, chunk=64)
    sleeps: list[float] = []
    with (
        fetcher_with(config, sleeps, deadline=0.3, retries=2) as fetcher,
        pytest.raises(FetchError, match=r"deadline of 0\.3s exceeded"),
    ):
        fetcher.get(view_url(NEWS_ID, config.base_url))
    assert len(replica.requests) == 2


def test_slow_drip_once_then_normal_page_succeeds(config, replica):
    """One dripping response is abandoned at the deadline and the retry gets the page."""
    replica.faults.add("view", kind="slow_drip", times=1, interval=0.05, chunk=64)
    sleeps: list[float] = []
    with fetcher_with(config, sleeps, deadline=0.3) as fetcher:
        response = fetcher.get(view_url(NEWS_ID, config.base_url))
    assert b"</html>" in response.content
    assert len(replica.requests) == 2


# -- giving up (T3, T8) ------------------------------------------------------------------------


def test_persistent_503_gives_up_with_exit_3_and_leaves_the_window_open(config, replica):
    """A window whose list keeps failing is not marked; the other one is; a rerun finishes."""
    replica.faults.add("list", kind="status", code=503, times=None, match={"startDate": DAY})
    args = ("backfill", "--since", DAY, "--until", OTHER_DAY, "--window-days", "1")
    result = invoke(config, *args)
    assert result.exit_code == 3, result.output
    assert "failed after 3 attempts" in result.stderr
    assert set(stored(config)) == day_ids(OTHER_DAY)
    assert query(config, "select since from windows") == [(OTHER_DAY,)]
    assert query(config, "select outcome from runs") == [("failed",)]
    replica.faults.clear()
    result = invoke(config, *args)
    assert result.exit_code == 0, result.output
    assert set(stored(config)) == day_ids(DAY) | day_ids(OTHER_DAY)
    assert sorted(query(config, "select since from windows")) == [(DAY,), (OTHER_DAY,)]


def test_connection_refused_is_retried_then_exit_3(tmp_path):
    """Nothing listening: every attempt is made (with backoff), then exit 3, no release stored."""
    with closing(__import__("socket").socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = make_config(tmp_path, f"http://127.0.0.1:{port}")
    result = crawl_day(config)
    assert result.exit_code == 3
    assert "cannot connect" in result.stderr
    assert result.stderr.count("retrying in") == 2
    assert stored(config) == {}


# -- refusal (T4) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault", [{"kind": "status", "code": 403}, {"kind": "reset"}], ids=["403", "reset"]
)
def test_refusals_stop_the_run_as_blocked_after_two_requests(config, replica, fault):
    """403 or connection resets on everything: exit 5 after ≤2 requests, no release stored."""
    replica.faults.add("*", times=None, **fault)
    result = crawl_day(config)
    assert result.exit_code == 5, result.output
    assert "refuses our requests" in result.stderr
    assert len(replica.requests) <= 2
    assert stored(config) == {}
    assert query(config, "select outcome from runs") == [("blocked",)]


# -- errors that look like pages (T9, T15) -----------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "maintenance"},
        {"kind": "empty_list", "no_data": True},
        {"kind": "empty_list", "no_data": False},
        {"kind": "renamed_classes"},
    ],
    ids=["maintenance-200", "no-data-row", "empty-list", "renamed-classes"],
)
def test_page_that_is_not_a_listing_fails_loudly_with_exit_7(config, replica, fault):
    """A 200 that is a maintenance page, an empty list despite a count, or renamed markup."""
    replica.faults.add("list", times=None, **fault)
    result = crawl_day(config)
    assert result.exit_code == 7, result.output
    assert result.stderr.startswith("Error: list page")
    assert stored(config) == {}
    assert query(config, "select count(*) from windows") == [(0,)]


def test_maintenance_page_instead_of_a_view_fails_loudly_and_writes_no_rows(config, replica):
    """A 200 maintenance page served for view pages stops the crawl with exit 7, no rows."""
    replica.faults.add("view", kind="maintenance", times=None)
    result = crawl_day(config, DAY, "--depth", "view")
    assert result.exit_code == 7, result.output
    assert "view page has no title" in result.stderr
    assert stored(config) == {}


def test_renamed_view_markup_is_absorbed_by_the_json_ld_fallback(config, replica):
    """Renamed title/date classes on view pages still give the right values from JSON-LD."""
    replica.faults.add("view", kind="renamed_classes", times=None,
                       mapping={"view_title": "view_ttl", "article_head": "article_top"})
    result = crawl_day(config, "2023-06-29", "--ministry", "기획재정부", "--depth", "view")
    assert result.exit_code == 0, result.output
    row = stored(config)[NEWS_ID]
    assert row["date"] == "2023-06-29" and row["published_at"] == "2023-06-29T17:02:07+09:00"


# -- redirects (T10) ---------------------------------------------------------------------------


def test_redirect_to_another_host_is_not_followed(config, replica, recorder):
    """A 302 to another server: one request, none to the other host, exit 3."""
    replica.faults.add("list", kind="redirect", times=None, location=f"{recorder.url}/steal")
    result = crawl_day(config)
    assert result.exit_code == 3, result.output
    assert "not followed" in result.stderr
    assert len(replica.requests) == 1
    assert recorder.hits == []
    assert stored(config) == {}


def test_redirect_to_a_login_page_is_not_followed(config, replica):
    """A 302 to the site's own login page is an error, not a page to parse."""
    replica.faults.add("list", kind="redirect", times=None, location="/member/login.do")
    result = crawl_day(config)
    assert result.exit_code == 3, result.output
    assert [r.path for r in replica.requests] == [LIST_PATH]
