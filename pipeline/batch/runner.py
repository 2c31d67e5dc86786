"""The batch job: what to process, in which engine, and committing the results.

``run_extract(raw, processed, settings)`` is the Python API behind ``pipeline extract``.

The tables after any run equal those of a fresh run over the same folder: inputs are compared
by size, mtime and (when only the mtime moved) content; of several inputs with the same bytes
the first path is the article and the others are ``duplicate`` rejects, also when the first
one is added, changed or deleted later.
"""
from __future__ import annotations

import hashlib
import logging
import os
import stat
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyarrow as pa

from pipeline import __version__
from .engines import choose_workers, run_documents
from pipeline.document import DocResult
from pipeline.events import cluster_events
from pipeline.exits import OK, REFUSED, TOO_MANY_REJECTS, UserError, exit_of
from pipeline.ingest.reading import InputFile, discover, sidecar_of
from pipeline.schema import ARTICLE_TABLES, SCHEMA_VERSION, from_rows
from pipeline.settings import Settings, settings_hash

from .locking import RunLock
from .storage import MANIFEST, Damage, Journal, PartWriter, Store, atomic_write_table

log = logging.getLogger("pipeline")

EXIT_OK, EXIT_TOO_MANY_REJECTS, EXIT_REFUSED = OK, TOO_MANY_REJECTS, REFUSED


@dataclass
class RunReport:
    run_id: str
    n_seen: int = 0
    n_skipped: int = 0
    n_processed: int = 0
    n_rejected: int = 0             # duplicates not included
    n_duplicates: int = 0
    n_deleted: int = 0
    reasons: Counter = field(default_factory=Counter)      # reject reason -> inputs
    rows_written: dict[str, int] = field(default_factory=dict)
    repaired: list[str] = field(default_factory=list)      # damaged files found and rebuilt
    elapsed_s: float = 0.0
    exit_status: int = OK
    reason: str = ""                # why the exit status is not 0; notes on repairs otherwise
    workers: int = 0                # worker processes the run used (the default run chooses them)

    def summary(self) -> str:
        rows = ", ".join(f"{k}={v}" for k, v in sorted(self.rows_written.items()) if v)
        return (f"run {self.run_id}: {self.n_seen} inputs, {self.n_skipped} unchanged, {self.n_processed} processed "
                f"({self.n_rejected} rejected, {self.n_duplicates} duplicates), {self.n_deleted} deleted; "
                f"rows: {rows or 'none'}; {self.elapsed_s:.1f}s")


@dataclass
class Plan:
    todo: list[InputFile]
    keep: list[dict]                # manifest rows that stay (mtime refreshed when only it moved)
    gone: list[dict]                # manifest rows whose table rows go: changed, deleted, taken over, damaged
    lost_keys: set[str]             # part keys whose files are dropped whole (damaged): not rewritten
    n_deleted: int = 0
    n_touched: int = 0              # same bytes, new mtime: only the manifest changes
    known_articles: int = 0
    deleted_articles: int = 0

    @property
    def drop_parts(self) -> set[str]:
        return {row["part"] for row in self.gone if row["part"]} - self.lost_keys

    @property
    def drop_ids(self) -> set[str]:
        return {row["content_hash"] for row in self.gone if row["outcome"] == "article" and row["content_hash"]}

    @property
    def drop_paths(self) -> set[str]:
        return {row["source_path"] for row in self.gone}

    def changes_tables(self) -> bool:
        return bool(self.todo or self.gone or self.lost_keys)


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ") + f"-{os.getpid()}"


# -- what changed -----------------------------------------------------------------------------

def _meta_stat(item: InputFile) -> str:
    return "" if item.meta_size < 0 else f"{item.meta_size}:{item.meta_mtime_ns}"


def _meta_key(item: InputFile) -> str:
    """What the manifest keeps of an input's sidecar: its size and mtime, and a digest of its bytes so that a
    touched sidecar (new mtime, same bytes) is not taken for a changed one."""
    stat_key = _meta_stat(item)
    if not stat_key or item.record is not None:
        return stat_key
    meta_path = sidecar_of(item.abs_path)
    digest = _file_hash(meta_path) if meta_path else None
    return f"{stat_key}:{digest}" if digest else stat_key


def _compare_meta(item: InputFile, recorded: str) -> str:
    """The sidecar's state against the manifest: 'same', 'touched' (new mtime, same bytes) or 'changed'."""
    now = _meta_stat(item)
    size_mtime, _, digest = recorded.rpartition(":") if recorded.count(":") == 2 else (recorded, "", "")
    if now == size_mtime:
        return "same"
    if not now or not digest or now.split(":")[0] != size_mtime.split(":")[0]:
        return "changed"
    meta_path = sidecar_of(item.abs_path)
    return "touched" if meta_path and _file_hash(meta_path) == digest else "changed"


