"""Every table the pipeline writes: pyarrow schemas and value rules, in one place.

``validate(name, table)`` runs on every write: the schema must match exactly and the value
rules must hold; a failure names the table, the column and the first bad row.
"""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

SCHEMA_VERSION = 2                 # 2: articles.body_source

_str, _i32, _i64, _f64, _date, _bool = pa.string(), pa.int32(), pa.int64(), pa.float64(), pa.date32(), pa.bool_()
_ts = pa.timestamp("us", tz="UTC")


def _fields(*pairs) -> list[pa.Field]:
    return [pa.field(name, typ) for name, typ in pairs]


_SPAN = (("article_id", _str), ("sentence_index", _i32), ("start", _i32), ("end", _i32), ("text", _str))

PARAGRAPH = pa.struct(_fields(("text", _str), ("start", _i32), ("end", _i32), ("is_caption", _bool)))
REMOVED = pa.struct(_fields(("line", _str), ("rule", _str), ("category", _str)))
COUNT = pa.struct(_fields(("value", _f64), ("counted", _str), ("role", _str), ("qualifier", _str),
                          ("number_start", _i32), ("number_end", _i32), ("text", _str)))
EVIDENCE = pa.struct(_fields(("text", _str), ("start", _i32), ("end", _i32)))
CLUSTER_COUNT = pa.struct(_fields(("value", _f64), ("counted", _str), ("role", _str), ("qualifier", _str),
                                  ("article_ids", pa.list_(_str)), ("evidence", pa.list_(_str))))
CONFLICT = pa.struct(_fields(("field", _str), ("counted", _str), ("values", pa.list_(_str)),
                             ("evidence", pa.list_(_str))))

SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema(_fields(
        ("article_id", _str), ("source_path", _str), ("url", _str), ("publisher", _str),
        ("authors", pa.list_(_str)), ("title", _str), ("reference_date", _date), ("reference_source", _str),
        ("text", _str), ("body_source", _str), ("paragraphs", pa.list_(PARAGRAPH)), ("removed", pa.list_(REMOVED)),
        ("n_chars_raw", _i64), ("n_chars_clean", _i64), ("lang", _str), ("encoding", _str),
        ("pipeline_version", _str), ("schema_version", pa.int16()))),
    "rejects": pa.schema(_fields(
        ("source_path", _str), ("content_hash", _str), ("reason", _str), ("detail", _str),
        ("size_bytes", _i64), ("pipeline_version", _str), ("schema_version", pa.int16()))),
    "dates": pa.schema(_fields(*_SPAN,
        ("date_start", _date), ("date_end", _date), ("grain", _str), ("resolution", _str),
        ("timex", _str), ("rule", _str))),
    "numbers": pa.schema(_fields(*_SPAN,
        ("value", _f64), ("value_max", _f64), ("kind", _str), ("unit", _str), ("counted", _str), ("counted_noun", _str),
        ("qualifier", _str), ("rule", _str))),
    "officials": pa.schema(_fields(*_SPAN,
        ("name_start", _i32), ("name_end", _i32), ("name", _str), ("name_latin", _str), ("title", _str),
        ("organization", _str), ("country", _str), ("role", _str), ("person_id", _str), ("rule", _str),
        ("former", pa.bool_()))),
    "organizations": pa.schema(_fields(*_SPAN,
        ("canonical", _str), ("abbreviation", _str), ("org_type", _str), ("country", _str), ("rule", _str))),
    "locations": pa.schema(_fields(*_SPAN, ("kind", _str), ("rule", _str))),
    "events": pa.schema(_fields(
        ("event_id", _str), ("article_id", _str), ("type", _str), ("name", _str), ("name_en", _str),
        ("date_start", _date), ("date_end", _date), ("date_grain", _str), ("location", _str),
        ("counts", pa.list_(COUNT)),
        ("officials", pa.list_(_str)), ("organizations", pa.list_(_str)), ("parent_event_id", _str),
        ("evidence", pa.list_(EVIDENCE)), ("confidence", _f64), ("rule", _str))),
    "event_clusters": pa.schema(_fields(
        ("cluster_id", _str), ("type", _str), ("name", _str), ("names", pa.list_(_str)),
        ("date_start", _date), ("date_end", _date), ("date_grain", _str), ("location", _str),
        ("article_ids", pa.list_(_str)),
        ("event_ids", pa.list_(_str)), ("n_articles", _i32), ("n_sources", _i32),
        ("counts", pa.list_(CLUSTER_COUNT)), ("conflicts", pa.list_(CONFLICT)))),
    "runs": pa.schema(_fields(
        ("run_id", _str), ("started_at", _ts), ("ended_at", _ts), ("pipeline_version", _str),
        ("settings_hash", _str), ("engine", _str), ("workers", _i32), ("n_seen", _i64), ("n_skipped", _i64),
        ("n_processed", _i64), ("n_rejected", _i64), ("n_duplicates", _i64), ("n_deleted", _i64),
        ("rows_written", pa.map_(_str, _i64)), ("elapsed_s", _f64), ("exit_status", _i32), ("reason", _str))),
    "manifest": pa.schema(_fields(
        ("source_path", _str), ("size_bytes", _i64), ("mtime_ns", _i64), ("content_hash", _str),
        ("meta_hash", _str), ("outcome", _str), ("reason", _str), ("part", _str), ("pipeline_version", _str),
        ("settings_hash", _str))),
}

