"""The releases the replica serves, indexed by day so list queries never scan the whole corpus."""

from __future__ import annotations

import ast
import bisect
import gzip
import json
import re
import threading
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

from kscrape import ministries
from kscrape.errors import ConfigError

KST = timezone(timedelta(hours=9))
DEFAULT_CORPUS = Path(__file__).parent / "data" / "2023-06.jsonl.gz"
HWPX_FILE_OFFSET = 40_000_000_000
PDF_FILE_OFFSET = 41_000_000_000

# Ministry names as published in 2023 (and a few neighbours) → the repCode korea.kr files them
# under. Codes survive renames, so e.g. 산업통상자원부 keeps A00015. Other names are looked up in
# `kscrape.ministries`; bodies without a code there get none.
MINISTRY_CODES: dict[str, str] = {
    "고용노동부": "A00001", "교육부": "A00002", "국무조정실": "A00004", "국방부": "A00005",
    "국토교통부": "A00006", "기획재정부": "A00007", "농림축산식품부": "A00008",
    "문화체육관광부": "A00009", "법무부": "A00010", "법제처": "A00011", "보건복지부": "A00012",
    "여성가족부": "A00013", "성평등가족부": "A00013", "외교부": "A00014",
    "산업통상자원부": "A00015", "산업통상부": "A00015", "통일부": "A00017", "환경부": "A00019",
    "기후에너지환경부": "A00019", "해양수산부": "A00023", "식품의약품안전처": "A00027",
    "인사혁신처": "A00030", "행정안전부": "A00031", "중소벤처기업부": "A00032",
    "과학기술정보통신부": "A00033", "국가보훈부": "A00037", "국가보훈처": "A00037",
    "통계청": "A00038", "국가데이터처": "A00038", "특허청": "A00039", "지식재산처": "A00039",
    "기획예산처": "A00040", "재정경제부": "A00041",
    "경찰청": "B00002", "관세청": "B00003", "국세청": "B00004", "기상청": "B00005",
    "농촌진흥청": "B00006", "방위사업청": "B00008", "병무청": "B00009", "산림청": "B00010",
    "조달청": "B00013", "해양경찰청": "B00017", "행정중심복합도시건설청": "B00018",
    "새만금개발청": "B00021", "소방청": "B00022", "질병관리청": "B00023", "재외동포청": "B00024",
    "문화재청": "B00025", "국가유산청": "B00025", "우주항공청": "B00026",
    "공정거래위원회": "C00001", "국민권익위원회": "C00002", "금융위원회": "C00003",
    "방송통신위원회": "C00005", "방송미디어통신위원회": "C00005", "원자력안전위원회": "C00012",
    "개인정보보호위원회": "C00019", "감사원": "C00022",
    "경제사회발전노사정위원회": "E00001", "경제사회노동위원회": "E00001",
}  # fmt: skip


def rep_code_for(ministry: str) -> str | None:
    """repCode for a ministry name as a release of that time shows it (older names included)."""
    name = ministry.strip()
    if not name or name in MINISTRY_CODES:
        return MINISTRY_CODES.get(name)
    try:
        codes = ministries.resolve(name).codes
    except ConfigError:
        return None
    return codes[0] if codes else None


@dataclass(frozen=True, slots=True)
class Attachment:
    """One downloadable file; `path` is None when the bytes are generated from the text."""

    file_id: str
    name: str
    path: Path | None = None


@dataclass(frozen=True)
class Release:
    """A served release. Frozen: edits replace the object, which also drops cached fragments."""

    news_id: str
    title: str
    ministry: str
    approved_at: datetime
    body: str
    subtitles: tuple[str, ...] = ()
    rep_code: str | None = None
    attachments: tuple[Attachment, ...] = ()
    seq: int = 0
    fragments: dict[str, str] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def day(self) -> str:
        return self.approved_at.date().isoformat()

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return (self.approved_at, self.seq)

    @cached_property
    def flat_text(self) -> str:
        """Subtitles and paragraphs run together, the way the list lead shows the body."""
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", self.body)]
        return "  ".join(p for p in (*self.subtitles, *paragraphs) if p)


def file_id_for(news_id: str, offset: int = HWPX_FILE_OFFSET) -> str:
    """Deterministic fileId: newsId + 40e9 (hwpx) or + 41e9 (pdf); a CRC for odd newsIds."""
    number = int(news_id) if news_id.isdigit() else zlib.crc32(news_id.encode())
    return str(number + offset)


