"""Exports: formats, Excel safety, filters, streaming and atomic replacement of the target."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from kscrape.errors import ExportError, StoreError
from kscrape.export import DEFAULT_COLUMNS, EXCEL_CELL_LIMIT, export_releases
from kscrape.models import Release
from kscrape.store import Store, open_store

CONTACTS = '[{"dept": "주택정책과", "name": "홍길동", "phone": "044-201-3321", "role": "담당자"}]'
MULTILINE_BODY = (
    '□ 국토교통부는 1일, "주택 공급" 확대 방안을 발표했다.\n- 첫째, 수도권 공급\r\n- 둘째, 지방'
)
FORMULAS = ('=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx")


def release(news_id: str, **fields: Any) -> Release:
    values: dict[str, Any] = {
        "title": f"보도자료 {news_id}",
        "ministry": "국토교통부",
        "date": "2023-06-01",
        "url": f"https://www.korea.kr/briefing/pressReleaseView.do?newsId={news_id}",
        **fields,
    }
    return Release(news_id=news_id, **values)


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def read_dicts(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def export_files(directory: Path) -> list[str]:
    """Every file in `directory` except the database and its WAL companions."""
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("kscrape.db"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kscrape.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def korean_store(store: Store) -> Store:
    """Three ministries over three days, with commas, quotes and multi-line text."""
    store.save(
        [
            release(
                "156754052",
                title='국토부, "청년 주택" 5만 호 공급',
                lead="수도권·지방 동시 추진, 2025년까지",
                body=MULTILINE_BODY,
                body_source="attachment:hwpx",
                contacts=CONTACTS,
            ),
            release("156754060", title="교육부, 늘봄학교 확대", ministry="교육부"),
            release("156754093", title="복지부 보도", ministry="보건복지부", date="2023-06-02"),
            release("156754098", title="국토부 둘째 날", date="2023-06-03"),
        ],
        depth="list",
    )
    return store


def test_csv_round_trips_korean_text_commas_quotes_and_newlines(
    korean_store: Store, tmp_path: Path
) -> None:
    """Every Hangul character, comma, quote and line break of a cell survives the csv module."""
    out = tmp_path / "out.csv"
    written = export_releases(korean_store, out)
    rows = read_dicts(out)
    assert written == 4
    assert rows[0]["title"] == '국토부, "청년 주택" 5만 호 공급'
    assert rows[0]["lead"] == "수도권·지방 동시 추진, 2025년까지"
    assert rows[0]["body"] == MULTILINE_BODY
    assert rows[0]["contacts"] == CONTACTS


def test_csv_header_is_the_default_columns(korean_store: Store, tmp_path: Path) -> None:
    """The header row lists DEFAULT_COLUMNS in order."""
    out = tmp_path / "out.csv"
    export_releases(korean_store, out)
    assert read_csv(out)[0] == list(DEFAULT_COLUMNS)


def test_plain_csv_has_no_bom_and_keeps_formula_cells_raw(store: Store, tmp_path: Path) -> None:
    """Without --excel the file is BOM-less UTF-8 and cells are exactly the stored values."""
    store.save([release(f"1000{i}", title=v) for i, v in enumerate(FORMULAS)], depth="list")
    out = tmp_path / "out.csv"
    export_releases(store, out, columns=("news_id", "title"))
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [r["title"] for r in read_dicts(out)] == list(FORMULAS)


def test_excel_csv_starts_with_bom_and_ends_rows_with_crlf(
    korean_store: Store, tmp_path: Path
) -> None:
    """--excel writes the UTF-8 BOM first and CRLF row ends."""
    out = tmp_path / "out.csv"
    export_releases(korean_store, out, excel=True, columns=("news_id", "ministry"))
    data = out.read_bytes()
    assert data[:3] == b"\xef\xbb\xbf"
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[:2] == ["news_id,ministry", "156754052,국토교통부"]


def test_excel_prefixes_formula_cells_and_keeps_raw_values_in_db(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    """Cells starting with = + - @ tab or CR gain a leading quote; Korean text does not."""
    store.save(
        [release(f"1000{i}", title=v, lead="정상적인 한국어 문장") for i, v in enumerate(FORMULAS)],
        depth="list",
    )
    out = tmp_path / "out.csv"
    export_releases(store, out, excel=True, columns=("news_id", "title", "lead"))
    rows = read_dicts(out)
    assert [r["title"] for r in rows] == ["'" + v for v in FORMULAS]
    assert {r["lead"] for r in rows} == {"정상적인 한국어 문장"}
    with sqlite3.connect(db_path) as conn:
        stored = [t for (t,) in conn.execute("select title from releases order by news_id")]
    assert stored == list(FORMULAS)


def test_excel_prefixes_korean_bullet_cells(store: Store, tmp_path: Path) -> None:
    """A body starting with a '-' bullet is neutralised too: the documented cost of --excel."""
    store.save([release("1", body="- 주요 내용\n- 추진 일정")], depth="list")
    out = tmp_path / "out.csv"
    export_releases(store, out, excel=True, columns=("body",))
    assert read_dicts(out)[0]["body"] == "'- 주요 내용\n- 추진 일정"


def test_excel_prefixes_formula_like_header_cells(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    """A column whose name looks like a formula is neutralised in the header row too."""
    store.save([release("1")], depth="list")
    with sqlite3.connect(db_path) as conn:
        conn.execute('alter table releases add column "@SUM(A1)" text')
        conn.execute("""update releases set "@SUM(A1)" = '=1+1'""")
    out = tmp_path / "out.csv"
    export_releases(store, out, excel=True, columns=("news_id", "@SUM(A1)"))
    assert read_csv(out) == [["news_id", "'@SUM(A1)"], ["1", "'=1+1"]]


def test_excel_cuts_long_cell_to_limit_with_marker(store: Store, tmp_path: Path) -> None:
    """A 40,000-character body fits Excel's 32,767 cap and ends with the truncation marker."""
    body = "가" * 40_000
    store.save([release("1", body=body)], depth="list")
    out = tmp_path / "out.csv"
    export_releases(store, out, excel=True, columns=("body",))
    cell = read_dicts(out)[0]["body"]
    marker = "…[truncated: 7300 chars; full text in the database or JSONL export]"
    assert len(cell) == EXCEL_CELL_LIMIT
    assert cell == "가" * (EXCEL_CELL_LIMIT - len(marker)) + marker


