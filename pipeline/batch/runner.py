"""The batch job: what to process, in which engine, and committing the results.

``run_extract(raw, processed, settings)`` is the Python API behind ``pipeline extract``.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyarrow as pa

from pipeline import __version__
from .engines import run_documents
from pipeline.events import cluster_events
from pipeline.document import DocResult
from .locking import RunLock
from pipeline.ingest.reading import InputFile, discover
from pipeline.schema import ARTICLE_TABLES, SCHEMA_VERSION, from_rows
from pipeline.settings import Settings, settings_hash
from .storage import Journal, PartWriter, Store

log = logging.getLogger("pipeline")

EXIT_OK, EXIT_FAILED, EXIT_TOO_MANY_REJECTS, EXIT_LOCKED = 0, 1, 3, 75


@dataclass
class RunReport:
    run_id: str
    n_seen: int = 0
    n_skipped: int = 0
    n_processed: int = 0
    n_rejected: int = 0
    n_deleted: int = 0
    rows_written: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0
    exit_status: int = EXIT_OK

    def summary(self) -> str:
        rows = ", ".join(f"{k}={v}" for k, v in sorted(self.rows_written.items()) if v)
        return (f"run {self.run_id}: {self.n_seen} inputs, {self.n_skipped} unchanged, {self.n_processed} processed "
                f"({self.n_rejected} rejected), {self.n_deleted} deleted; rows: {rows or 'none'}; "
                f"{self.elapsed_s:.1f}s")


@dataclass(frozen=True)
class Plan:
    todo: list[InputFile]
    keep: pa.Table                  # manifest rows that stay as they are
    drop_parts: set[str]            # parts holding rows of changed or deleted inputs
    drop_ids: set[str]
    drop_paths: set[str]
    n_deleted: int


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ") + f"-{os.getpid()}"


def _unchanged(item: InputFile, row: dict, fingerprint: str) -> bool:
    return (row["size_bytes"] == item.size_bytes and row["mtime_ns"] == item.mtime_ns
            and row["settings_hash"] == fingerprint and row["pipeline_version"] == __version__
            and item.size_bytes >= 0 and row["meta_hash"] == _meta_key(item))


def _meta_key(item: InputFile) -> str:
    return "" if item.meta_size < 0 else f"{item.meta_size}:{item.meta_mtime_ns}"


def plan_run(inputs: list[InputFile], manifest: pa.Table, fingerprint: str, full: bool) -> Plan:
    """Split inputs into unchanged (skipped) and to-do; find the old rows that must go."""
    old = {row["source_path"]: row for row in manifest.to_pylist()}
    todo, keep = [], []
    for item in inputs:
        row = old.get(item.path)
        if row is not None and not full and _unchanged(item, row, fingerprint):
            keep.append(row)
        else:
            todo.append(item)
    kept_paths = {row["source_path"] for row in keep}
    gone = [row for path, row in old.items() if path not in kept_paths]
    present = {item.path for item in inputs}
    return Plan(
        todo=todo,
        keep=from_rows("manifest", keep),
        drop_parts={row["part"] for row in gone},
        drop_ids={row["content_hash"] for row in gone if row["outcome"] == "article" and row["content_hash"]},
        drop_paths={row["source_path"] for row in gone},
        n_deleted=sum(1 for path in old if path not in present),
    )


def _as_duplicate(result: DocResult, first_path: str) -> DocResult:
    row = {"source_path": result.source_path, "content_hash": result.content_hash, "reason": "duplicate",
           "detail": f"same bytes as {first_path}", "size_bytes": None,
           "pipeline_version": __version__, "schema_version": SCHEMA_VERSION}
    return DocResult(result.source_path, result.content_hash, result.meta_hash, "rejected", {"rejects": [row]})


def dedupe(results: Iterable[DocResult], seen: dict[str, str]) -> Iterator[DocResult]:
    """One article per content: later copies of the same bytes become 'duplicate' rejects."""
    for result in results:
        if result.outcome == "article":
            if result.content_hash in seen:
                result = _as_duplicate(result, seen[result.content_hash])
            else:
                seen[result.content_hash] = result.source_path
        yield result


def _manifest_row(item: InputFile, result: DocResult, part: str, fingerprint: str) -> dict:
    return {"source_path": item.path, "size_bytes": item.size_bytes, "mtime_ns": item.mtime_ns,
            "content_hash": result.content_hash, "meta_hash": _meta_key(item), "outcome": result.outcome,
            "part": part, "pipeline_version": __version__, "settings_hash": fingerprint}


def _write_parts(store: Store, run_id: str, part: str, plan: Plan, results: Iterator[DocResult],
                 fingerprint: str, report: RunReport, progress: Callable[[], None]) -> tuple[list[dict], list[PartWriter]]:
    by_path = {item.path: item for item in plan.todo}
    writers = {name: PartWriter(name, store.staging(run_id) / name / f"{part}.parquet") for name in ARTICLE_TABLES}
    manifest_rows: list[dict] = []
    batch: dict[str, list[dict]] = {name: [] for name in ARTICLE_TABLES}
    try:
        for i, result in enumerate(results, 1):
            manifest_rows.append(_manifest_row(by_path[result.source_path], result, part, fingerprint))
            report.n_processed += 1
            report.n_rejected += result.outcome == "rejected"
            for name, rows in result.rows.items():
                batch[name].extend(rows)
            if i % 64 == 0:
                _flush(writers, batch)
            progress()
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


def _stage_clusters(store: Store, run_id: str, part: str, plan: Plan, journal: Journal) -> None:
    """Event clusters are derived from all events: recomputed from the tables as they will be."""
    import pyarrow.parquet as pq

    staged = lambda name, columns=None: pq.read_table(store.staging(run_id) / name / f"{part}.parquet",
                                                      columns=columns)
    events = pa.concat_tables([_without(store.read("events"), plan.drop_ids), staged("events")])
    who = ["article_id", "publisher"]              # not the texts: this runs over the whole history
    articles = pa.concat_tables([_without(store.read("articles", who), plan.drop_ids), staged("articles", who)])
    publishers = dict(zip(articles.column("article_id").to_pylist(), articles.column("publisher").to_pylist()))
    store.stage_table(run_id, "event_clusters", cluster_events(events.to_pylist(), publishers),
                      "event_clusters/clusters.parquet", journal)


def _commit(store: Store, run_id: str, part: str, plan: Plan, writers: list[PartWriter],
            manifest_rows: list[dict], report: RunReport) -> None:
    journal = Journal()
    renamed = store.stage_without(run_id, plan.drop_parts, plan.drop_ids, plan.drop_paths, journal)
    for writer in writers:
        report.rows_written[writer.name] = writer.rows
        journal.moves.append((store.rel(writer.path), f"{writer.name}/{part}.parquet"))
    _stage_clusters(store, run_id, part, plan, journal)
    keep = [dict(row, part=renamed.get(row["part"], row["part"])) for row in plan.keep.to_pylist()]
    manifest = from_rows("manifest", sorted(keep + manifest_rows, key=lambda r: r["source_path"]))
    store.stage_table(run_id, "manifest", manifest, "_manifest.parquet", journal)
    store.commit(journal)


def _record_run(store: Store, report: RunReport, started: datetime, settings: Settings, fingerprint: str) -> None:
    from .storage import atomic_write_table

    row = {"run_id": report.run_id, "started_at": started, "ended_at": datetime.now(timezone.utc),
           "pipeline_version": __version__, "settings_hash": fingerprint, "engine": settings.engine,
           "workers": settings.workers, "n_seen": report.n_seen, "n_skipped": report.n_skipped,
           "n_processed": report.n_processed, "n_rejected": report.n_rejected, "n_deleted": report.n_deleted,
           "rows_written": list(report.rows_written.items()), "elapsed_s": report.elapsed_s,
           "exit_status": report.exit_status}
    atomic_write_table("runs", from_rows("runs", [row]), store.table_dir("runs") / f"part-{report.run_id}.parquet")


def run_extract(raw: Path, processed: Path, settings: Settings = Settings(),
                progress_factory: Callable[[int], Callable[[], None]] | None = None) -> RunReport:
    """Process new and changed inputs of ``raw`` into the tables under ``processed``."""
    raw, processed = Path(raw), Path(processed)
    if not raw.is_dir():
        raise FileNotFoundError(f"input folder not found: {raw}")
    started, clock = datetime.now(timezone.utc), time.monotonic()
    report = RunReport(new_run_id(started))
    store = Store(processed)
    processed.mkdir(parents=True, exist_ok=True)
    with RunLock(processed, wait=settings.wait_for_lock):
        if store.recover():
            log.info("finished an interrupted commit left by an earlier run")
        fingerprint = settings_hash(settings)
        inputs = discover(raw, settings.follow_symlinks)
        plan = plan_run(inputs, store.read_manifest(), fingerprint, settings.full)
        report.n_seen, report.n_skipped, report.n_deleted = len(inputs), plan.keep.num_rows, plan.n_deleted
        log.info("%d inputs: %d unchanged, %d to process, %d deleted", len(inputs), plan.keep.num_rows,
                 len(plan.todo), plan.n_deleted)
        if plan.todo or plan.n_deleted or plan.drop_parts:
            part = f"part-{report.run_id}"
            seen = {row["content_hash"]: row["source_path"] for row in plan.keep.to_pylist() if row["outcome"] == "article"}
            tick = progress_factory(len(plan.todo)) if progress_factory else (lambda: None)
            results = dedupe(run_documents(plan.todo, settings), seen)
            manifest_rows, writers = _write_parts(store, report.run_id, part, plan, results, fingerprint, report, tick)
            _commit(store, report.run_id, part, plan, writers, manifest_rows, report)
            store.recover()           # clears the staging folder
        report.elapsed_s = time.monotonic() - clock
        share = report.n_rejected / report.n_processed if report.n_processed else 0.0
        if share > settings.reject_threshold:
            report.exit_status = EXIT_TOO_MANY_REJECTS
        _record_run(store, report, started, settings, fingerprint)
    log.info(report.summary())
    return report