def _stat_key(item: InputFile) -> tuple[int, int]:
    """(size, mtime) of an input; for one that cannot be stat'ed (a broken link), the link's own
    mtime with size -1, so that it is not reprocessed until the link changes."""
    if item.size_bytes >= 0:
        return item.size_bytes, item.mtime_ns
    try:
        return -1, os.lstat(item.abs_path).st_mtime_ns
    except OSError:
        return -1, -1


def _file_hash(path: str) -> str | None:
    """sha256 of a regular file's bytes (None for anything else: a FIFO must not block the run)."""
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _compare(item: InputFile, row: dict, fingerprint: str) -> str:
    """'same', 'touched' (new mtime, same bytes: the page's or its sidecar's) or 'changed'."""
    if (row["settings_hash"], row["pipeline_version"]) != (fingerprint, __version__):
        return "changed"
    meta = _compare_meta(item, row["meta_hash"] or "")
    if meta == "changed":
        return "changed"
    if row["reason"] == "unreadable" and item.size_bytes >= 0:
        return "changed"          # a page that was there but could not be read (permissions): retried every run
    size, mtime = _stat_key(item)
    if row["size_bytes"] != size or mtime < 0:
        return "changed"
    if row["mtime_ns"] == mtime:
        return meta
    if size >= 0 and row["content_hash"] and _file_hash(item.abs_path) == row["content_hash"]:
        return "touched"
    return "changed"


def plan_run(inputs: list[InputFile], manifest: list[dict], fingerprint: str, full: bool,
             lost_keys: set[str] = frozenset()) -> Plan:
    """Split inputs into unchanged (kept) and to-do; find the old rows that must go."""
    old = {row["source_path"]: row for row in manifest}
    by_path = {item.path: item for item in inputs}
    todo, keep, touched = [], {}, 0
    for item in inputs:
        row = old.get(item.path)
        state = "changed" if row is None or full or row["part"] in lost_keys else _compare(item, row, fingerprint)
        if state == "changed":
            todo.append(item)
        else:
            keep[item.path] = row if state == "same" else dict(row, mtime_ns=_stat_key(item)[1],
                                                               meta_hash=_meta_key(item))
            touched += state == "touched"
    leaving = {row["content_hash"] for path, row in old.items() if row["outcome"] == "article" and path not in keep}
    for path, row in list(keep.items()):         # the copies of a leaving article: the first takes over
        if row["outcome"] != "article" and row["content_hash"] in leaving:
            todo.append(by_path[path])
            del keep[path]
    articles = {path for path, row in old.items() if row["outcome"] == "article"}
    return Plan(todo=sorted(todo, key=lambda item: item.path), keep=list(keep.values()),
                gone=[row for path, row in old.items() if path not in keep], lost_keys=set(lost_keys),
                n_deleted=sum(1 for path in old if path not in by_path),
                n_touched=touched, known_articles=len(articles),
                deleted_articles=sum(1 for path in articles if path not in by_path))


def deletion_refusal(plan: Plan, n_inputs: int, raw: Path, settings: Settings) -> str | None:
    """Why this run must not go ahead without --allow-deletions, or None."""
    if settings.allow_deletions:
        return None
    if n_inputs == 0:
        return (f"no inputs found in {raw}; {plan.known_articles} known articles would be deleted; nothing was "
                f"changed (check the input folder, or pass --allow-deletions)")
    share = plan.deleted_articles / plan.known_articles if plan.known_articles else 0.0
    if share > settings.max_deleted_share:
        return (f"{plan.deleted_articles} of {plan.known_articles} known articles would be deleted "
                f"({share:.0%}, over --max-deleted-share {settings.max_deleted_share:.0%}); nothing was changed "
                f"(check the input folder, or pass --allow-deletions)")
    return None


# -- duplicates -------------------------------------------------------------------------------

def _duplicate_row(path: str, content_hash: str, first_path: str) -> dict:
    return {"source_path": path, "content_hash": content_hash, "reason": "duplicate",
            "detail": f"same bytes as {first_path}", "size_bytes": None,
            "pipeline_version": __version__, "schema_version": SCHEMA_VERSION}


def _as_duplicate(result: DocResult, first_path: str) -> DocResult:
    row = _duplicate_row(result.source_path, result.content_hash, first_path)
    return DocResult(result.source_path, result.content_hash, result.meta_hash, "duplicate", {"rejects": [row]})