def test_excel_cut_counts_utf16_units_like_excel(store: Store, tmp_path: Path) -> None:
    """Characters outside the BMP count twice and are never split in half."""
    store.save([release("1", body="😀" * 20_000)], depth="list")
    out = tmp_path / "out.csv"
    export_releases(store, out, excel=True, columns=("body",))
    cell = read_dicts(out)[0]["body"]
    kept, marker = cell.split("…[truncated: ")
    assert set(kept) == {"😀"}
    assert len(cell.encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT
    assert marker == f"{20_000 - len(kept)} chars; full text in the database or JSONL export]"


def test_long_body_is_complete_in_plain_csv_and_jsonl(store: Store, tmp_path: Path) -> None:
    """Only --excel truncates: plain CSV and JSONL carry the full 40,000 characters."""
    body = "나" * 40_000
    store.save([release("1", body=body)], depth="list")
    export_releases(store, tmp_path / "out.csv", columns=("body",))
    export_releases(store, tmp_path / "out.jsonl", fmt="jsonl", columns=("body",))
    assert read_dicts(tmp_path / "out.csv")[0]["body"] == body
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["body"] == body


def test_jsonl_lines_parse_with_unescaped_korean_and_parsed_contacts(
    korean_store: Store, tmp_path: Path
) -> None:
    """Each JSONL line is one object; Hangul is literal and contacts is a list."""
    out = tmp_path / "out.jsonl"
    written = export_releases(korean_store, out, fmt="jsonl")
    text = out.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines()]
    assert written == len(records) == 4
    assert '"title": "국토부, \\"청년 주택\\" 5만 호 공급"' in text
    assert list(records[0]) == list(DEFAULT_COLUMNS)
    assert records[0]["body"] == MULTILINE_BODY
    assert records[0]["contacts"] == json.loads(CONTACTS)
    assert records[1]["contacts"] is None


