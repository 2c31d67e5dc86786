"""The output folder: Parquet datasets written atomically, a manifest, a commit journal.

Layout (under ``processed/``)::

    <table>/part-<run>.parquet   one part per run and table (articles, rejects, dates, ...)
    event_clusters/clusters.parquet, runs/part-<run>.parquet
    _manifest.parquet            what each input produced, and in which part
    _journal.json                present only while a commit is being applied
    .staging/<run>/              parts being written by a run in progress
    .damaged/<run>/              damaged files a run found and moved aside (kept for inspection)
    .lock, .commit.lock          OS locks: one run at a time; readers against commits (pipeline.locking)

A run writes its parts under ``.staging``; the commit writes a journal (atomically) that lists
the renames and deletions, applies them, replaces the manifest, and removes the journal. A run
killed before the journal exists leaves the tables as they were; one killed after it is rolled
forward by the next command that opens the folder. Every single file is written to a temporary
name, fsync'ed and renamed, so no reader ever sees half a file; readers hold the commit lock
shared (``Store.reading``), so none sees half a commit either. ``Store.check`` finds damaged part
files (missing, truncated, unreadable footer) so that a run rebuilds them instead of trusting them.
"""
from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.exits import Busy, one_line
from pipeline.schema import ARTICLE_TABLES, SCHEMAS, empty, from_rows, validate

from .locking import CommitLock, LockedError, RunLock

MANIFEST = "_manifest.parquet"
JOURNAL = "_journal.json"
STAGING = ".staging"
DAMAGED = ".damaged"
CLUSTERS = "event_clusters/clusters.parquet"
KNOWN_EXPORTS = ".exports.json"     # each export's records at the last run: an unchanged export is not read again
KNOWN_EXPORTS_FORMAT = 1
TABLES = ARTICLE_TABLES + ("event_clusters", "runs")


@dataclass(frozen=True)
class Damage:
    table: str
    file: str            # relative to the output folder
    problem: str

    def __str__(self) -> str:
        return f"{self.file} ({self.problem})"


def part_problem(path: Path) -> str | None:
    """Why a Parquet file cannot be trusted (missing, too short, bad magic, unreadable footer), or None."""
    try:
        size = path.stat().st_size
        if size < 12:
            return f"{size} bytes, too short for a Parquet file"
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head != b"PAR1":
            return "not a Parquet file (bad magic bytes)"
        pq.read_metadata(path)          # checks the footer's magic bytes and its length against the size
    except FileNotFoundError:
        return "missing"
    except Exception as exc:
        return f"unreadable: {one_line(str(exc))[:200]}"
    return None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def atomic_write_table(name: str, table: pa.Table, path: Path) -> None:
    """Validate against the schema module, then write to a temporary file and rename."""
    validate(name, table)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class PartWriter:
    """Streams one table's rows of a run into a staged Parquet file, a row group per batch."""

    def __init__(self, name: str, path: Path):
        self.name, self.path, self.rows = name, path, 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(path, SCHEMAS[name], compression="zstd")

    def write(self, rows: list[dict]) -> None:
        if rows:
            self._writer.write_table(validate(self.name, from_rows(self.name, rows)))
            self.rows += len(rows)

    def close(self) -> None:
        self._writer.close()
        with open(self.path, "rb+") as fh:
            os.fsync(fh.fileno())


