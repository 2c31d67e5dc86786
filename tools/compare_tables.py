"""Compare two processed/ folders table by table (rows, not file bytes): `python tools/compare_tables.py A B`.

Run-specific columns (the runs table, timestamps) are left out; rows are compared order-independently.
Exit 0 when every table holds the same rows, 1 otherwise (the differing tables are named).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

SKIP_TABLES = {"runs"}


def _canonical(table: pa.Table) -> list[str]:
    return sorted(map(repr, table.to_pylist()))


def compare(a: Path, b: Path) -> list[str]:
    names = {p.name for p in a.iterdir() if p.is_dir() and not p.name.startswith(".")}
    names |= {p.name for p in b.iterdir() if p.is_dir() and not p.name.startswith(".")}
    differing = []
    for name in sorted(names - SKIP_TABLES - {"report"}):
        ta, tb = ds.dataset(a / name).to_table(), ds.dataset(b / name).to_table()
        same = ta.schema == tb.schema and _canonical(ta) == _canonical(tb)
        print(f"{name:15} {ta.num_rows:6} rows vs {tb.num_rows:6}  {'same' if same else 'DIFFERENT'}")
        if not same:
            differing.append(name)
    return differing


if __name__ == "__main__":
    sys.exit(1 if compare(Path(sys.argv[1]), Path(sys.argv[2])) else 0)