def parse_time(record: dict[str, Any]) -> datetime:
    raw = str(record.get("approved_at") or record.get("approve_date") or record.get("date") or "")
    if re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", raw):
        return datetime.strptime(raw, "%m/%d/%Y %H:%M:%S").replace(tzinfo=KST)
    if not raw:
        raise ValueError(f"record {record.get('news_id')!r} has no approval time")
    parsed = datetime.fromisoformat(raw)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=KST)
    return parsed.astimezone(KST)


def _as_list(value: Any) -> list[Any]:
    """Corpus list fields arrive as JSON lists, JSON strings or Python reprs."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        for loader in (json.loads, ast.literal_eval):
            try:
                loaded = loader(value)
            except (ValueError, SyntaxError):
                continue
            return list(loaded) if isinstance(loaded, list | tuple) else [loaded]
        return [value]
    return [value]


def _file_name(stamp: datetime, title: str, ext: str) -> str:
    """Names like the site's: `YYMMDD title.ext` with path-hostile characters replaced."""
    safe = re.sub(r'[\\/:*?"<>|\r\n\t]+', "_", title).strip() or "보도자료"
    return f"{stamp:%y%m%d} {safe[:80]}.{ext}"


def _names_by_ext(record: dict[str, Any]) -> dict[str, str]:
    """Real attachment names by extension: `attachment_names`, or the corpus's `attachments`."""
    names = dict(record.get("attachment_names") or {})
    for item in _as_list(record.get("attachments")):
        name = str(item.get("name", "") if isinstance(item, dict) else item)
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext in ("hwpx", "pdf"):
            names.setdefault(ext, name)
    return names


def _attachments(
    record: dict[str, Any], news_id: str, stamp: datetime, title: str, files_dir: Path | None
) -> tuple[Attachment, ...]:
    names = _names_by_ext(record)
    if files_dir is not None:
        found = []
        offsets = {"hwpx": HWPX_FILE_OFFSET, "pdf": PDF_FILE_OFFSET}
        order = [e for e in names if e in offsets] + [e for e in offsets if e not in names]
        for ext in order:
            offset = offsets[ext]
            path = files_dir / f"{news_id}.{ext}"
            if path.is_file():
                name = names.get(ext) or _file_name(stamp, title, ext)
                found.append(Attachment(file_id_for(news_id, offset), name, path))
        if found:
            return tuple(found)
    return (
        Attachment(file_id_for(news_id), names.get("hwpx") or _file_name(stamp, title, "hwpx")),
    )


def release_from_record(
    record: dict[str, Any], *, seq: int = 0, files_dir: Path | None = None
) -> Release:
    """Build a Release from a corpus line (or an `index.json`-style record)."""
    news_id = str(record["news_id"])
    title = str(record.get("title") or "")
    ministry = str(record.get("ministry") or "")
    stamp = parse_time(record)
    code = record.get("rep_code") or rep_code_for(ministry)
    subtitles = tuple(str(s) for s in _as_list(record.get("subtitles")) if str(s).strip())
    return Release(
        news_id=news_id,
        title=title,
        ministry=ministry,
        approved_at=stamp,
        body=str(record.get("body") or ""),
        subtitles=subtitles,
        rep_code=code,
        attachments=_attachments(record, news_id, stamp, title, files_dir),
        seq=seq,
    )