@dataclass
class Journal:
    moves: list[tuple[str, str]] = field(default_factory=list)     # (staged, final), relative to root
    deletes: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps({"moves": self.moves, "deletes": self.deletes}, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Journal":
        raw = json.loads(data)
        return cls([tuple(m) for m in raw["moves"]], list(raw["deletes"]))


class Store:
    def __init__(self, root: Path):
        self.root = Path(root)

    # -- layout -------------------------------------------------------------------------
    def table_dir(self, name: str) -> Path:
        return self.root / name

    def parts(self, name: str) -> list[Path]:
        return sorted(self.table_dir(name).glob("*.parquet"))

    def staging(self, run_id: str) -> Path:
        return self.root / STAGING / run_id

    # -- reading ------------------------------------------------------------------------
    def read(self, name: str, columns: list[str] | None = None, skip: set[str] = frozenset()) -> pa.Table:
        """The whole table (or some columns) as one pyarrow Table; empty when nothing was written.
        ``skip``: part keys left out (parts being dropped)."""
        parts = [p for p in self.parts(name) if p.stem not in skip]
        if not parts:
            table = empty(name)
            return table.select(columns) if columns else table
        return pa.concat_tables([pq.read_table(p, schema=SCHEMAS[name], columns=columns) for p in parts])

    def read_known_exports(self) -> dict:
        """Export path -> its records as the last run found them ({} when there is no usable record of it)."""
        try:
            data = json.loads((self.root / KNOWN_EXPORTS).read_bytes())
        except (OSError, ValueError):
            return {}
        usable = (isinstance(data, dict) and data.get("format") == [KNOWN_EXPORTS_FORMAT, __version__]
                  and isinstance(data.get("exports"), dict))
        return data["exports"] if usable else {}

    def write_known_exports(self, exports: dict) -> None:
        path = self.root / KNOWN_EXPORTS
        data = json.dumps({"format": [KNOWN_EXPORTS_FORMAT, __version__], "exports": exports},
                          ensure_ascii=False, sort_keys=True).encode("utf-8")
        try:
            if path.read_bytes() == data:
                return
        except OSError:
            if not exports:
                return
        atomic_write_bytes(path, data)

    def read_manifest(self) -> pa.Table:
        path = self.root / MANIFEST
        return pq.read_table(path, schema=SCHEMAS["manifest"]) if path.exists() else empty("manifest")

    # -- checking -----------------------------------------------------------------------
    def check(self, part_keys: set[str]) -> list[Damage]:
        """Every table file that cannot be trusted: unreadable files, and the files of the manifest's
        part keys (every article table has one per key) that are missing."""
        found: list[Damage] = []
        for name in TABLES:
            for path in self.parts(name):
                problem = part_problem(path)
                if problem:
                    found.append(Damage(name, self.rel(path), problem))
            if name in ARTICLE_TABLES:
                found += [Damage(name, f"{name}/{key}.parquet", "missing") for key in sorted(part_keys)
                          if not (self.table_dir(name) / f"{key}.parquet").exists()]
        if part_keys and not (self.root / CLUSTERS).exists():
            found.append(Damage("event_clusters", CLUSTERS, "missing"))
        return found

    def quarantine(self, rel: str, run_id: str) -> None:
        """Move a damaged file aside, under .damaged/<run>/, where it stays for inspection."""
        src = self.root / rel
        if src.exists():
            dst = self.root / DAMAGED / run_id / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
            _fsync_dir(src.parent)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Read whole commits only: hold the commit lock shared (a commit holds it exclusively, so
        a journal seen under it was left by a dead run); finish such a commit first, under the run
        lock, or refuse while a running job holds that lock and will finish it itself."""
        with CommitLock(self.root, shared=True):
            pending = (self.root / JOURNAL).exists()
        if pending:
            try:
                with RunLock(self.root):
                    self.recover()
            except LockedError as exc:
                raise Busy(f"a commit is pending in {self.root} and the running job (pid {exc.pid or '?'}) "
                           f"will finish it; try again in a moment") from None
        with CommitLock(self.root, shared=True):
            yield

    # -- committing ---------------------------------------------------------------------
    def recover(self) -> bool:
        """Finish a commit that was interrupted after its journal was written; clear stale staging."""
        journal_path = self.root / JOURNAL
        recovered = False
        if journal_path.exists():
            with CommitLock(self.root, shared=False):
                self._apply(Journal.from_json(journal_path.read_bytes()))
            recovered = True
        shutil.rmtree(self.root / STAGING, ignore_errors=True)
        for tmp in self.root.rglob(".*.tmp-*"):
            tmp.unlink(missing_ok=True)
        return recovered

    def commit(self, journal: Journal) -> None:
        with CommitLock(self.root, shared=False):
            atomic_write_bytes(self.root / JOURNAL, journal.to_json())
            self._apply(journal)

    def _apply(self, journal: Journal) -> None:
        for staged, final in journal.moves:
            src, dst = self.root / staged, self.root / final
            if src.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
                _fsync_dir(dst.parent)
        for rel in journal.deletes:
            (self.root / rel).unlink(missing_ok=True)
        (self.root / JOURNAL).unlink(missing_ok=True)
        _fsync_dir(self.root)

    def stage_without(self, run_id: str, parts: set[str], article_ids: set[str], paths: set[str],
                      journal: Journal) -> dict[str, str]:
        """Rewrite the given part files of every article table without the given inputs' rows
        (articles and their mentions by article id, rejects by source path).

        Returns {old part key: new part key}; the moves and deletions go into the journal.
        """
        renamed: dict[str, str] = {}
        ids = pa.array(sorted(article_ids), pa.string())
        path_values = pa.array(sorted(paths), pa.string())
        for key in sorted(parts):
            new_key = f"{key.split('~')[0]}~{run_id}"
            renamed[key] = new_key
            for name in ARTICLE_TABLES:
                old = self.table_dir(name) / f"{key}.parquet"
                if not old.exists():
                    continue
                table = pq.read_table(old, schema=SCHEMAS[name])
                column, values = ("source_path", path_values) if name == "rejects" else ("article_id", ids)
                keep = table.filter(pc.invert(pc.is_in(table.column(column), values)))
                staged = self.staging(run_id) / name / f"{new_key}.parquet"
                atomic_write_table(name, keep, staged)
                journal.moves.append((self.rel(staged), f"{name}/{new_key}.parquet"))
                journal.deletes.append(f"{name}/{key}.parquet")
        return renamed

    def rel(self, path: Path) -> str:
        """A path inside the output folder, relative to it (as journals record them)."""
        return path.relative_to(self.root).as_posix()

    def stage_table(self, run_id: str, name: str, table: pa.Table, final: str, journal: Journal) -> None:
        staged = self.staging(run_id) / final
        atomic_write_table(name, table, staged)
        journal.moves.append((self.rel(staged), final))
