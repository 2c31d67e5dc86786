"""``pipeline query``: DuckDB over the tables, one view per table named after it.

The connection is inert by default: extensions are never installed or loaded on their own, and
files can be read or written only inside the tables' folder (``allow_files`` lifts that); the
configuration is then locked, so SQL cannot undo it.
"""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.batch.storage import MANIFEST, Store, part_problem
from pipeline.exits import Damaged, UserError, one_line
from pipeline.schema import SCHEMAS

VIEWS = ("articles", "rejects", "events", "event_clusters", "officials", "organizations", "locations",
         "dates", "numbers", "runs")


def check_folder(processed: Path) -> None:
    """A clear error for a missing folder or one without tables (a typo must not read as 'no rows')."""
    processed = Path(processed)
    if not processed.is_dir():
        raise UserError(f"no output folder at {processed} (looked for the tables written by pipeline extract)")
    if not (processed / MANIFEST).exists() and not any((processed / name).is_dir() for name in VIEWS):
        raise UserError(f"no tables in {processed}: looked for {MANIFEST} and the folders "
                        f"{', '.join(VIEWS)}; run pipeline extract RAW {processed} first")


def damaged_tables(processed: Path) -> dict[str, str]:
    """{table: what is wrong} for the tables with a part file that cannot be read."""
    found = {}
    for name in VIEWS:
        bad = [f"{path.name} ({problem})" for path in sorted((Path(processed) / name).glob("*.parquet"))
               if (problem := part_problem(path))]
        if bad:
            found[name] = "; ".join(bad)
    return found


def connect(processed: Path, allow_files: bool = False, damaged: dict[str, str] | None = None):
    """A DuckDB connection with a view per table (an empty view when a table has no parts yet);
    a damaged table gets no view, so that only the queries that use it fail."""
    import duckdb

    damaged = damaged_tables(processed) if damaged is None else damaged
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    for name in VIEWS:
        if name in damaged:
            continue
        folder = Path(processed) / name
        if any(folder.glob("*.parquet")):
            glob = (folder / "*.parquet").as_posix().replace("'", "''")
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{glob}', union_by_name=true)")
        else:
            con.register(f"_{name}_empty", SCHEMAS[name].empty_table())
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM _{name}_empty")
    if not allow_files:
        confine(con, Path(processed))
    return con


def confine(con, folder: Path) -> None:
    """Files only inside ``folder``; no other external access; no more SET of these (DuckDB ≥ 1.2)."""
    root = str(folder.resolve()).rstrip("/").replace("'", "''") + "/"
    con.execute(f"SET allowed_directories = ['{root}']")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def execute(con, sql: str, damaged: dict[str, str]):
    """Run SQL and return a pandas DataFrame; errors become one sentence (Damaged or UserError)."""
    import duckdb

    try:
        return con.execute(sql).df()
    except duckdb.Error as exc:
        named = [name for name in damaged if re.search(rf"\b{name}\b", sql, re.IGNORECASE)]
        if named:
            raise Damaged("; ".join(f"table {name} is damaged: {damaged[name]}" for name in named)
                          + "; run pipeline extract to rebuild it") from None
        raise UserError(f"SQL error: {one_line(str(exc))}") from None


def run_query(processed: Path, sql: str, allow_files: bool = False):
    """Run SQL over the tables (whole commits only) and return a pandas DataFrame."""
    check_folder(processed)
    with Store(processed).reading():
        damaged = damaged_tables(processed)
        return execute(connect(processed, allow_files, damaged), sql, damaged)
