"""Rebuild text, Markdown and contacts from the attachment files already stored.

Run after every extractor improvement: each release's files are read from `attachments_dir`
(their paths are in the attachments table; every file is checked against the sha256 it was
stored with), extracted again, and the release takes the best extraction as a crawl would.
A PDF is extracted only when its release's HWPX/HWP gives no usable text (the crawler's order
of preference; a PDF takes about fifty times as long), unless `all_files` asks for every file.
No network: nothing here builds a Fetcher, so not one request is made.

Releases go in newsId order, `batch_size` at a time; each batch is one transaction that also
moves a mark (table `marks`). An interrupted run (Ctrl-C, kill, power loss) is
resumed by the same command and ends with the same archive and the same counts as one that
was never interrupted. A release with a file missing or damaged, or none of whose files yields
usable text, keeps the text it has.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from kscrape import __version__
from kscrape.config import Config
from kscrape.extract import DAMAGED, Extraction, best_text
from kscrape.files import attachment_text, extract_quietly
from kscrape.lock import write_lock
from kscrape.selection import Selection
from kscrape.store import Store, open_store
from kscrape.store.marks import clear_mark, read_mark
from kscrape.store.rebuild import REBUILT_FIELDS, RebuiltBatch, ids_after, save_rebuilt

log = logging.getLogger("kscrape.reextract")

# A release is examined when it has at least one downloaded file.
HAS_FILES = ("exists (select 1 from attachments a where a.news_id = releases.news_id "
             "and a.status = 'ok' and a.path is not null)")


@dataclass(slots=True)
class ReextractStats:
    """Counts of a reextract; a resumed run starts from those of the run it resumes."""

    examined: int = 0  # releases with at least one stored file
    changed: int = 0  # text, Markdown, source, contacts or a file's extract_status changed
    unchanged: int = 0
    kept: int = 0  # a file unreadable or none usable: the release keeps its stored text
    files: int = 0  # files read intact
    extracted: int = 0  # of those, files extracted (a PDF beside a usable HWPX is not)
    missing: int = 0  # files no longer on disk
    damaged: int = 0  # files whose bytes differ from the stored sha256

    def add(self, other: ReextractStats) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def failed(self) -> int:
        return self.missing + self.damaged


def selection_label(selection: Selection) -> str:
    """How a selection names its mark: days and ministry names."""
    names = "*" if selection.names is None else json.dumps(sorted(selection.names),
                                                            ensure_ascii=False)
    return f"{selection.since or '*'}..{selection.until or '*'} {names}"


BatchCallback = Callable[[ReextractStats], None]


def reextract(
    config: Config,
    selection: Selection,
    *,
    all_files: bool = False,
    on_batch: BatchCallback | None = None,
) -> ReextractStats:
    """Rebuild the selected releases under the write lock; resume an interrupted run.

    `all_files` also extracts the PDFs beside a usable HWPX/HWP, to refresh their status.
    """
    with write_lock(config.db, command="reextract"), open_store(config.db, create=False) as store:
        store.close_stale_runs()
        with _recorded_run(store, selection) as (run_id, stats):
            _rebuild(config, store, selection, run_id, stats, all_files, on_batch)
            return stats


def _rebuild(config: Config, store: Store, selection: Selection, run_id: int,
             stats: ReextractStats, all_files: bool, on_batch: BatchCallback | None) -> None:
    key = f"reextract {selection_label(selection)}" + (" all-files" if all_files else "")
    after = _resume(store, key, stats)
    where, params = selection.where()
    where.append(HAS_FILES)
    while ids := ids_after(store, where, params, after=after, limit=config.batch_size):
        batch, delta = _rebuild_batch(config, store, ids, all_files=all_files)
        after = ids[-1]
        total = ReextractStats(**asdict(stats))
        total.add(delta)
        batch.checkpoint = (key, {"after": after, "version": __version__,
                                  "counts": asdict(total)})
        save_rebuilt(store, batch, run_id=run_id)
        stats.add(delta)
        log.info("reextract: %d releases examined, %d changed (up to newsId %s)",
                 stats.examined, stats.changed, after)
        if on_batch:
            on_batch(stats)
    clear_mark(store, key)


def _resume(store: Store, key: str, stats: ReextractStats) -> str:
    """The newsId after which to start, restoring the counts of the run being resumed."""
    saved = read_mark(store, key)
    if not saved:
        return ""
    if saved.get("version") != __version__:
        log.info("reextract: the interrupted run was made by kscrape %s; starting over",
                 saved.get("version"))
        return ""
    try:
        stats.add(ReextractStats(**saved["counts"]))
        after = str(saved["after"])
    except (KeyError, TypeError):
        return ""
    log.info("reextract: resuming after newsId %s (%d releases done)", after, stats.examined)
    return after


def _rebuild_batch(config: Config, store: Store, ids: list[str], *,
                   all_files: bool) -> tuple[RebuiltBatch, ReextractStats]:
    marks = ",".join("?" * len(ids))
    columns = ", ".join(REBUILT_FIELDS)
    releases = {r["news_id"]: r for r in store.rows(
        f"select news_id, {columns} from releases where news_id in ({marks})", ids)}
    files: dict[str, list[dict[str, Any]]] = {}
    for row in store.rows(f"select * from attachments where news_id in ({marks}) and "
                          "status = 'ok' and path is not null order by rowid", ids):
        files.setdefault(row["news_id"], []).append(row)
    batch, delta = RebuiltBatch(), ReextractStats()
    for news_id in ids:
        _rebuild_one(config, releases[news_id], files.get(news_id, []), batch, delta,
                     all_files=all_files)
    return batch, delta


def _rebuild_one(config: Config, release: dict[str, Any], files: list[dict[str, Any]],
                 batch: RebuiltBatch, stats: ReextractStats, *, all_files: bool) -> None:
    news_id = release["news_id"]
    readable: list[tuple[dict[str, Any], bytes]] = []
    for row in files:
        data, problem = read_stored(config, row)
        if data is None:
            stats.missing += problem.startswith("missing")
            stats.damaged += problem.startswith("damaged")
            batch.failures.append({"news_id": news_id, "url": row["url"], "error": problem})
            log.warning("release %s: attachment %s %s", news_id, row["file_id"], problem)
        else:
            readable.append((row, data))
    stats.files += len(readable)
    stats.examined += 1
    if len(readable) < len(files):
        # The best of the other files could be worse than what is stored (a PDF's text for
        # the HWPX's): the release keeps its text until the file is back.
        stats.kept += 1
        stats.unchanged += 1
        return
    extractions: list[Extraction] = []
    changed = False
    # HWPX/HWP first: a PDF's text is used only when they give none (the crawler's order), so
    # it is not extracted beside a usable HWPX unless asked (PDFs take ~50x longer).
    for row, data in sorted(readable, key=lambda item: item[0]["kind"] == "pdf"):
        if row["kind"] == "pdf" and not all_files and best_text(extractions) is not None:
            continue
        extraction = extract_quietly(data)
        stats.extracted += 1
        status = extraction.status if extraction else DAMAGED
        if status != row["extract_status"]:
            batch.statuses.append((news_id, row["file_id"], status))
            changed = True
        if extraction is not None:
            extractions.append(extraction)
    text = attachment_text(extractions)
    if text is None:
        stats.kept += 1
    else:
        new = {"body": text.body, "body_md": text.body_md, "body_source": text.body_source,
               "contacts": text.contacts}
        if any(new[k] != release[k] for k in REBUILT_FIELDS):
            batch.releases[news_id] = new
            changed = True
    stats.changed += changed
    stats.unchanged += not changed


def read_stored(config: Config, row: dict[str, Any]) -> tuple[bytes | None, str]:
    """A stored attachment's bytes, checked against its sha256, or None and what is wrong.

    The path is taken as stored, then inside `attachments_dir` by its file name, so an
    archive moved with its attachments folder (or run from another directory) still works.
    """
    stored = Path(row["path"])
    candidates = dict.fromkeys([stored, Path(config.attachments_dir) / stored.name])
    found = False
    for path in candidates:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        found = True
        if hashlib.sha256(data).hexdigest() == row["sha256"]:
            return data, ""
    if found:
        return None, f"damaged: {stored.name} differs from the file stored (sha256)"
    return None, f"missing: {stored.name} is not in {config.attachments_dir}"


@contextmanager
def _recorded_run(store: Store, selection: Selection) -> Iterator[tuple[int, ReextractStats]]:
    """A runs row for the reextract, finished with its counts and outcome whatever happens."""
    names = json.dumps(sorted(selection.names or ()), ensure_ascii=False)
    run_id = store.begin_run("reextract", since=selection.since, until=selection.until,
                             ministries=names, pid=os.getpid())
    stats = ReextractStats()
    outcome, error = "failed", None
    try:
        yield run_id, stats
        outcome = "partial" if stats.failed else "ok"
    except KeyboardInterrupt:
        outcome, error = "interrupted", "interrupted by the user"
        raise
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        store.finish_run(run_id, listed=stats.examined, updated=stats.changed,
                         unchanged=stats.unchanged, failed=stats.failed, requests=0,
                         outcome=outcome, error=error)
