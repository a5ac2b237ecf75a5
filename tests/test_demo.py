"""`kscrape demo`: the real crawler against a replica it starts itself, into its own database."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from click.testing import CliRunner

from kscrape.cli import cli

from .conftest import ATTACHMENTS


def test_demo_with_real_files_crawls_them_at_depth_files_and_shows_a_document(tmp_path: Path):
    """--files: the 41 real releases are crawled at depth files (the folder's own days), each
    body taken from its attachment, and one release is printed as its Markdown record."""
    demo_db = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--files", str(ATTACHMENTS), "--demo-db",
                                      str(demo_db)], env={"KSCRAPE_BACKOFF_INITIAL": "0"})
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(demo_db)) as conn:
        rows = conn.execute("select body_source, depth, count(*) from releases "
                            "group by 1, 2 order by 1").fetchall()
        runs = conn.execute("select command, since, until, depth from runs").fetchall()
    assert rows == [("attachment:hwp", "files", 2), ("attachment:hwpx", "files", 39)]
    assert runs == [("demo", "2026-04-10", "2026-04-13", "files")]
    shown = result.stdout.split("$ kscrape --db ", 1)[1]
    assert shown.startswith(f"{demo_db} show 156754124\n# 중기부, 탄소 감축 희망")
    assert "\n## 본문\n\n- ｢탄소중립 설비투자 지원｣" in shown
    assert "\n## 담당 부서\n\n- 담당 기관: 중소벤처기업부 대외환경대응과 / 책임자" in shown
    assert (tmp_path / "demo-attachments").is_dir()
