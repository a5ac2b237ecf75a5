"""A crash never leaves a WARC file that standard readers cannot read up to its last whole
record: SIGKILL in the middle of writing a record, then the next run repairs the file."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from kscrape.warc import CaptureWriter, RunInfo, whole_length

from .capture_support import table_rows, warc_files, warcio_check
from .conftest import make_config
from .processes import child_env

BIG_MIB = 48  # one record big enough that writing it takes a while
# The child writes records; when it starts writing a big one, a thread of its own watches the
# file grow and sends SIGKILL once part of the record is on disk: the kill lands inside the
# write(2) call, as a power cut or `kill -9` would at the worst moment.
CHILD = f"""
import os, signal, sys, threading
from datetime import UTC, datetime
from pathlib import Path
from kscrape.fetch import Exchange
from kscrape.warc import CaptureWriter, RunInfo

directory, fraction = Path(sys.argv[1]), float(sys.argv[2])
info = RunInfo(1, "crawl", "files", "[]", "http://127.0.0.1:9", datetime.now(UTC))
writer = CaptureWriter(directory, info, 10**12)
append = writer._append
started = threading.Event()
target = {{}}

def kill_inside_the_write():
    started.wait()
    while os.path.getsize(target["path"]) < target["at"]:
        pass
    os.kill(os.getpid(), signal.SIGKILL)

def announced(data):
    if len(data) > {BIG_MIB} << 19:
        path = next(directory.glob("*.open"))
        target.update(path=path, at=path.stat().st_size + int(len(data) * fraction))
        started.set()
    append(data)

writer._append = announced
threading.Thread(target=kill_inside_the_write, daemon=True).start()
block = os.urandom(1 << 20)  # incompressible: the record stays {BIG_MIB} MiB in the file
for n in range(3):
    body = block * ({BIG_MIB} if n == 2 else 1)
    writer(Exchange("GET", f"http://127.0.0.1:9/common/download.do?fileId={{n}}", (), b"",
                    200, "OK", "HTTP/1.1", (("Content-Type", "application/x-download"),),
                    body, datetime.now(UTC)))
    print("done", n, flush=True)
"""


def _kill_while_writing(directory: Path, fraction: float) -> int:
    """Run the writer until it is killed inside the write of its big record; pairs done."""
    env = child_env()
    child = subprocess.run([sys.executable, "-c", CHILD, str(directory), str(fraction)],
                           env=env, capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    return child.stdout.count("done")


def _read_all(data: bytes) -> list[str]:
    """Record types as warcio reads them, digests checked, stopping at the first failure."""
    kinds = []
    iterator = ArchiveIterator(BytesIO(data), check_digests=True)
    try:
        for record in iterator:
            record.content_stream().read()
            kinds.append(record.rec_type)
    except Exception:  # a torn last record: what came before must still have been read
        pass
    return kinds


def test_sigkill_in_the_middle_of_a_write_leaves_every_whole_record_readable(tmp_path):
    for trial, fraction in enumerate((0.001, random.uniform(0.2, 0.8))):
        directory = tmp_path / f"trial{trial}"
        done = _kill_while_writing(directory, fraction)
        assert done == 2
        [left] = list(directory.glob("*.warc.gz.open"))
        data = left.read_bytes()
        whole = whole_length(left)
        assert whole < len(data) < whole + (BIG_MIB << 20), "the kill did not land in the write"
        # Every pair whose write had returned is whole, and a standard reader reads them all;
        # of the pair being written, at most its request record is whole.
        expected = ["warcinfo"] + ["request", "response"] * done
        assert _read_all(data)[: len(expected)] == expected
        assert _read_all(data[:whole]) in (expected, [*expected, "request"])

        # The next run cuts the torn record off and gives the file its final name.
        info = RunInfo(2, "crawl", "files", "[]", "http://127.0.0.1:9", datetime.now(UTC))
        CaptureWriter(directory, info, 10**9).close()
        assert not list(directory.glob("*.open"))
        [repaired] = warc_files(directory)
        assert repaired.read_bytes() == data[:whole]
        checked = warcio_check([repaired])
        assert checked.returncode == 0, checked.stdout
        assert checked.stdout.count("digest pass") == len(_read_all(data[:whole]))


def test_a_crawl_killed_at_random_then_rerun_has_evidence_only_on_whole_records(
        tmp_path, replica):
    """kill -9 a crawl at depth files mid-run, run it again: every WARC file passes warcio
    check and every evidence row points at its record."""
    config = make_config(tmp_path, replica.url, depth="files", warc_dir=str(tmp_path / "warc"))
    env = child_env(config, KSCRAPE_BATCH_SIZE="5")
    args = [sys.executable, "-m", "kscrape", "crawl", "--since", "2023-06-29", "--until",
            "2023-06-29", "-m", "기획재정부"]
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while len([r for r in replica.requests if r.route != "list"]) < 4:
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.01)
    time.sleep(random.uniform(0, 0.3))
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr

    paths = warc_files(tmp_path / "warc")
    assert len(paths) == 2 and not list((tmp_path / "warc").glob("*.open"))
    checked = warcio_check(paths)
    assert checked.returncode == 0, checked.stdout
    evidence = table_rows(config.db, "evidence")
    assert {r["news_id"] for r in evidence} == {r["news_id"] for r in
                                                table_rows(config.db, "releases")}
    for row in evidence:
        with closing(open(tmp_path / "warc" / row["warc_file"], "rb")) as handle:
            handle.seek(row["warc_offset"])
            record = next(iter(ArchiveIterator(BytesIO(handle.read(row["warc_length"])))))
            assert record.rec_headers.get_header("WARC-Payload-Digest") == row["payload_digest"]
            assert record.rec_headers.get_header("WARC-Target-URI") == row["uri"]


FULL_DISK_CHILD = """
import os, resource, signal, sys
from datetime import UTC, datetime
from pathlib import Path
from kscrape.errors import StoreError
from kscrape.fetch import Exchange
from kscrape.warc import CaptureWriter, RunInfo

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))
info = RunInfo(1, "crawl", "files", "[]", "http://127.0.0.1:9", datetime.now(UTC))
writer = CaptureWriter(Path(sys.argv[1]), info, 10**9)
for n in range(10):
    try:
        writer(Exchange("GET", f"http://127.0.0.1:9/x?n={n}", (), b"", 200, "OK", "HTTP/1.1",
                        (), os.urandom(70_000), datetime.now(UTC)))
    except StoreError as exc:
        print("full after", n, exc)
        break
writer.close()
"""


def test_a_full_disk_stops_capture_without_leaving_a_torn_record(tmp_path):
    """The file size limit stands in for a full disk: the write that fails is taken back."""
    env = child_env()
    child = subprocess.run([sys.executable, "-c", FULL_DISK_CHILD, str(tmp_path)], env=env,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith("full after 4 ")
    assert "cannot write the capture" in child.stdout
    [path] = warc_files(tmp_path)
    data = path.read_bytes()
    assert 0 < len(data) <= 300_000
    assert _read_all(data) == ["warcinfo"] + ["request", "response"] * 4
    assert warcio_check([path]).returncode == 0