class Dedupe:
    """One article per content, the first path in order: later copies become 'duplicate' rejects.

    Results arrive in path order; an earlier path than a kept article's takes its place, and the
    kept article (``taken_over``) becomes a duplicate in turn."""

    def __init__(self, kept: Iterable[dict]):
        self.first = {row["content_hash"]: row["source_path"] for row in kept if row["outcome"] == "article"}
        self.taken_over: set[str] = set()        # content hashes whose kept article lost its place

    def __call__(self, results: Iterable[DocResult]) -> Iterator[DocResult]:
        for result in results:
            if result.outcome == "article":
                first = self.first.get(result.content_hash)
                if first is None or result.source_path < first:
                    if first is not None:
                        self.taken_over.add(result.content_hash)
                    self.first[result.content_hash] = result.source_path
                else:
                    result = _as_duplicate(result, first)
            yield result


def _restate(plan: Plan, dedupe: Dedupe, part: str) -> tuple[list[dict], list[dict]]:
    """Kept inputs whose content now belongs to an earlier path: move them from ``keep`` to ``gone``
    and return their new reject rows and manifest rows."""
    rejects, manifest_rows, still = [], [], []
    for row in plan.keep:
        if row["content_hash"] in dedupe.taken_over and row["outcome"] in ("article", "duplicate"):
            plan.gone.append(row)
            first = dedupe.first[row["content_hash"]]
            rejects.append(_duplicate_row(row["source_path"], row["content_hash"], first))
            manifest_rows.append(dict(row, outcome="duplicate", reason="duplicate", part=part))
        else:
            still.append(row)
    plan.keep = still
    return rejects, manifest_rows


# -- writing ----------------------------------------------------------------------------------

def _manifest_row(item: InputFile, result: DocResult, part: str, fingerprint: str) -> dict:
    size, mtime = _stat_key(item)
    return {"source_path": item.path, "size_bytes": size, "mtime_ns": mtime,
            "content_hash": result.content_hash, "meta_hash": _meta_key(item), "outcome": result.outcome,
            "reason": result.rows["rejects"][0]["reason"] if result.outcome != "article" else None,
            "part": part, "pipeline_version": __version__, "settings_hash": fingerprint}


def _count(report: RunReport, result: DocResult) -> None:
    report.n_processed += 1
    if result.outcome == "duplicate":
        report.n_duplicates += 1
    elif result.outcome == "rejected":
        report.n_rejected += 1
        report.reasons[result.rows["rejects"][0]["reason"]] += 1


def _write_parts(store: Store, run_id: str, part: str, plan: Plan, dedupe: Dedupe, results: Iterator[DocResult],
                 fingerprint: str, report: RunReport, progress: Callable[[], None]) -> tuple[list[dict], list[PartWriter]]:
    by_path = {item.path: item for item in plan.todo}
    writers = {name: PartWriter(name, store.staging(run_id) / name / f"{part}.parquet") for name in ARTICLE_TABLES}
    manifest_rows: list[dict] = []
    batch: dict[str, list[dict]] = {name: [] for name in ARTICLE_TABLES}
    try:
        for i, result in enumerate(results, 1):
            manifest_rows.append(_manifest_row(by_path[result.source_path], result, part, fingerprint))
            _count(report, result)
            for name, rows in result.rows.items():
                batch[name].extend(rows)
            if i % 64 == 0:
                _flush(writers, batch)
            progress()
        rejects, restated = _restate(plan, dedupe, part)
        batch["rejects"].extend(rejects)
        manifest_rows += restated
        _flush(writers, batch)
    finally:
        for writer in writers.values():
            writer.close()
    return manifest_rows, list(writers.values())


def _flush(writers: dict[str, PartWriter], batch: dict[str, list[dict]]) -> None:
    for name, rows in batch.items():
        writers[name].write(rows)
        rows.clear()


def _without(table: pa.Table, article_ids: set[str]) -> pa.Table:
    import pyarrow.compute as pc

    if not article_ids:
        return table
    return table.filter(pc.invert(pc.is_in(table.column("article_id"), pa.array(sorted(article_ids)))))