def test_jsonl_escapes_unicode_line_separators(store: Store, tmp_path: Path) -> None:
    """U+2028, U+2029 and NEL in text do not split a JSONL record under str.splitlines."""
    body = "첫 문단\u2028둘째\u2029셋째\x85끝"
    store.save([release("1", body=body), release("2")], depth="list")
    out = tmp_path / "out.jsonl"
    export_releases(store, out, fmt="jsonl", columns=("news_id", "body"))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["body"] for line in lines] == [body, ""]


def test_jsonl_keeps_malformed_contacts_as_string(store: Store, tmp_path: Path) -> None:
    """A contacts value that is not JSON is exported verbatim rather than dropped."""
    store.save([release("1", contacts="담당자 홍길동")], depth="list")
    out = tmp_path / "out.jsonl"
    export_releases(store, out, fmt="jsonl", columns=("contacts",))
    assert json.loads(out.read_text(encoding="utf-8")) == {"contacts": "담당자 홍길동"}


def test_json_array_parses_as_one_document(korean_store: Store, tmp_path: Path) -> None:
    """fmt='json' writes a single array of the same objects."""
    out = tmp_path / "out.json"
    written = export_releases(korean_store, out, fmt="json", columns=("news_id", "contacts"))
    assert written == 4
    assert json.loads(out.read_text(encoding="utf-8")) == [
        {"news_id": "156754052", "contacts": json.loads(CONTACTS)},
        {"news_id": "156754060", "contacts": None},
        {"news_id": "156754093", "contacts": None},
        {"news_id": "156754098", "contacts": None},
    ]


def test_json_array_of_nothing_is_empty_list(store: Store, tmp_path: Path) -> None:
    """An empty selection still yields valid JSON."""
    out = tmp_path / "out.json"
    assert export_releases(store, out, fmt="json") == 0
    assert json.loads(out.read_text(encoding="utf-8")) == []


def ids(store: Store, tmp_path: Path, **filters: Any) -> list[str]:
    out = tmp_path / "ids.csv"
    export_releases(store, out, columns=("news_id",), **filters)
    return [r["news_id"] for r in read_dicts(out)]


def test_date_range_is_inclusive(korean_store: Store, tmp_path: Path) -> None:
    """since and until both include their own day."""
    assert ids(korean_store, tmp_path, since="2023-06-02", until="2023-06-03") == [
        "156754093",
        "156754098",
    ]
    assert ids(korean_store, tmp_path, until="2023-06-01") == ["156754052", "156754060"]
    assert ids(korean_store, tmp_path, since="2023-06-03") == ["156754098"]


def test_ministry_names_select_only_those_ministries(korean_store: Store, tmp_path: Path) -> None:
    """Only releases of the named ministries are written; an empty set selects none."""
    names = frozenset({"교육부", "보건복지부"})
    assert ids(korean_store, tmp_path, ministry_names=names) == ["156754060", "156754093"]
    assert ids(korean_store, tmp_path, ministry_names=frozenset()) == []


def test_filters_combine(korean_store: Store, tmp_path: Path) -> None:
    """Date range and ministry names apply together."""
    selected = ids(
        korean_store, tmp_path, since="2023-06-02", ministry_names=frozenset({"국토교통부"})
    )
    assert selected == ["156754098"]


def test_rows_are_ordered_by_date_then_news_id(store: Store, tmp_path: Path) -> None:
    """Order is date first, news_id second, whatever the insertion order."""
    store.save(
        [
            release("300", date="2023-06-02"),
            release("200", date="2023-06-01"),
            release("100", date="2023-06-02"),
        ],
        depth="list",
    )
    assert ids(store, tmp_path) == ["200", "100", "300"]


