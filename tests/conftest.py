"""Shared fixtures: the sample corpus run once through the whole pipeline, read back from Parquet."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
GOLD = ROOT / "tests" / "gold" / "seeds.json"
CORPUS = ROOT / "tests" / "corpus"
TABLES = ("articles", "rejects", "dates", "numbers", "officials", "organizations", "locations", "events",
          "event_clusters")


def sample_inputs() -> list[str]:
    """The source_path of every input in raw/: each page, and each record of the export there."""
    from pipeline.ingest.reading import discover
    return [item.path for item in discover(RAW)]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Path:
    """The samples (five pages, one small export) processed once into a fresh output folder (1 worker, local engine)."""
    from pipeline.batch.runner import run_extract
    from pipeline.settings import Settings

    work = tmp_path_factory.mktemp("samples")
    raw = work / "raw"
    shutil.copytree(RAW, raw)
    out = work / "processed"
    report = run_extract(raw, out, Settings(workers=1, quiet=True))
    assert report.exit_status == 0, report.summary()
    return out


@pytest.fixture(scope="session")
def sample_tables(sample_run) -> dict[str, pd.DataFrame]:
    """Every table read back from its Parquet files with pandas."""
    return {name: pd.read_parquet(sample_run / name) for name in TABLES}


@pytest.fixture(scope="session")
def sample_views(sample_run):
    import pyarrow.dataset as ds

    from pipeline.quality.gold import org_aliases, views_from_tables

    tables = {name: ds.dataset(sample_run / name, format="parquet").to_table().to_pylist() for name in TABLES}
    return views_from_tables(tables, org_aliases()), tables["event_clusters"]
