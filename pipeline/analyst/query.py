"""``pipeline query``: DuckDB over the tables, one view per table named after it.

The connection is inert by default: extensions are never installed or loaded on their own, and
files can be read or written only inside the tables' folder (``allow_files`` lifts that); the
configuration is then locked, so SQL cannot undo it.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.schema import SCHEMAS

VIEWS = ("articles", "rejects", "events", "event_clusters", "officials", "organizations", "locations",
         "dates", "numbers", "runs")


def connect(processed: Path, allow_files: bool = False):
    """A DuckDB connection with a view per table (an empty view when a table has no parts yet)."""
    import duckdb

    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    for name in VIEWS:
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


def run_query(processed: Path, sql: str, allow_files: bool = False):
    """Run SQL over the tables and return a pandas DataFrame."""
    return connect(processed, allow_files).execute(sql).df()