def test_columns_choose_and_order_output(korean_store: Store, tmp_path: Path) -> None:
    """columns picks fields, including ones outside the defaults, in the given order."""
    out = tmp_path / "out.csv"
    export_releases(korean_store, out, columns=("ministry", "news_id", "depth"), until="2023-06-01")
    assert read_csv(out) == [
        ["ministry", "news_id", "depth"],
        ["국토교통부", "156754052", "list"],
        ["교육부", "156754060", "list"],
    ]


def test_unknown_column_is_refused_before_touching_target(
    korean_store: Store, tmp_path: Path
) -> None:
    """A column that is not in releases raises ExportError and writes nothing."""
    out = tmp_path / "out.csv"
    message = r"unknown export column\(s\) no_such_column; available: news_id, title, "
    with pytest.raises(ExportError, match=message):
        export_releases(korean_store, out, columns=("news_id", "no_such_column"))
    assert export_files(tmp_path) == []


def test_excel_with_jsonl_is_refused(korean_store: Store, tmp_path: Path) -> None:
    """--excel only means something for CSV."""
    with pytest.raises(ExportError, match="--excel applies to CSV only"):
        export_releases(korean_store, tmp_path / "out.jsonl", fmt="jsonl", excel=True)
    assert not (tmp_path / "out.jsonl").exists()


def test_unknown_format_is_refused(korean_store: Store, tmp_path: Path) -> None:
    """Only csv, jsonl and json are accepted."""
    with pytest.raises(ExportError, match="unknown export format 'xlsx'"):
        export_releases(korean_store, tmp_path / "out.xlsx", fmt="xlsx")


def test_missing_directory_raises_naming_path_and_leaves_nothing(
    korean_store: Store, tmp_path: Path
) -> None:
    """Exporting into a directory that does not exist fails cleanly and creates nothing."""
    out = tmp_path / "missing" / "out.csv"
    with pytest.raises(ExportError) as info:
        export_releases(korean_store, out)
    assert str(info.value) == f"{out}: cannot write export: No such file or directory"
    assert not (tmp_path / "missing").exists()


def test_parent_that_is_a_file_raises_export_error(korean_store: Store, tmp_path: Path) -> None:
    """A path whose parent is a regular file is unwritable and reported as such."""
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    out = tmp_path / "plain" / "out.csv"
    with pytest.raises(ExportError, match=r"out\.csv: cannot write export: Not a directory"):
        export_releases(korean_store, out)