def _stage_clusters(store: Store, run_id: str, staged_paths: dict[str, Path], plan: Plan, journal: Journal) -> None:
    """Event clusters are derived from all events: recomputed from the tables as they will be."""
    import pyarrow.parquet as pq

    def table(name: str, columns=None) -> pa.Table:
        old = _without(store.read(name, columns, skip=plan.lost_keys), plan.drop_ids)
        new = [pq.read_table(staged_paths[name], columns=columns)] if name in staged_paths else []
        return pa.concat_tables([old, *new])

    events = table("events")
    articles = table("articles", ["article_id", "publisher"])     # not the texts: this runs over the whole history
    publishers = dict(zip(articles.column("article_id").to_pylist(), articles.column("publisher").to_pylist()))
    store.stage_table(run_id, "event_clusters", cluster_events(events.to_pylist(), publishers),
                      "event_clusters/clusters.parquet", journal)


def _commit(store: Store, run_id: str, part: str, plan: Plan, writers: list[PartWriter],
            manifest_rows: list[dict], report: RunReport, clusters: bool) -> None:
    journal = Journal()
    renamed = store.stage_without(run_id, plan.drop_parts, plan.drop_ids, plan.drop_paths, journal)
    for key in sorted(plan.lost_keys):            # what is left of a damaged part's files goes whole
        journal.deletes += [f"{name}/{key}.parquet" for name in ARTICLE_TABLES]
    for writer in writers:
        report.rows_written[writer.name] = writer.rows
        journal.moves.append((store.rel(writer.path), f"{writer.name}/{part}.parquet"))
    if clusters:
        _stage_clusters(store, run_id, {w.name: w.path for w in writers}, plan, journal)
    keep = [dict(row, part=renamed.get(row["part"], row["part"])) for row in plan.keep]
    manifest = from_rows("manifest", sorted(keep + manifest_rows, key=lambda r: r["source_path"]))
    store.stage_table(run_id, "manifest", manifest, "_manifest.parquet", journal)
    store.commit(journal)


# -- checking the tables ----------------------------------------------------------------------

def _inspect(store: Store, run_id: str) -> tuple[list[dict], list[Damage], bool]:
    """The manifest rows and the damaged files. A damaged manifest is moved aside: every part is
    then dropped and every input processed again (``lost`` is True)."""
    if not (store.root / MANIFEST).exists():
        if not any(store.parts(name) for name in ARTICLE_TABLES):
            return [], [], False
        log.warning("the manifest %s is missing but table parts exist: every input is processed again", MANIFEST)
        return [], [Damage("manifest", MANIFEST, "missing")], True
    try:
        rows = store.read_manifest().to_pylist()
    except Exception as exc:
        problem = " ".join(str(exc).split())[:200]
        log.warning("the manifest %s is damaged (%s): moved to .damaged/%s/; every input is processed again",
                    MANIFEST, problem, run_id)
        store.quarantine(MANIFEST, run_id)
        return [], [Damage("manifest", MANIFEST, problem)], True
    return rows, store.check({row["part"] for row in rows if row["part"]}), False


def _lost_keys(store: Store, damage: list[Damage], manifest_lost: bool) -> set[str]:
    keys = {Path(d.file).stem for d in damage if d.table in ARTICLE_TABLES}
    if manifest_lost:             # nothing tells which inputs the parts hold: all of them go
        keys |= {p.stem for name in ARTICLE_TABLES for p in store.parts(name)}
    return keys


def _set_damage_aside(store: Store, run_id: str, damage: list[Damage], report: RunReport) -> None:
    for d in damage:
        if d.table == "manifest":
            report.repaired.append(str(d))
            continue
        if d.problem != "missing":
            store.quarantine(d.file, run_id)
        report.repaired.append(str(d))
        log.warning("damaged table file %s: %s; %s", d.file, d.problem,
                    "lost (run history cannot be rebuilt); moved aside" if d.table == "runs" else
                    f"moved to .damaged/{run_id}/ and rebuilt from its inputs")


# -- the run ----------------------------------------------------------------------------------

def _record_run(store: Store, report: RunReport, started: datetime, settings: Settings, fingerprint: str) -> None:
    row = {"run_id": report.run_id, "started_at": started, "ended_at": datetime.now(timezone.utc),
           "pipeline_version": __version__, "settings_hash": fingerprint, "engine": settings.engine,
           "workers": report.workers or settings.workers, "n_seen": report.n_seen, "n_skipped": report.n_skipped,
           "n_processed": report.n_processed, "n_rejected": report.n_rejected, "n_duplicates": report.n_duplicates,
           "n_deleted": report.n_deleted, "rows_written": list(report.rows_written.items()),
           "elapsed_s": report.elapsed_s, "exit_status": report.exit_status, "reason": report.reason or None}
    atomic_write_table("runs", from_rows("runs", [row]), store.table_dir("runs") / f"part-{report.run_id}.parquet")


