"""``pipeline query``: DuckDB over the tables, one view per table named after it."""
from __future__ import annotations

from pathlib import Path

from pipeline.schema import SCHEMAS

VIEWS = ("articles", "rejects", "events", "event_clusters", "officials", "organizations", "locations",
         "dates", "numbers", "runs")


def connect(processed: Path):
    """A DuckDB connection with a view per table (an empty view when a table has no parts yet)."""
    import duckdb

    con = duckdb.connect()
    for name in VIEWS:
        folder = Path(processed) / name
        if any(folder.glob("*.parquet")):
            glob = (folder / "*.parquet").as_posix().replace("'", "''")
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{glob}', union_by_name=true)")
        else:
            con.register(f"_{name}_empty", SCHEMAS[name].empty_table())
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM _{name}_empty")
    return con


def run_query(processed: Path, sql: str):
    """Run SQL over the tables and return a pandas DataFrame."""
    return connect(processed).execute(sql).df()