def test_failure_mid_export_keeps_existing_target_and_no_temp_file(
    korean_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read error after rows were written leaves the old file byte-identical and no temp."""
    out = tmp_path / "out.csv"
    out.write_bytes(b"old,export\r\n")
    real_rows = korean_store.rows

    def failing_rows(sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        rows = real_rows(sql, params)
        if " from releases" not in sql:
            yield from rows
            return
        yield next(rows)
        raise StoreError("kscrape.db: disk I/O error")

    monkeypatch.setattr(korean_store, "rows", failing_rows)
    with pytest.raises(ExportError, match=r"out\.csv: export failed: kscrape\.db: disk I/O error"):
        export_releases(korean_store, out)
    assert out.read_bytes() == b"old,export\r\n"
    assert export_files(tmp_path) == ["out.csv"]


def test_interrupt_mid_export_removes_temp_file(
    korean_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during an export propagates unchanged and still removes the temp file."""
    out = tmp_path / "out.csv"

    def interrupted(sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        if " from releases" not in sql:
            yield {"name": "news_id"}
            return
        raise KeyboardInterrupt
        yield  # pragma: no cover

    monkeypatch.setattr(korean_store, "rows", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_releases(korean_store, out, columns=("news_id",))
    assert export_files(tmp_path) == []


def test_export_replaces_existing_file_and_keeps_its_mode(
    korean_store: Store, tmp_path: Path
) -> None:
    """A successful export overwrites the target in place of the old one, keeping permissions."""
    out = tmp_path / "out.csv"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o640)
    export_releases(korean_store, out, columns=("news_id",))
    assert read_csv(out)[1:] == [["156754052"], ["156754060"], ["156754093"], ["156754098"]]
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_new_export_gets_umask_mode_not_private_temp_mode(
    korean_store: Store, tmp_path: Path
) -> None:
    """A fresh export is created as open() would create it, not 0600 like a temp file."""
    out = tmp_path / "out.csv"
    umask = os.umask(0o022)
    try:
        export_releases(korean_store, out)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_no_out_writes_to_given_stdout(korean_store: Store) -> None:
    """out=None streams to the stdout argument and returns the row count."""
    stream = io.StringIO()
    written = export_releases(korean_store, None, fmt="jsonl", columns=("news_id",), stdout=stream)
    assert written == 4
    assert stream.getvalue() == (
        '{"news_id": "156754052"}\n{"news_id": "156754060"}\n'
        '{"news_id": "156754093"}\n{"news_id": "156754098"}\n'
    )


def test_no_out_excel_starts_stdout_with_bom(korean_store: Store) -> None:
    """The BOM goes to stdout too, so a redirected --excel file opens correctly."""
    stream = io.StringIO()
    export_releases(
        korean_store, None, excel=True, columns=("news_id",), until="2023-06-01", stdout=stream
    )
    assert stream.getvalue() == "\ufeffnews_id\r\n156754052\r\n156754060\r\n"


def test_no_out_defaults_to_sys_stdout(
    korean_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a stdout argument the rows go to sys.stdout."""
    export_releases(korean_store, None, columns=("news_id",), since="2023-06-03")
    assert capsys.readouterr().out == "news_id\r\n156754098\r\n"


def test_export_is_not_blocked_by_an_open_write_transaction(
    korean_store: Store, db_path: Path, tmp_path: Path
) -> None:
    """Under WAL a crawl's uncommitted insert neither blocks the export nor appears in it."""
    writer = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    try:
        writer.execute("begin immediate")
        writer.execute(
            "insert into releases (news_id, title, ministry, date, url, content_hash, "
            "first_seen_at, updated_at) values ('999', '미확정', '교육부', '2023-06-01', "
            "'u', 'h', 't', 't')"
        )
        out = tmp_path / "out.csv"
        started = time.monotonic()
        written = export_releases(korean_store, out, columns=("news_id",))
        assert time.monotonic() - started < 2
        assert written == 4
        assert "999" not in out.read_text(encoding="utf-8")
    finally:
        writer.execute("rollback")
        writer.close()


class CommitOnFirstWrite(io.StringIO):
    """A stdout that commits another release as soon as the export starts writing rows."""

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        self.committed = False

    def write(self, s: str) -> int:
        if not self.committed:
            with sqlite3.connect(self.db_path) as conn:
                conn.execute(
                    "insert into releases (news_id, title, ministry, date, url, content_hash, "
                    "first_seen_at, updated_at) values ('999', '늦게 온 자료', '교육부', "
                    "'2023-06-30', 'u', 'h', 't', 't')"
                )
            conn.close()
            self.committed = True
        return super().write(s)


def test_export_is_one_snapshot_from_query_start(korean_store: Store, db_path: Path) -> None:
    """A release committed while rows are being written is not part of that export."""
    stream = CommitOnFirstWrite(db_path)
    written = export_releases(korean_store, None, fmt="jsonl", columns=("news_id",), stdout=stream)
    assert stream.committed
    assert written == 4
    assert "999" not in stream.getvalue()
    assert korean_store.count() == 5


def test_large_export_keeps_memory_flat(store: Store, tmp_path: Path) -> None:
    """Exporting ~20 MB of rows allocates a small fraction of that at peak: rows are streamed."""
    body = "본문 " * 700
    for start in range(0, 5_000, 1_000):
        store.save(
            [release(str(100_000 + i), body=body) for i in range(start, start + 1_000)],
            depth="list",
        )
    out = tmp_path / "big.jsonl"
    tracemalloc.start()
    try:
        written = export_releases(store, out, fmt="jsonl")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == 5_000
    assert out.stat().st_size > 5_000 * len(body.encode("utf-8"))
    assert peak < 2_000_000