def reject_reason(report: RunReport) -> str:
    """``12 of 20 processed inputs rejected (no_text 10, too_large 2)``; duplicates are not counted."""
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(report.reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    return (f"{report.n_rejected} of {report.n_processed - report.n_duplicates} processed inputs rejected "
            f"({reasons})")


def check_folders(raw: Path, processed: Path) -> None:
    if not raw.exists():
        raise UserError(f"input folder not found: {raw}")
    if not raw.is_dir():
        raise UserError(f"input folder is not a folder: {raw}")
    if processed.exists() and not processed.is_dir():
        raise UserError(f"output folder is a file: {processed}")
    if processed.resolve() == raw.resolve() or raw.resolve() in processed.resolve().parents:
        raise UserError(f"the output folder {processed} must not be inside the input folder {raw}")


def _run(store: Store, raw: Path, settings: Settings, report: RunReport,
         progress_factory: Callable[[int], Callable[[], None]] | None) -> str:
    if store.recover():
        log.info("finished an interrupted commit left by an earlier run")
    fingerprint = settings_hash(settings)
    known = store.read_known_exports()
    inputs = discover(raw, settings.follow_symlinks, dict(settings.export_columns), known)
    live = {item.record.file for item in inputs if item.record is not None}
    store.write_known_exports({rel: entry for rel, entry in known.items() if rel in live})
    manifest, damage, manifest_lost = _inspect(store, report.run_id)
    plan = plan_run(inputs, manifest, fingerprint, settings.full, _lost_keys(store, damage, manifest_lost))
    report.n_seen, report.n_skipped, report.n_deleted = len(inputs), len(plan.keep), plan.n_deleted
    report.workers = choose_workers(len(plan.todo), settings.workers)
    refusal = deletion_refusal(plan, len(inputs), raw, settings)
    if refusal:
        report.exit_status, report.reason = REFUSED, refusal
        return fingerprint
    _set_damage_aside(store, report.run_id, damage, report)
    log.info("%d inputs: %d unchanged, %d to process, %d deleted", len(inputs), len(plan.keep),
             len(plan.todo), plan.n_deleted)
    first = not (store.root / MANIFEST).exists()          # a first run writes every table, even empty
    clusters = first or plan.changes_tables() or any(d.table == "event_clusters" for d in damage)
    if clusters or plan.n_touched:
        part = f"part-{report.run_id}"
        writers, manifest_rows = [], []
        if plan.todo or first:
            dedupe = Dedupe(plan.keep)
            tick = progress_factory(len(plan.todo)) if progress_factory else (lambda: None)
            results = dedupe(run_documents(plan.todo, settings) if plan.todo else iter(()))
            manifest_rows, writers = _write_parts(store, report.run_id, part, plan, dedupe, results, fingerprint,
                                                  report, tick)
        _commit(store, report.run_id, part, plan, writers, manifest_rows, report, clusters)
        store.recover()           # clears the staging folder
    if report.repaired:
        report.reason = f"repaired {len(report.repaired)} damaged table files: " + "; ".join(report.repaired)
    share = report.n_rejected / (report.n_processed - report.n_duplicates) if report.n_rejected else 0.0
    if share > settings.reject_threshold:
        report.exit_status, report.reason = TOO_MANY_REJECTS, reject_reason(report)
    return fingerprint


def run_extract(raw: Path, processed: Path, settings: Settings = Settings(),
                progress_factory: Callable[[int], Callable[[], None]] | None = None) -> RunReport:
    """Process new and changed inputs of ``raw`` into the tables under ``processed``.

    Returns the report (``exit_status`` 0, 3 too many rejects, 4 refused); raises on failure,
    after recording the run in the ``runs`` table with its exit status and reason."""
    raw, processed = Path(raw), Path(processed)
    check_folders(raw, processed)
    started, clock = datetime.now(timezone.utc), time.monotonic()
    report = RunReport(new_run_id(started))
    store = Store(processed)
    processed.mkdir(parents=True, exist_ok=True)
    with RunLock(processed, wait=settings.wait_for_lock):
        fingerprint = settings_hash(settings)
        try:
            fingerprint = _run(store, raw, settings, report, progress_factory)
        except BaseException as exc:
            report.exit_status, report.reason = exit_of(exc)
            report.elapsed_s = time.monotonic() - clock
            try:
                _record_run(store, report, started, settings, fingerprint)
            except Exception as record_exc:       # a full disk may refuse this row too: say so, keep the cause
                log.error("could not record the failed run: %s", record_exc)
            raise
        report.elapsed_s = time.monotonic() - clock
        _record_run(store, report, started, settings, fingerprint)
    log.info(report.summary())
    return report