def read_corpus(path: Path = DEFAULT_CORPUS) -> list[dict[str, Any]]:
    """Records of a `.jsonl` or `.jsonl.gz` corpus file, or of a `.json` array of them."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        if path.suffix == ".json":
            records = json.load(fh)
            if not isinstance(records, list):
                raise ValueError(f"{path}: expected a JSON array of releases")
            return records
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class Query:
    """A list query after defaults were applied."""

    start: date
    end: date
    rep_codes: tuple[str, ...] = ()
    word: str = ""


@dataclass
class Corpus:
    """Releases by id and by day (newest first within a day); every method is thread-safe."""

    files_dir: Path | None = None
    _by_id: dict[str, Release] = field(default_factory=dict)
    _days: dict[str, list[Release]] = field(default_factory=dict)
    _day_keys: list[str] = field(default_factory=list)
    _by_code: dict[tuple[str, str], list[Release]] = field(default_factory=dict)
    _files: dict[str, tuple[str, int]] = field(default_factory=dict)
    _original: list[Release] = field(default_factory=list)
    _seq: int = 0
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def from_records(
        cls, records: Iterable[dict[str, Any]], files_dir: Path | None = None
    ) -> Corpus:
        corpus = cls(files_dir=files_dir)
        releases = [
            release_from_record(r, seq=i, files_dir=files_dir) for i, r in enumerate(records)
        ]
        corpus._original = releases
        corpus._seq = len(releases)
        corpus._rebuild(releases)
        return corpus

    def _rebuild(self, releases: list[Release]) -> None:
        with self._lock:
            self._by_id = {}
            self._days = {}
            self._files = {}
            self._by_code = {}
            for rel in releases:
                self._by_id[rel.news_id] = rel
                self._days.setdefault(rel.day, []).append(rel)
                self._index_files(rel)
            for rels in self._days.values():
                rels.sort(key=lambda r: r.sort_key, reverse=True)
            self._day_keys = sorted(self._days)

    def _index_files(self, rel: Release) -> None:
        for i, att in enumerate(rel.attachments):
            self._files[att.file_id] = (rel.news_id, i)

    def reset(self) -> None:
        """Back to the releases the corpus was built from."""
        self._rebuild(self._original)

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, news_id: str) -> Release | None:
        return self._by_id.get(news_id)

    def file(self, file_id: str) -> tuple[Release, Attachment] | None:
        with self._lock:
            hit = self._files.get(file_id)
            if hit is None:
                return None
            rel = self._by_id[hit[0]]
            return rel, rel.attachments[hit[1]]

    def last_day(self) -> date | None:
        with self._lock:
            return date.fromisoformat(self._day_keys[-1]) if self._day_keys else None

    def _insert(self, rel: Release) -> None:
        rels = self._days.get(rel.day)
        if rels is None:
            rels = self._days[rel.day] = []
            bisect.insort(self._day_keys, rel.day)
        keys = [(-r.sort_key[0].timestamp(), -r.seq) for r in rels]
        pos = bisect.bisect(keys, (-rel.approved_at.timestamp(), -rel.seq))
        rels.insert(pos, rel)
        self._by_id[rel.news_id] = rel
        self._index_files(rel)
        self._drop_code_cache(rel.day)

    def _remove(self, rel: Release) -> None:
        rels = self._days[rel.day]
        rels.remove(rel)
        if not rels:
            del self._days[rel.day]
            self._day_keys.remove(rel.day)
        del self._by_id[rel.news_id]
        for att in rel.attachments:
            self._files.pop(att.file_id, None)
        self._drop_code_cache(rel.day)

    def _drop_code_cache(self, day: str) -> None:
        for key in [k for k in self._by_code if k[0] == day]:
            del self._by_code[key]

    def add(self, record: dict[str, Any], *, default_time: datetime) -> Release:
        """Insert a release; without a time it goes to the top of `default_time`'s day."""
        with self._lock:
            record = dict(record)
            if not record.get("news_id"):
                record["news_id"] = str(
                    max((int(k) for k in self._by_id if k.isdigit()), default=0) + 1
                )
            if str(record["news_id"]) in self._by_id:
                raise ValueError(f"newsId {record['news_id']} already exists")
            if not (record.get("approved_at") or record.get("approve_date")):
                record["approved_at"] = self._top_of_day(default_time).isoformat()
            self._seq += 1
            rel = release_from_record(record, seq=self._seq, files_dir=self.files_dir)
            self._insert(rel)
            return rel

    def _top_of_day(self, when: datetime) -> datetime:
        rels = self._days.get(when.date().isoformat())
        if not rels:
            return when
        return max(when, rels[0].approved_at)

    def edit(self, news_id: str, **fields: Any) -> Release:
        """Change fields of a release (title, body, ministry, approved_at, rep_code, subtitles)."""
        with self._lock:
            old = self._by_id[news_id]
            changes: dict[str, Any] = {}
            for key, value in fields.items():
                if key in ("approved_at", "approve_date"):
                    changes["approved_at"] = parse_time({key: value})
                elif key == "ministry":
                    changes["ministry"] = value
                    changes.setdefault("rep_code", rep_code_for(value))
                elif key == "subtitles":
                    changes["subtitles"] = tuple(str(s) for s in _as_list(value))
                elif key == "attachments":
                    changes["attachments"] = tuple(value)
                elif key in ("title", "body", "rep_code"):
                    changes[key] = value
                else:
                    raise TypeError(f"cannot edit field {key!r}")
            new = replace(old, **changes)
            self._remove(old)
            self._insert(new)
            return new

    def remove(self, news_id: str) -> None:
        with self._lock:
            self._remove(self._by_id[news_id])

    def _day_list(self, day: str, codes: tuple[str, ...]) -> list[Release]:
        rels = self._days.get(day, [])
        if not codes:
            return rels
        key = (day, ",".join(codes))
        cached = self._by_code.get(key)
        if cached is None:
            wanted = set(codes)
            cached = self._by_code[key] = [r for r in rels if r.rep_code in wanted]
        return cached

    def _days_desc(self, start: date, end: date) -> list[str]:
        lo = bisect.bisect_left(self._day_keys, start.isoformat())
        hi = bisect.bisect_right(self._day_keys, end.isoformat())
        return self._day_keys[lo:hi][::-1]

    def search(self, query: Query, offset: int, limit: int) -> tuple[int, list[Release]]:
        """Total matches and the releases at [offset, offset+limit) in list order."""
        with self._lock:
            total = 0
            page: list[Release] = []
            for day in self._days_desc(query.start, query.end):
                rels = self._day_list(day, query.rep_codes)
                if query.word:
                    rels = [r for r in rels if query.word in r.title or query.word in r.body]
                lo = max(0, offset - total)
                if lo < len(rels) and len(page) < limit:
                    page.extend(rels[lo : lo + limit - len(page)])
                total += len(rels)
            return total, page

    def count(self, query: Query) -> int:
        return self.search(query, 0, 0)[0]

    def neighbours(
        self, rel: Release, codes: tuple[str, ...]
    ) -> tuple[Release | None, Release | None]:
        """(older, newer) release next to `rel` in list order, within the same repCode filter."""
        with self._lock:
            if codes and rel.rep_code not in codes:
                codes = ()
            rels = self._day_list(rel.day, codes)
            try:
                i = rels.index(rel)
            except ValueError:
                return None, None
            older = rels[i + 1] if i + 1 < len(rels) else self._edge(rel.day, codes, -1)
            newer = rels[i - 1] if i > 0 else self._edge(rel.day, codes, +1)
            return older, newer

    def _edge(self, day: str, codes: tuple[str, ...], step: int) -> Release | None:
        i = bisect.bisect_left(self._day_keys, day) + step
        while 0 <= i < len(self._day_keys):
            rels = self._day_list(self._day_keys[i], codes)
            if rels:
                return rels[-1] if step < 0 else rels[0]
            i += step
        return None


