"""`kscrape update`: cost proportional to what is new, edits kept as versions."""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing

import sqlite_utils
from click.testing import CliRunner

from kscrape.cli import cli
from kscrape.config import Config

from .conftest import cli_env, run_cli

SEED = ("crawl", "--since", "2023-06-29", "--until", "2023-06-30")


def _query(config, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(config.db)) as conn:
        return conn.execute(sql, params).fetchall()


def _rows(config) -> dict[str, tuple]:
    return {r[0]: r for r in _query(config, "select * from releases")}


def _list_requests(replica) -> list:
    return [r for r in replica.requests if r.route == "list"]


def _seeded(config, replica) -> dict[str, tuple]:
    assert run_cli(config, *SEED).exit_code == 0
    replica.reset()
    return _rows(config)


def _publish(replica, count: int) -> list[str]:
    return [replica.add_release({"title": f"새 보도자료 {n}", "ministry": "기획재정부",
                                 "body": f"새로 발표된 보도자료 본문 {n}"})
            for n in range(count)]


def test_update_with_nothing_new_makes_exactly_one_list_request(config, replica):
    """An up-to-date archive costs one list request and changes no row."""
    before = _seeded(config, replica)
    result = run_cli(config, "update")
    assert result.exit_code == 0, result.output
    assert len(replica.requests) == 1 and replica.requests[0].route == "list"
    assert _rows(config) == before


def test_update_with_three_new_reads_one_page(config, replica):
    """Three releases on top of the listing: one page, three new rows."""
    before = _seeded(config, replica)
    added = _publish(replica, 3)
    result = run_cli(config, "update")
    assert result.exit_code == 0, result.output
    assert len(_list_requests(replica)) == 1
    rows = _rows(config)
    assert set(rows) == set(before) | set(added)
    assert all(rows[k] == v for k, v in before.items())


def test_update_with_twenty_five_new_reads_two_pages(config, replica):
    """25 new releases: ⌈26/20⌉ = 2 list pages and all 25 stored."""
    before = _seeded(config, replica)
    added = _publish(replica, 25)
    assert run_cli(config, "update").exit_code == 0
    assert [r.form.get("pageIndex") for r in _list_requests(replica)] == ["1", "2"]
    assert set(_rows(config)) == set(before) | set(added)


def test_immediate_rerun_of_update_changes_no_row(config, replica):
    """A second update right after the first rewrites nothing, updated_at included."""
    _seeded(config, replica)
    _publish(replica, 4)
    assert run_cli(config, "update").exit_code == 0
    after_first = _rows(config)
    count = len(replica.requests)
    result = run_cli(config, "update")
    assert result.exit_code == 0
    assert len(replica.requests) == count + 1
    assert _rows(config) == after_first
    assert "new 0, updated 0" in result.output


def test_edit_within_recheck_days_is_stored_as_a_version(config, replica):
    """An edit of yesterday's release: a plain update misses it, --recheck 2 keeps the old text."""
    before = _seeded(config, replica)
    news_id = "156577893"  # 2023-06-29, far below page 1 of the listing
    old_body = before[news_id]
    replica.edit_release(news_id, body="수정된 보도자료 본문입니다.", subtitles=[])
    assert run_cli(config, "update").exit_code == 0
    assert _query(config, "select count(*) from release_versions") == [(0,)]
    result = run_cli(config, "update", "--recheck", "2")
    assert result.exit_code == 0, result.output
    assert "updated 1" in result.output
    body, lead = _query(config, "select body, lead from releases where news_id = ?",
                        (news_id,))[0]
    assert "수정된 보도자료 본문입니다." in body and "수정된" in lead
    versions = _query(config, "select news_id, title, body, replaced_at from release_versions")
    assert len(versions) == 1
    assert versions[0][0] == news_id and versions[0][3]
    assert versions[0][2] == old_body[list(_columns(config)).index("body")]
    unchanged = {k: v for k, v in _rows(config).items() if k != news_id}
    assert unchanged == {k: v for k, v in before.items() if k != news_id}


def test_edit_older_than_the_recheck_window_is_not_seen_by_update(config, replica):
    """Documented limit: an edit four days back is left to verify or a backfill of its day."""
    before = _seeded(config, replica)
    assert run_cli(config, "crawl", "--since", "2023-06-26", "--until", "2023-06-26").exit_code == 0
    old = _query(config, "select news_id, body from releases where date = '2023-06-26' limit 1")
    news_id, body = old[0]
    replica.edit_release(news_id, body="나중에 고친 본문")
    assert run_cli(config, "update", "--recheck", "2").exit_code == 0
    assert _query(config, "select body from releases where news_id = ?", (news_id,)) == [(body,)]
    assert _query(config, "select count(*) from release_versions") == [(0,)]
    assert before