# Tables of per-article rows (replaced when their article changes), in writing order.
ARTICLE_TABLES = ("articles", "rejects", "dates", "numbers", "officials", "organizations", "locations", "events")

GRAINS = frozenset({"day", "week", "month", "quarter", "half", "year", "decade", "century"})
ENUMS: dict[tuple[str, str], frozenset] = {
    ("dates", "grain"): GRAINS,
    ("events", "date_grain"): GRAINS,
    ("event_clusters", "date_grain"): GRAINS,
    ("dates", "resolution"): frozenset({"absolute", "relative_to_reference", "relative_to_previous_date", "unresolved"}),
    ("numbers", "kind"): frozenset({"count", "money", "percent", "ordinal", "duration", "measure", "other",
                                    "numeral", "time"}),
    ("numbers", "counted"): frozenset({"country", "organization", "person", "other"}),
    ("numbers", "qualifier"): frozenset({"exact", "approx", "at_least", "more_than", "at_most", "less_than"}),
    ("officials", "role"): frozenset({"government", "corporate", "academic", "other"}),
    ("organizations", "org_type"): frozenset({"government", "international", "company", "research", "university",
                                             "media", "civil_society", "other"}),
    ("events", "type"): frozenset({"summit", "meeting", "forum", "declaration", "pledge", "agreement", "launch",
                                  "visit", "other"}),
    ("articles", "reference_source"): frozenset({"metadata", "dateline", "body", "page_header"}),
    ("articles", "body_source"): frozenset({"trafilatura", "json_ld", "script_json", "text"}),
    ("manifest", "outcome"): frozenset({"article", "rejected", "duplicate"}),
    ("rejects", "reason"): frozenset({"empty", "binary", "undecodable", "too_large", "unreadable", "not_a_file",
                                      "outside_input", "unsupported_type", "no_text", "clean_failed",
                                      "extract_failed", "duplicate", "bad_metadata", "timeout",
                                      "worker_died"}),
}
NOT_NULL = {name: ("article_id",) for name in ("dates", "numbers", "officials", "organizations", "locations", "events")}
NOT_NULL.update(articles=("article_id", "source_path", "text"), rejects=("source_path", "reason"),
                manifest=("source_path", "outcome"), runs=("run_id",))


class ValidationError(ValueError):
    pass


def empty(name: str) -> pa.Table:
    return SCHEMAS[name].empty_table()


def from_rows(name: str, rows: list[dict]) -> pa.Table:
    """Build a table of the named schema from dict rows (missing keys become null)."""
    return pa.Table.from_pylist(rows, schema=SCHEMAS[name])


def _first_bad(mask: pa.ChunkedArray | pa.Array) -> int | None:
    mask = pc.fill_null(mask, False)
    if not pc.any(mask).as_py():
        return None
    return pc.index(mask, True).as_py()


def _fail(name: str, column: str, row: int, table: pa.Table, rule: str) -> None:
    value = table.column(column)[row].as_py()
    raise ValidationError(f"table {name!r}, column {column!r}, row {row}: {rule} (value {value!r})")


def _check(name: str, table: pa.Table, column: str, bad, rule: str) -> None:
    row = _first_bad(bad)
    if row is not None:
        _fail(name, column, row, table, rule)


def validate(name: str, table: pa.Table) -> pa.Table:
    expected = SCHEMAS[name]
    if not table.schema.equals(expected, check_metadata=False):
        raise ValidationError(f"table {name!r}: schema differs from pipeline.schema:\n"
                              f"got {table.schema}\nexpected {expected}")
    if table.num_rows == 0:
        return table
    for column in NOT_NULL.get(name, ()):
        _check(name, table, column, pc.is_null(table.column(column)), "must not be null")
    for (tname, column), allowed in ENUMS.items():
        if tname == name:
            col = table.column(column)
            bad = pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, pa.array(sorted(allowed)))))
            _check(name, table, column, bad, f"must be one of {sorted(allowed)}")
    names = set(table.column_names)
    if {"start", "end"} <= names:
        _check(name, table, "start", pc.less(table.column("start"), 0), "offsets must be >= 0")
        _check(name, table, "end", pc.less(table.column("end"), table.column("start")), "end must be >= start")
    if {"date_start", "date_end"} <= names:
        _check(name, table, "date_end", pc.less(table.column("date_end"), table.column("date_start")),
               "date_start must be <= date_end")
    if name == "numbers":
        counts = pc.equal(table.column("kind"), "count")
        _check(name, table, "value", pc.and_(counts, pc.less(table.column("value"), 0)), "counts must be >= 0")
    return table
