"""The nightly batch job: incremental, crash-safe, one run at a time, same tables on any engine."""
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

from conftest import RAW
from pipeline.batch.locking import LockedError, RunLock
from pipeline.batch.runner import EXIT_TOO_MANY_REJECTS, run_extract
from pipeline.settings import Settings

ARTICLE_TABLES = ("articles", "rejects", "dates", "numbers", "officials", "organizations", "locations", "events")
SORT_KEYS = {"articles": ["source_path"], "rejects": ["source_path"], "events": ["article_id", "event_id"],
             "event_clusters": ["cluster_id"]}
TEMPLATE = ("(서울=예시뉴스) 홍길동 기자 = 과학기술정보통신부는 {d}일 서울 코엑스에서 열린 '제{n}차 디지털 장관회의'에 "
            "참석했다고 밝혔다.\n이번 회의에는 {c}개국 대표단과 {p}여 명이 참석했다.\n"
            "참가국들은 회의 결과물로 '디지털 협력 공동성명'을 채택했다.\nⓒ 예시뉴스 무단 전재 및 재배포 금지\n")


def make_corpus(folder: Path, n: int, start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        text = TEMPLATE.format(d=1 + i % 28, n=i, c=10 + i % 50, p=100 + i)
        (folder / f"doc_{i:04d}.txt").write_text(text, encoding="utf-8")


def tables(processed: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for name in ARTICLE_TABLES + ("event_clusters",):
        frame = pd.read_parquet(processed / name)
        keys = SORT_KEYS.get(name, ["article_id", "start", "end"])
        out[name] = frame.sort_values(keys).reset_index(drop=True)
    return out


def assert_same_tables(a: Path, b: Path) -> None:
    ta, tb = tables(a), tables(b)
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_dtype=True, obj=name)


def test_incremental_changes_and_deletions(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 6)
    first = run_extract(raw, out, Settings(quiet=True))
    assert (first.n_processed, first.n_skipped) == (6, 0)

    again = run_extract(raw, out, Settings(quiet=True))
    assert (again.n_processed, again.n_skipped) == (0, 6)

    make_corpus(raw, 1, start=6)                                   # one new file
    (raw / "doc_0000.txt").write_text(TEMPLATE.format(d=3, n=99, c=77, p=500))   # one changed file
    os.utime(raw / "doc_0000.txt", ns=(time.time_ns(), time.time_ns() + 10**9))
    (raw / "doc_0001.txt").unlink()                                # one deleted file
    third = run_extract(raw, out, Settings(quiet=True))
    assert (third.n_processed, third.n_skipped, third.n_deleted) == (2, 4, 1)

    t = tables(out)
    assert sorted(t["articles"]["source_path"]) == sorted(p.name for p in raw.iterdir())
    assert t["articles"]["article_id"].is_unique
    ids = set(t["articles"]["article_id"])
    for name in ("dates", "numbers", "events"):
        assert set(t[name]["article_id"]) <= ids, f"{name} keeps rows of replaced or deleted articles"
    changed = t["articles"].set_index("source_path").loc["doc_0000.txt", "article_id"]
    counts = t["numbers"][t["numbers"]["article_id"] == changed]["value"].tolist()
    assert 77.0 in counts and 10.0 not in counts

    fresh = tmp_path / "fresh"
    run_extract(raw, fresh, Settings(quiet=True))
    assert_same_tables(out, fresh)

    full = run_extract(raw, out, Settings(quiet=True, full=True))
    assert full.n_processed == 6 and full.n_skipped == 0
    assert_same_tables(out, fresh)
    changed_settings = run_extract(raw, out, Settings(quiet=True, min_text_chars=21))
    assert changed_settings.n_processed == 6, "a setting that changes output must reprocess everything"

    runs = pd.read_parquet(out / "runs")
    assert len(runs) == 5 and set(runs["exit_status"]) == {0}


def test_same_tables_whatever_the_number_of_workers(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    make_corpus(raw, 8)
    run_extract(raw, tmp_path / "one", Settings(workers=1, batch_size=3, quiet=True))
    run_extract(raw, tmp_path / "two", Settings(workers=2, batch_size=3, quiet=True))
    assert_same_tables(tmp_path / "one", tmp_path / "two")


def test_default_workers_follow_the_cores_and_the_work(monkeypatch):
    from pipeline.batch import engines

    monkeypatch.setattr(engines, "available_cores", lambda: 4)
    assert engines.choose_workers(3) == 1                        # a handful of documents: no pool at all
    assert engines.choose_workers(2 * engines.DOCS_PER_WORKER) == 2
    assert engines.choose_workers(10_000) == 4                   # never more than the cores
    assert engines.choose_workers(3, workers=3) == 3             # a fixed choice is kept
    tasks = engines._ramped(list(range(100)), 32)
    assert sum(tasks, []) == list(range(100)) and len(tasks[0]) == 1 and max(map(len, tasks)) == 32


def test_a_small_default_run_stays_in_one_process_and_says_so(tmp_path):
    import multiprocessing

    raw = tmp_path / "raw"
    make_corpus(raw, 3)
    run_extract(raw, tmp_path / "out", Settings(workers=0, quiet=True))
    assert multiprocessing.active_children() == []
    assert list(pd.read_parquet(tmp_path / "out" / "runs")["workers"]) == [1]


def test_a_run_gives_back_the_garbage_collector_as_it_found_it(tmp_path):
    """The runs freeze the loaded models and collect less often while they last (pipeline.batch.engines);
    a program calling run_extract gets its own settings back, whether the run used worker processes or not."""
    import gc

    raw = tmp_path / "raw"
    make_corpus(raw, 4)
    before = gc.get_threshold()
    seen = []
    for workers in (1, 2):
        def progress(_total):
            def tick():
                seen.append((gc.get_threshold(), gc.get_freeze_count() > 0))
            return tick
        run_extract(raw, tmp_path / f"out{workers}", Settings(workers=workers, quiet=True), progress)
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    from pipeline.batch.engines import YOUNG_GC_EVERY
    assert seen and all(threshold[0] == YOUNG_GC_EVERY and frozen for threshold, frozen in seen)


def test_no_worker_outlives_the_run(tmp_path):
    import multiprocessing
    import psutil

    raw = tmp_path / "raw"
    make_corpus(raw, 8)
    run_extract(raw, tmp_path / "out", Settings(workers=2, batch_size=2, quiet=True))
    assert multiprocessing.active_children() == []
    assert [p for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE] == []


def test_an_abandoned_run_stops_its_workers(tmp_path):
    import multiprocessing

    from pipeline.batch.engines import run_documents
    from pipeline.ingest.reading import discover

    raw = tmp_path / "raw"
    make_corpus(raw, 8)
    results = run_documents(discover(raw), Settings(workers=2, batch_size=2))
    assert next(results).outcome == "article"
    results.close()                                              # the consumer stops early (an error downstream)
    assert multiprocessing.active_children() == []


def _rejects(processed: Path) -> dict[str, str]:
    frame = pd.read_parquet(processed / "rejects")
    return dict(zip(frame["source_path"], frame["reason"]))


KILL_ON_POISON = """
import os, signal, sys
from pathlib import Path
from pipeline.batch import engines
from pipeline.batch.runner import run_extract
from pipeline.settings import Settings
real = engines.process_files
def dies_on_poison(items, *args, **kwargs):
    if any("poison" in item.path for item in items):
        os.kill(os.getpid(), signal.SIGKILL)      # what the out-of-memory killer does
    return real(items, *args, **kwargs)
engines.process_files = dies_on_poison            # forked workers inherit the patch
report = run_extract(Path(sys.argv[1]), Path(sys.argv[2]), Settings(workers=2, batch_size=2, quiet=True))
import multiprocessing
print(report.n_processed, len(multiprocessing.active_children()))
"""


def test_a_document_that_kills_its_worker_is_rejected_and_the_rest_go_on(tmp_path):
    """A worker process dying loses nothing and hangs nothing (in a subprocess: a hang fails the test)."""
    raw = tmp_path / "raw"
    make_corpus(raw, 9)
    (raw / "doc_0004.txt").rename(raw / "poison_0004.txt")
    done = subprocess.run([sys.executable, "-c", KILL_ON_POISON, str(raw), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["9", "0"]                     # all inputs processed, no worker left
    assert _rejects(tmp_path / "out") == {"poison_0004.txt": "worker_died"}
    assert len(pd.read_parquet(tmp_path / "out" / "articles")) == 8


@pytest.mark.parametrize("workers", [1, 2])
def test_a_document_over_the_time_limit_is_rejected_as_timeout(tmp_path, monkeypatch, workers):
    from pipeline import document

    real = document.finish_file

    def slow_on_one(p, doc):
        if "slow" in p.item.path:
            time.sleep(30)
        return real(p, doc)

    monkeypatch.setattr(document, "finish_file", slow_on_one)
    raw = tmp_path / "raw"
    make_corpus(raw, 5)
    (raw / "doc_0002.txt").rename(raw / "slow_0002.txt")
    clock = time.monotonic()
    run_extract(raw, tmp_path / "out", Settings(workers=workers, batch_size=2, doc_timeout_s=0.5, quiet=True))
    assert time.monotonic() - clock < 25
    assert _rejects(tmp_path / "out") == {"slow_0002.txt": "timeout"}
    detail = pd.read_parquet(tmp_path / "out" / "rejects")["detail"][0]
    assert "extracting took more than 0.5 s" in detail
    assert len(pd.read_parquet(tmp_path / "out" / "articles")) == 4
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)      # no alarm left behind in this process


def test_dask_engine_on_a_real_local_cluster(tmp_path):
    from dask.distributed import LocalCluster

    raw = tmp_path / "raw"
    make_corpus(raw, 6)
    shutil.copy(RAW / "000_f24c5ef67f1ed737.txt", raw)
    run_extract(raw, tmp_path / "local", Settings(workers=1, quiet=True))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = run_extract(raw, tmp_path / "dask", Settings(engine="dask", scheduler=cluster.scheduler_address,
                                                              batch_size=2, quiet=True))
    assert report.n_processed == 7
    assert_same_tables(tmp_path / "local", tmp_path / "dask")


HOLD_LOCK = ("import sys, time\nfrom pipeline.batch.locking import RunLock\n"
             "with RunLock(sys.argv[1]):\n    print('locked', flush=True)\n    time.sleep(60)\n")


def test_second_run_exits_75_while_the_first_holds_the_lock(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 1)
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(raw), str(out), "--quiet"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 75 and "another run" in result.stderr and f"pid {holder.pid}" in result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("pipeline: exit 75: ")
        assert not (out / "articles").exists()
    finally:
        holder.kill()                                           # SIGKILL: the kernel releases its lock
        holder.wait()
    (out / ".lock").write_text("1\n")                          # a live pid in the file does not matter
    report = run_extract(raw, out, Settings(quiet=True))
    assert report.n_processed == 1


def test_lock_refuses_a_second_holder_and_is_free_after_release(tmp_path):
    with RunLock(tmp_path):
        with pytest.raises(LockedError, match="another run"):
            RunLock(tmp_path).acquire()
    with RunLock(tmp_path):                                     # released: free again, same file
        pass
    assert (tmp_path / ".lock").exists()


RACE = """
import json, multiprocessing as mp, sys
from pathlib import Path
from pipeline.batch.locking import LockedError, RunLock

def contend(folder, start, done, results):
    lock = RunLock(folder)
    start.wait()                        # all four try at the same instant
    try:
        lock.acquire()
        results.put("held")
    except LockedError:
        results.put("refused")
    done.wait()                         # the holder holds until every contender has tried
    lock.release()

ctx, outcomes = mp.get_context("fork"), []
for trial in range(50):
    folder = Path(sys.argv[1]) / f"t{trial}"
    folder.mkdir()
    if trial % 2:
        (folder / ".lock").write_text("999999\\n")      # a stale lock file of a dead run
    start, done, results = ctx.Barrier(4), ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=contend, args=(str(folder), start, done, results)) for _ in range(4)]
    for proc in procs:
        proc.start()
    outcomes.append(sorted(results.get(timeout=30) for _ in procs))
    for proc in procs:
        proc.join(timeout=30)
print(json.dumps(outcomes))
"""


def test_four_runs_started_at_the_same_instant_one_holds_the_lock(tmp_path):
    """50 trials of 4 processes (forked from a small interpreter, so the test stays fast)."""
    import json

    result = subprocess.run([sys.executable, "-c", RACE, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout)
    assert len(outcomes) == 50
    assert all(o == ["held", "refused", "refused", "refused"] for o in outcomes), outcomes


def _kill_when(proc: subprocess.Popen, condition, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            met = condition()
        except FileNotFoundError:          # the job removed a folder while we were looking into it
            met = False
        if met:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("moment", ["while processing", "on commit"])
def test_killed_run_leaves_tables_whole_and_rerun_matches(tmp_path, moment):
    raw, out, reference = tmp_path / "raw", tmp_path / "out", tmp_path / "reference"
    make_corpus(raw, 40)
    run_extract(raw, out, Settings(quiet=True))                 # a first run: the tables exist
    make_corpus(raw, 40, start=40)                              # new pages for the run we kill
    staging = out / ".staging"
    condition = (lambda: any(staging.rglob("*.parquet"))) if moment == "while processing" \
        else (lambda: (out / "_journal.json").exists() or any(staging.rglob("event_clusters/*")))
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", str(raw), str(out), "--workers", "1",
                             "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed = _kill_when(proc, condition)
    assert killed or proc.returncode == 0
    for name in ARTICLE_TABLES:                                 # every file on disk is readable, whole
        pd.read_parquet(out / name)
    rerun = run_extract(raw, out, Settings(quiet=True))
    assert rerun.exit_status == 0
    run_extract(raw, reference, Settings(quiet=True))
    assert_same_tables(out, reference)
    assert not (out / ".staging").exists() and not (out / "_journal.json").exists()


def _crash_mid_commit(raw: Path, out: Path, monkeypatch) -> None:
    """A commit that stops after two of its renames (a crash), as the next run finds it."""
    real_replace, calls = os.replace, {"n": 0}

    def crash_after_two(src, dst):
        if str(dst).endswith(".parquet") and "/.staging/" not in str(dst) and ".tmp-" not in str(src):
            calls["n"] += 1
            if calls["n"] > 2:
                raise OSError("simulated crash in the middle of a commit")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_after_two)
    with pytest.raises(OSError, match="simulated crash"):
        run_extract(raw, out, Settings(quiet=True, workers=1))
    monkeypatch.setattr(os, "replace", real_replace)
    assert (out / "_journal.json").exists()


def test_journal_is_rolled_forward_after_a_crash_mid_commit(tmp_path, monkeypatch):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 3)
    run_extract(raw, out, Settings(quiet=True))
    make_corpus(raw, 2, start=3)
    _crash_mid_commit(raw, out, monkeypatch)
    assert (out / "_journal.json").exists()
    report = run_extract(raw, out, Settings(quiet=True))
    assert report.n_processed == 0 and report.n_skipped == 5      # the interrupted commit was completed
    assert len(pd.read_parquet(out / "articles")) == 5


def test_compact_merges_parts_and_keeps_rows(tmp_path):
    from pipeline.batch.compact import compact

    raw, out = tmp_path / "raw", tmp_path / "out"
    for i in range(3):
        make_corpus(raw, 2, start=2 * i)
        run_extract(raw, out, Settings(quiet=True))
    before = tables(out)
    assert len(list((out / "articles").glob("*.parquet"))) == 3
    merged = compact(out)
    assert merged["articles"] == 3 and len(list((out / "articles").glob("*.parquet"))) == 1
    after = tables(out)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    make_corpus(raw, 1, start=6)
    (raw / "doc_0000.txt").unlink()
    report = run_extract(raw, out, Settings(quiet=True))
    assert report.n_processed == 1 and report.n_deleted == 1
    assert sorted(pd.read_parquet(out / "articles")["source_path"]) == sorted(p.name for p in raw.iterdir())


def test_bad_input_at_scale(tmp_path):
    raw = tmp_path / "raw"
    make_corpus(raw, 2)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))
    with open(raw / "huge.txt", "wb") as fh:                        # 50 MB: over the size limit
        fh.write(("가나다라마바사 " * 8).encode() * (50 * 1024 * 1024 // 57 + 1))
    (raw / "one-line.txt").write_text("과학기술정보통신부는 회의를 열었다 " * 55_000)   # ~1 MB, one line
    (raw / "nul.txt").write_bytes(b"abc\x00def\x00" * 500)
    (raw / "invalid.txt").write_bytes(b"\xff\xfe\xfd\x80\x81 broken " * 300)
    (raw / "legacy.html").write_bytes(("<html><body><p>" + TEMPLATE.format(d=1, n=1, c=2, p=3) + "</p></body></html>")
                                      .encode("cp949", errors="ignore"))
    (raw / "utf16.txt").write_bytes(TEMPLATE.format(d=2, n=2, c=3, p=4).encode("utf-16"))
    (raw / "scripts.html").write_text("<html><head><script>var a = 1;</script></head><body><script>x()</script>"
                                      "</body></html>")
    (raw / "nested.html").write_text("<html><body>" + "<div>" * 10_000 + "<p>깊은 문서입니다.</p>" + "</div>" * 10_000
                                     + "</body></html>")
    (raw / "이름에 공백 있는 기사.txt").write_text(TEMPLATE.format(d=5, n=5, c=6, p=7))
    os.symlink("loop", raw / "loop")                                 # a symlink to itself
    locked = raw / "locked.txt"
    locked.write_text(TEMPLATE.format(d=6, n=6, c=7, p=8))
    locked.chmod(0)
    out = tmp_path / "out"
    report = run_extract(raw, out, Settings(workers=2, quiet=True))
    assert report.exit_status in (0, EXIT_TOO_MANY_REJECTS)
    articles, rejects = pd.read_parquet(out / "articles"), pd.read_parquet(out / "rejects")
    seen = sorted(list(articles["source_path"]) + list(rejects["source_path"]))
    assert seen == sorted(p.name for p in raw.iterdir())
    reasons = rejects.set_index("source_path")["reason"]
    assert reasons["huge.txt"] == "too_large" and reasons["empty.txt"] == "empty"
    assert reasons["binary.html"] == "binary" and reasons["nul.txt"] == "binary"
    assert reasons["loop"] == "unreadable" and reasons["scripts.html"] == "no_text"
    assert {"legacy.html", "utf16.txt", "이름에 공백 있는 기사.txt"} <= set(articles["source_path"])
    one_line = articles.set_index("source_path").loc["one-line.txt"]
    assert one_line["n_chars_clean"] <= Settings().max_text_chars


def test_exit_code_when_too_many_inputs_are_rejected(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(3):
        (raw / f"empty{i}.txt").write_bytes(b"")
    make_corpus(raw, 1)
    result = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(raw), str(tmp_path / "out"),
                             "--workers", "1", "--log-format", "json"], capture_output=True, text=True, timeout=300)
    assert result.returncode == EXIT_TOO_MANY_REJECTS
    import json
    logged = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert logged and all({"time", "level", "message"} <= set(entry) for entry in logged)
    assert logged[-1]["message"] == "exit 3: 3 of 4 processed inputs rejected (empty 3)"   # also under --quiet
    runs = pd.read_parquet(tmp_path / "out" / "runs")
    assert runs["exit_status"].tolist() == [EXIT_TOO_MANY_REJECTS] and runs["n_rejected"].tolist() == [3]
    assert runs["reason"].tolist() == ["3 of 4 processed inputs rejected (empty 3)"]