def test_update_records_the_days_it_saw_in_its_runs_row(config, replica):
    """The runs row of an update names the listed days it covered and its outcome."""
    _seeded(config, replica)
    assert run_cli(config, "update", "--recheck", "2").exit_code == 0
    row = _query(config, "select command, since, until, outcome from runs order by id desc")[0]
    assert row == ("update", "2023-06-29", "2023-06-30", "ok")


def test_update_with_a_ministry_stops_at_its_own_stored_release(config, replica):
    """update --ministry stores new releases of ours only, walking at most the newest day."""
    assert run_cli(config, *SEED, "--ministry", "기획재정부").exit_code == 0
    assert run_cli(config, "update", "--ministry", "기획재정부").exit_code == 0
    replica.reset()
    mine = _publish(replica, 2)
    other = replica.add_release({"title": "다른 부처", "ministry": "환경부", "body": "본문"})
    result = run_cli(config, "update", "--ministry", "기획재정부")
    assert result.exit_code == 0, result.output
    ids = set(_rows(config))
    assert set(mine) <= ids and other not in ids
    newest_day = replica.declared_count("2023-06-30", "2023-06-30")
    assert len(_list_requests(replica)) <= -(-newest_day // 20) + 1


def _columns(config) -> list[str]:
    with closing(sqlite3.connect(config.db)) as conn:
        return [r[1] for r in conn.execute("pragma table_info(releases)")]


def test_edit_seen_at_list_depth_keeps_the_time_and_code_from_the_view_page(config, replica):
    """An edit re-stored from the list alone keeps published_at and ministry_code."""
    day = ("--since", "2023-06-29", "--until", "2023-06-29", "--ministry", "A00007")
    assert run_cli(config, "crawl", *day, "--depth", "view").exit_code == 0
    replica.edit_release("156577724", body="고친 본문입니다. " * 20)
    assert run_cli(config, "crawl", *day, "--depth", "list").exit_code == 0
    db = sqlite_utils.Database(config.db)
    row = db["releases"].get("156577724")
    versions = db["release_versions"].count_where("news_id = ?", ["156577724"])
    db.close()
    assert row["body"].startswith("고친 본문입니다.") and versions == 1
    assert row["published_at"] == "2023-06-29T09:01:24+09:00"
    assert row["ministry_code"] == "A00007"


def _run_with_default_update_depth(config, *args: str):
    """The CLI with the suite's update_depth pin removed: the built-in default applies."""
    env = {k: v for k, v in cli_env(config).items() if k != "KSCRAPE_UPDATE_DEPTH"}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_update_fetches_whole_documents_by_default_at_about_three_requests_each(config, replica):
    """update's default depth is files: a new release costs its view page and its download.

    On an archive filled at depth list the first update also deepens the releases of the page
    it reads, once; from then on nothing new is one request, and k new releases cost one list
    page plus a view page and the attachments of each.
    """
    assert Config().update_depth == "files"
    _seeded(config, replica)
    first = _run_with_default_update_depth(config, "update")
    assert first.exit_code == 0, first.output
    routes = Counter(r.route for r in replica.requests)
    assert routes["list"] == 1 and routes["view"] == 20 and routes["download"] == 20
    replica.reset()
    assert _run_with_default_update_depth(config, "update").exit_code == 0
    assert [r.route for r in replica.requests] == ["list"]
    replica.reset()
    added = _publish(replica, 3)
    result = _run_with_default_update_depth(config, "update")
    assert result.exit_code == 0, result.output
    assert "new 3" in result.output
    assert Counter(r.route for r in replica.requests) == {"list": 1, "view": 3, "download": 3}
    assert {r.query["newsId"] for r in replica.requests if r.route == "view"} == set(added)
    marks = ",".join("?" * len(added))
    rows = _query(config, f"select depth, body_source, published_at is not null from releases "
                          f"where news_id in ({marks})", tuple(added))
    assert rows == [("files", "attachment:hwpx", 1)] * 3


def test_update_depth_option_and_config_key_override_the_default(config, replica):
    """--depth beats update_depth, which beats the built-in files; crawl keeps config depth."""
    _seeded(config, replica)
    added = _publish(replica, 1)
    env = {**cli_env(config), "KSCRAPE_UPDATE_DEPTH": "view"}
    result = CliRunner().invoke(cli, ["update"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert Counter(r.route for r in replica.requests) == {"list": 1, "view": 20}
    assert _query(config, "select depth from releases where news_id = ?", (added[0],)) == [
        ("view",)]
    replica.reset()
    _publish(replica, 1)
    result = CliRunner().invoke(cli, ["update", "--depth", "list"], env=env,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [r.route for r in replica.requests] == ["list"]
    bad = CliRunner().invoke(cli, ["update"], env={**env, "KSCRAPE_UPDATE_DEPTH": "deep"})
    assert bad.exit_code == 2 and "update_depth" in bad.output
