"""The tables on disk: real Parquet read back with pandas, pyarrow and DuckDB, schemas as declared."""
from __future__ import annotations

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from conftest import RAW, TABLES, sample_inputs
from pipeline.schema import SCHEMAS, ValidationError, from_rows, validate


@pytest.mark.parametrize("name", TABLES)
def test_schema_on_disk_matches_schema_module(sample_run, name):
    parts = sorted((sample_run / name).glob("*.parquet"))
    assert parts, f"no part files for {name}"
    for part in parts:
        assert pq.read_schema(part).equals(SCHEMAS[name], check_metadata=False)


def test_articles_read_back_with_pandas_pyarrow_and_duckdb(sample_run, sample_tables):
    articles = sample_tables["articles"]
    assert len(articles) == len(sample_inputs())
    assert articles["article_id"].is_unique
    assert str(ds.dataset(sample_run / "articles").schema.field("reference_date").type) == "date32[day]"
    con = duckdb.connect()
    glob = (sample_run / "articles" / "*.parquet").as_posix()
    n, n_dated = con.execute(f"SELECT count(*), count(reference_date) FROM read_parquet('{glob}')").fetchone()
    assert n == len(articles)
    assert n_dated == articles["reference_date"].notna().sum() == 4 + 3   # 4 of the 5 pages, the 3 export records
    kind = con.execute(f"SELECT typeof(reference_date) FROM read_parquet('{glob}') LIMIT 1").fetchone()[0]
    assert kind == "DATE"


def test_every_input_in_exactly_one_table(sample_tables):
    paths = list(sample_tables["articles"]["source_path"]) + list(sample_tables["rejects"]["source_path"])
    assert sorted(paths) == sorted(sample_inputs())
    assert any("#id=" in p for p in paths) and all("#" in p or (RAW / p).is_file() for p in paths)


def test_article_ids_are_sha256_of_raw_bytes(sample_tables):
    import hashlib
    for row in sample_tables["articles"].itertuples():
        if "#" in row.source_path:           # an export's record: a digest of its fields (tests/test_exports.py)
            continue
        assert row.article_id == hashlib.sha256((RAW / row.source_path).read_bytes()).hexdigest()


def test_mention_offsets_point_into_clean_text(sample_tables):
    texts = dict(zip(sample_tables["articles"]["article_id"], sample_tables["articles"]["text"]))
    for name in ("dates", "numbers", "organizations", "officials", "locations"):
        table = sample_tables[name]
        assert len(table) > 0, name
        for row in table.itertuples():
            assert texts[row.article_id][row.start:row.end] == row.text, (name, row.text)


def test_removed_lines_are_auditable(sample_tables):
    removed = {r["rule"] for rs in sample_tables["articles"]["removed"] for r in rs}
    assert {"menu.skip_link", "headline_list.header", "weather.city_temperature", "promo.donate"} & removed
    assert all(len(r["line"]) > 0 for rs in sample_tables["articles"]["removed"] for r in rs)


def test_bylines_become_authors_not_text(sample_tables):
    row = sample_tables["articles"].set_index("source_path").loc["000_f24c5ef67f1ed737.txt"]
    assert "이정현" in list(row["authors"]) and "이정현 기자" not in row["text"]


def test_validation_names_table_column_and_row():
    table = from_rows("dates", [{"article_id": "a", "start": 0, "end": 2, "grain": "day"},
                                {"article_id": "a", "start": 0, "end": 2, "grain": "fortnight"}])
    with pytest.raises(ValidationError, match=r"'dates', column 'grain', row 1"):
        validate("dates", table)
