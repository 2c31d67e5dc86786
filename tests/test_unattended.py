"""Left unattended: no silent data loss under operator slips and faults (issue 11)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline.exits import DAMAGED, REFUSED, TERMINATED, USAGE
from pipeline.batch.locking import RunLock
from pipeline.batch.runner import run_extract
from pipeline.settings import Settings
from test_batch import _crash_mid_commit, assert_same_tables, make_corpus

PY = [sys.executable, "-m", "pipeline"]
QUIET = Settings(quiet=True, workers=1)
ALLOW = Settings(quiet=True, workers=1, allow_deletions=True)
TEXTS = ("과학기술정보통신부는 10일 서울에서 회의를 열었다.\n",
         "외교부는 3일 부산에서 12개국이 참석한 포럼을 열었다.\n",
         "행정안전부는 5일 대전에서 70여 명이 모인 토론회를 열었다.\n",
         "짧다\n")                                        # no_text: a reject


def cli(*args, timeout=300):
    return subprocess.run([*PY, *args], capture_output=True, text=True, timeout=timeout)


def last_line(result) -> str:
    return result.stderr.strip().splitlines()[-1]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every table file, byte for byte (the runs table aside: it records the refused run too)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.parquet"))
            if not p.relative_to(folder).as_posix().startswith("runs/")}


def manifest(folder: Path) -> list[tuple]:
    frame = pd.read_parquet(folder / "_manifest.parquet")
    return sorted(zip(frame["source_path"], frame["outcome"], frame["content_hash"]))


# -- 1. no silent mass deletion ------------------------------------------------------------------

@pytest.fixture(scope="module")
def ten_pages(tmp_path_factory) -> tuple[Path, Path]:
    """A raw folder of 10 pages and its tables (copied by each test that changes them)."""
    work = tmp_path_factory.mktemp("ten")
    make_corpus(work / "raw", 10)
    run_extract(work / "raw", work / "out", QUIET)
    return work / "raw", work / "out"


def _copy(ten_pages, tmp_path) -> tuple[Path, Path]:
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(ten_pages[0], raw)
    shutil.copytree(ten_pages[1], out)
    return raw, out


def test_an_empty_input_folder_is_refused_and_changes_nothing(ten_pages, tmp_path):
    raw, out = _copy(ten_pages, tmp_path)
    shutil.rmtree(raw)
    raw.mkdir()
    before = snapshot(out)
    result = cli("extract", str(raw), str(out), "--quiet")
    assert result.returncode == REFUSED == 4
    assert result.stderr.strip().count("\n") == 0, result.stderr          # one line, also under --quiet
    assert last_line(result).startswith("pipeline: exit 4: no inputs found") and "10 known articles" in result.stderr
    assert snapshot(out) == before
    runs = pd.read_parquet(out / "runs")
    assert runs["exit_status"].tolist()[-1] == REFUSED and "no inputs found" in runs["reason"].tolist()[-1]
    confirmed = run_extract(raw, out, ALLOW)
    assert confirmed.exit_status == 0 and confirmed.n_deleted == 10
    assert len(pd.read_parquet(out / "articles")) == 0


def test_a_missing_input_folder_is_a_usage_error_and_changes_nothing(ten_pages, tmp_path):
    raw, out = _copy(ten_pages, tmp_path)
    before = snapshot(out)
    result = cli("extract", str(tmp_path / "not-mounted"), str(out), "--quiet", "--allow-deletions")
    assert result.returncode == USAGE
    assert result.stderr.strip() == f"pipeline: exit 2: input folder not found: {tmp_path / 'not-mounted'}"
    assert snapshot(out) == before


def test_three_of_ten_pages_gone_is_refused_until_confirmed(ten_pages, tmp_path):
    raw, out = _copy(ten_pages, tmp_path)
    for name in ("doc_0001.txt", "doc_0004.txt", "doc_0007.txt"):
        (raw / name).unlink()
    before = snapshot(out)
    refused = run_extract(raw, out, QUIET)
    assert refused.exit_status == REFUSED
    assert "3 of 10 known articles would be deleted (30%, over --max-deleted-share 20%)" in refused.reason
    assert snapshot(out) == before
    assert run_extract(raw, out, Settings(quiet=True, max_deleted_share=0.3)).exit_status == 0
    assert len(pd.read_parquet(out / "articles")) == 7


def test_two_of_ten_gone_is_within_the_default_share(ten_pages, tmp_path):
    raw, out = _copy(ten_pages, tmp_path)
    (raw / "doc_0002.txt").unlink()
    (raw / "doc_0003.txt").unlink()
    report = run_extract(raw, out, QUIET)
    assert (report.exit_status, report.n_deleted) == (0, 2)


# -- 2. incremental equals from scratch -------------------------------------------------------

NAMES = ("a.txt", "b.txt", "c.txt")
TEXT = st.sampled_from((0, 0, 1, 3))                 # mostly the same text: many duplicates
STEP = st.tuples(st.sampled_from(("write", "write", "delete", "touch")), st.sampled_from(NAMES), TEXT)


def _apply(raw: Path, op: str, name: str, text: int) -> None:
    path = raw / name
    if op == "write":
        path.write_text(TEXTS[text], encoding="utf-8")
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))    # a new mtime even within one tick
    elif op == "delete":
        path.unlink(missing_ok=True)
    elif path.exists():
        os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns + 10**9))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.lists(st.tuples(st.sampled_from(NAMES), TEXT), min_size=1, max_size=3),
       steps=st.lists(STEP, min_size=1, max_size=4))
def test_incremental_runs_equal_a_fresh_run(tmp_path_factory, start, steps):
    work = tmp_path_factory.mktemp("prop")
    raw, out = work / "raw", work / "out"
    raw.mkdir()
    for name, text in start:
        _apply(raw, "write", name, text)
    run_extract(raw, out, ALLOW)
    for step in steps:
        _apply(raw, *step)
        assert run_extract(raw, out, ALLOW).exit_status in (0, 3)
    run_extract(raw, work / "fresh", ALLOW)
    assert_same_tables(out, work / "fresh")
    assert manifest(out) == manifest(work / "fresh")


def test_a_duplicate_takes_over_when_its_original_goes(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    for name in ("b.txt", "c.txt"):
        (raw / name).write_text(TEXTS[0], encoding="utf-8")
    first = run_extract(raw, out, QUIET)
    assert (first.exit_status, first.n_rejected, first.n_duplicates) == (0, 0, 1)   # a duplicate is no reject
    (raw / "a.txt").write_text(TEXTS[0], encoding="utf-8")           # an earlier path: it becomes the article
    run_extract(raw, out, QUIET)
    assert pd.read_parquet(out / "articles")["source_path"].tolist() == ["a.txt"]
    rejects = pd.read_parquet(out / "rejects").sort_values("source_path")
    assert rejects["detail"].tolist() == ["same bytes as a.txt"] * 2
    (raw / "a.txt").unlink()
    (raw / "b.txt").write_text(TEXTS[1], encoding="utf-8")           # the next one changes: c.txt takes over
    run_extract(raw, out, ALLOW)
    assert sorted(pd.read_parquet(out / "articles")["source_path"]) == ["b.txt", "c.txt"]
    run_extract(raw, tmp_path / "fresh", QUIET)
    assert_same_tables(out, tmp_path / "fresh")


def test_a_batch_of_one_duplicate_exits_0(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "a.txt").write_text(TEXTS[0], encoding="utf-8")
    run_extract(raw, out, QUIET)
    shutil.copy(raw / "a.txt", raw / "b.txt")
    report = run_extract(raw, out, QUIET)
    assert (report.exit_status, report.n_processed, report.n_rejected, report.n_duplicates) == (0, 1, 0, 1)


def test_a_broken_link_is_not_reprocessed_until_it_changes(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "a.txt").write_text(TEXTS[0], encoding="utf-8")
    os.symlink("nowhere.txt", raw / "broken.txt")
    assert run_extract(raw, out, QUIET).n_processed == 2
    assert run_extract(raw, out, QUIET).n_processed == 0
    (raw / "nowhere.txt").write_text(TEXTS[1], encoding="utf-8")     # the link now resolves: both are new
    assert run_extract(raw, out, QUIET).n_processed == 2


def test_a_page_that_could_not_be_read_is_retried_and_other_rejects_are_not(tmp_path):
    """Only 'unreadable' (permissions, I/O) can change without the file changing; a fresh run would retry it."""
    from pipeline import __version__
    from pipeline.batch.runner import plan_run
    from pipeline.ingest.reading import discover

    (tmp_path / "a.txt").write_text(TEXTS[0], encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXTS[3], encoding="utf-8")
    a, b = discover(tmp_path)
    rows = [{"source_path": item.path, "size_bytes": item.size_bytes, "mtime_ns": item.mtime_ns,
             "content_hash": None, "meta_hash": "", "outcome": "rejected", "reason": reason, "part": "part-x",
             "pipeline_version": __version__, "settings_hash": "fp"}
            for item, reason in ((a, "unreadable"), (b, "bad_metadata"))]
    plan = plan_run([a, b], rows, "fp", full=False)
    assert [item.path for item in plan.todo] == ["a.txt"] and [r["source_path"] for r in plan.keep] == ["b.txt"]


# -- 7. change detection by content -----------------------------------------------------------

def test_a_new_mtime_with_the_same_bytes_is_skipped(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 3)
    run_extract(raw, out, QUIET)
    page = raw / "doc_0001.txt"
    os.utime(page, ns=(time.time_ns(), page.stat().st_mtime_ns + 10**9))
    touched = run_extract(raw, out, QUIET)
    assert (touched.n_processed, touched.n_skipped) == (0, 3)
    row = pd.read_parquet(out / "_manifest.parquet").set_index("source_path").loc["doc_0001.txt"]
    assert row["mtime_ns"] == page.stat().st_mtime_ns                # recorded: the next run need not hash
    same_size = page.read_text(encoding="utf-8").replace("홍길동", "김길동")
    assert len(same_size.encode()) == page.stat().st_size
    page.write_text(same_size, encoding="utf-8")
    os.utime(page, ns=(time.time_ns(), page.stat().st_mtime_ns + 2 * 10**9))
    assert run_extract(raw, out, QUIET).n_processed == 1


def test_a_touched_sidecar_is_skipped_and_a_changed_one_reprocesses(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 3)
    meta = raw / "doc_0001.txt.meta.json"
    meta.write_text('{"publisher": "예시일보", "title": "제목 하나"}', encoding="utf-8")
    assert run_extract(raw, out, QUIET).n_processed == 3
    os.utime(meta, ns=(time.time_ns(), meta.stat().st_mtime_ns + 10**9))
    touched = run_extract(raw, out, QUIET)
    assert (touched.n_processed, touched.n_skipped) == (0, 3)
    assert run_extract(raw, out, QUIET).n_processed == 0            # the new mtime was recorded
    meta.write_text('{"publisher": "예시일보", "title": "제목 둘이"}', encoding="utf-8")   # same size, new bytes
    os.utime(meta, ns=(time.time_ns(), meta.stat().st_mtime_ns + 2 * 10**9))
    assert run_extract(raw, out, QUIET).n_processed == 1
    titles = pd.read_parquet(out / "articles").set_index("source_path")["title"]
    assert titles["doc_0001.txt"] == "제목 둘이"


# -- 4. signals and failures are recorded ----------------------------------------------------

def test_a_failed_run_leaves_a_row_in_runs(tmp_path, monkeypatch):
    import pipeline.batch.runner as runner

    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 2)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(runner, "_commit", broken)
    with pytest.raises(OSError):
        run_extract(raw, out, QUIET)
    runs = pd.read_parquet(out / "runs")
    assert runs["exit_status"].tolist() == [1] and runs["reason"].tolist() == ["no space left on device"]
    RunLock(out).acquire()                                           # released


def _staging_started(out: Path) -> bool:
    try:
        return any((out / ".staging").rglob("*.parquet"))
    except FileNotFoundError:              # the run removed the folder while we looked into it
        return False


def test_sigterm_is_handled_like_sigint(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 60)
    proc = subprocess.Popen([*PY, "extract", str(raw), str(out), "--workers", "1", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not _staging_started(out):
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == TERMINATED == 143
    assert stderr.strip().splitlines()[-1] == "pipeline: exit 143: terminated (SIGTERM)"
    with RunLock(out):                                               # the lock is free
        pass
    runs = pd.read_parquet(out / "runs")
    assert runs["exit_status"].tolist() == [143] and runs["reason"].tolist() == ["terminated (SIGTERM)"]
    assert not (out / "articles").exists() or len(pd.read_parquet(out / "articles")) == 0


# -- 5. damage is detected and repaired -------------------------------------------------------

def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _part_of(out: Path, table: str) -> Path:
    return sorted((out / table).glob("*.parquet"))[0]


def test_a_truncated_or_missing_part_is_rebuilt_from_its_inputs(ten_pages, tmp_path):
    raw, out = _copy(ten_pages, tmp_path)
    damaged = _part_of(out, "numbers")
    _truncate(damaged)
    (out / "locations" / damaged.name).unlink()
    report = run_extract(raw, out, QUIET)
    assert report.exit_status == 0 and report.n_processed == 10 and "repaired 2 damaged" in report.reason
    assert (out / ".damaged").rglob(damaged.name)                    # kept for inspection
    assert_same_tables(out, ten_pages[1])
    assert run_extract(raw, out, QUIET).n_processed == 0             # repaired: trusted again


def test_a_damaged_part_whose_inputs_are_gone_stays_out_with_a_warning(ten_pages, tmp_path, caplog):
    raw, out = _copy(ten_pages, tmp_path)
    run_extract(raw, out, QUIET)
    make_corpus(raw, 2, start=10)                                    # a second part, with two articles
    run_extract(raw, out, QUIET)
    second = sorted((out / "articles").glob("*.parquet"))[-1]
    _truncate(second)
    for name in ("doc_0010.txt", "doc_0011.txt"):
        (raw / name).unlink()
    with caplog.at_level("WARNING", logger="pipeline"):
        report = run_extract(raw, out, QUIET)
    assert report.exit_status == 0 and report.n_deleted == 2
    assert any(second.name in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert_same_tables(out, ten_pages[1])


def test_a_damaged_manifest_reprocesses_everything(ten_pages, tmp_path):
    raw, out = _copy(ten_pages, tmp_path)
    _truncate(out / "_manifest.parquet")
    report = run_extract(raw, out, QUIET)
    assert report.n_processed == 10 and report.exit_status == 0
    assert_same_tables(out, ten_pages[1])


def test_query_and_report_name_a_damaged_table(ten_pages, tmp_path):
    raw, out = _copy(ten_pages, tmp_path)
    _truncate(_part_of(out, "numbers"))
    bad = cli("query", str(out), "SELECT count(*) FROM numbers")
    assert bad.returncode == DAMAGED and bad.stderr.strip().count("\n") == 0
    assert last_line(bad).startswith("pipeline: exit 5: table numbers is damaged: part-")
    good = cli("query", str(out), "SELECT count(*) AS n FROM articles", "--format", "csv")
    assert good.returncode == 0 and good.stdout.split() == ["n", "10"]
    assert "warning: table numbers is damaged" in good.stderr
    report = cli("report", str(out), "--out", str(tmp_path / "report"))
    assert report.returncode == DAMAGED and "numbers" in last_line(report)


def test_query_finishes_a_pending_commit_or_refuses_while_a_run_holds_it(tmp_path, monkeypatch):
    from pipeline.exits import Busy
    from pipeline.analyst.query import run_query

    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 3)
    run_extract(raw, out, QUIET)
    make_corpus(raw, 2, start=3)
    _crash_mid_commit(raw, out, monkeypatch)
    with RunLock(out):                                               # a run holds the folder: refuse
        with pytest.raises(Busy, match="commit is pending"):
            run_query(out, "SELECT count(*) AS n FROM articles")
    counts = run_query(out, "SELECT (SELECT count(*) FROM articles) AS a, (SELECT count(DISTINCT article_id) "
                            "FROM dates) AS d")
    assert counts.to_dict("records") == [{"a": 5, "d": 5}]           # the whole commit, not half of it
    assert not (out / "_journal.json").exists()
    runs = pd.read_parquet(out / "runs")
    assert "simulated crash" in runs["reason"].tolist()[-1] and runs["exit_status"].tolist()[-1] == 1


def test_a_reader_waits_for_a_commit_in_progress(ten_pages, tmp_path):
    import threading

    from pipeline.analyst.query import run_query
    from pipeline.batch.locking import CommitLock

    raw, out = _copy(ten_pages, tmp_path)
    commit = CommitLock(out, shared=False).__enter__()              # a commit is renaming files
    seen = {}
    reader = threading.Thread(target=lambda: seen.update(n=run_query(out, "SELECT count(*) AS n FROM articles")))
    reader.start()
    reader.join(0.5)
    assert reader.is_alive() and not seen                            # it waits instead of reading half of it
    commit.release()
    reader.join(30)
    assert seen["n"]["n"].tolist() == [10]


def test_a_page_replaced_by_a_fifo_of_the_same_size_does_not_hang_the_run(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "a.txt").write_text(TEXTS[0], encoding="utf-8")
    (raw / "empty.txt").write_bytes(b"")                             # an 'empty' reject, with a content hash
    run_extract(raw, out, QUIET)
    (raw / "empty.txt").unlink()
    os.mkfifo(raw / "empty.txt")                                     # size 0 too, a new mtime: hashing must not block
    script = ("import sys\nfrom pipeline.batch.runner import run_extract\nfrom pipeline.settings import Settings\n"
              "r = run_extract(sys.argv[1], sys.argv[2], Settings(quiet=True, workers=1))\nprint(r.n_processed)\n")
    done = subprocess.run([sys.executable, "-c", script, str(raw), str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.split() == ["1"], done.stderr[-2000:]
    rejects = pd.read_parquet(out / "rejects").set_index("source_path")
    assert rejects.loc["empty.txt", "reason"] == "not_a_file"