def synthetic_corpus(n: int, base: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """`n` records copied from `base` onto the days before it, going back in time.

    Each new day borrows the releases of a base day with the same weekday (so weekends stay
    nearly empty and a weekday carries ~100), keeps their time of day, and gets fresh newsIds
    counting down from just below the smallest base id. The base records themselves are not
    yielded.
    """
    if n <= 0 or not base:
        return
    by_day: dict[date, list[dict[str, Any]]] = {}
    for rec in base:
        by_day.setdefault(parse_time(rec).date(), []).append(rec)
    by_weekday: dict[int, list[date]] = {}
    for day in sorted(by_day):
        by_weekday.setdefault(day.weekday(), []).append(day)
    next_id = min(int(r["news_id"]) for r in base if str(r["news_id"]).isdigit()) - 1
    target = min(by_day) - timedelta(days=1)
    produced = 0
    cycle = 0
    while produced < n:
        source_days = by_weekday.get(target.weekday())
        if source_days:
            source = source_days[cycle % len(source_days)]
            recs = sorted(by_day[source], key=parse_time, reverse=True)
            for rec in recs:
                clock = parse_time(rec).timetz()
                stamp = datetime.combine(target, time(clock.hour, clock.minute, clock.second), KST)
                yield {**rec, "news_id": str(next_id), "approved_at": stamp.isoformat()}
                next_id -= 1
                produced += 1
                if produced >= n:
                    return
        if target.weekday() == 0:
            cycle += 1
        target -= timedelta(days=1)
