"""``pipeline compact``: merge each table's part files into one, atomically (journal + renames)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyarrow.compute as pc

from pipeline.exits import Damaged
from .locking import RunLock
from pipeline.schema import ARTICLE_TABLES
from .storage import Journal, Store


def compact(processed: Path) -> dict[str, int]:
    """Returns {table: number of parts merged}. Rows and their order are unchanged."""
    store = Store(Path(processed))
    merged: dict[str, int] = {}
    with RunLock(store.root):
        store.recover()
        damaged = store.check(set())
        if damaged:
            raise Damaged("damaged tables, run pipeline extract to rebuild them before compacting: "
                          + "; ".join(str(d) for d in damaged))
        run_id = "compact-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        key = f"part-{run_id}"
        journal = Journal()
        for name in ARTICLE_TABLES + ("runs",):
            parts = store.parts(name)
            if len(parts) <= 1:
                continue
            store.stage_table(run_id, name, store.read(name), f"{name}/{key}.parquet", journal)
            journal.deletes.extend(store.rel(p) for p in parts)
            merged[name] = len(parts)
        if not merged:
            return merged
        manifest = store.read_manifest()
        if manifest.num_rows:
            manifest = manifest.set_column(manifest.schema.get_field_index("part"), "part",
                                           pc.cast(pc.if_else(pc.is_valid(manifest.column("part")), key, None),
                                                   manifest.schema.field("part").type))
            store.stage_table(run_id, "manifest", manifest, "_manifest.parquet", journal)
        store.commit(journal)
        store.recover()
    return merged
