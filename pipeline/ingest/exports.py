"""Exports as inputs: a crawler's .csv/.tsv/.json/.jsonl or a news archive's .xlsx, one article per record.

At discovery each export becomes one input per record, named ``export.csv#row=12`` (the record's number,
counting from 1 without the header) or ``export.csv#id=A123`` (when the export has an id column with a
unique value), with a digest of the record standing in for the file's mtime: an appended record is new, a
changed record is changed, a removed one is deleted, and the others stay unchanged. Records are streamed
(pandas in chunks for CSV, line by line for TSV and JSON Lines, an incremental decoder for a JSON array, openpyxl
in read-only mode for xlsx), so an export never sits in memory whole.

Columns are recognised by name (``data/columns.json``), or mapped by a ``NAME.columns.json`` sidecar or
``--columns`` (``{"body": "내용", "date": "입력시각"}``). A body may be plain text or an HTML fragment.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

DATA = Path(__file__).parent / "data" / "columns.json"
FORMATS = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "jsonl", ".xlsx": "xlsx"}
COLUMNS_SIDECAR = ".columns.json"
FIELDS = ("id", "title", "body", "date", "publisher", "url", "author")
CHUNK_ROWS = 2000
READ_BYTES = 1 << 20
BAD_ROW = "\x00bad-row:"
HTML = re.compile(r"<(?:p|br|div|span|a|img|table|tr|td|b|strong|em|font|figure|figcaption|h[1-6]|ul|ol|li|"
                  r"section|article|blockquote)\b[^>]*>", re.IGNORECASE)
DATE = re.compile(r"^\s*(\d{4})\s*[-./년]?\s*(\d{1,2})\s*[-./월]?\s*(\d{1,2})(?!\d)")


class ExportError(ValueError):
    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class Record:
    """Where one record of an export is, and what it was at discovery."""
    file: str                               # the export's path, relative to the input folder
    fmt: str                                # csv | tsv | json | jsonl | xlsx
    row: int                                # record number from 1 (0: the file as a whole)
    key: str = ""                           # row=12 | id=A123 (the part of source_path after '#')
    digest: str = ""                        # sha256 of the mapped record: the article id
    kind: str = "text"                      # html | text: what the body is
    columns: tuple[tuple[str, str], ...] = ()   # field -> column, as resolved at discovery
    error: tuple[str, str] | None = None    # (reason, detail) for a file that gives no records at all
    size: int = 0                           # the body's size in bytes (UTF-8)
    names: tuple[str, ...] = ()             # the column names of a header-less CSV/TSV ("header" in the mapping)


def export_format(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def _norm(name) -> str:
    return re.sub(r"[\s_.\-]+", "", unicodedata.normalize("NFKC", str(name or "")).lower())


def _aliases() -> dict[str, list[str]]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {field: [_norm(a) for a in data[field]] for field in FIELDS}


def field_of(header: str) -> str | None:
    """The field a column name stands for, if any (the rules in data/columns.json)."""
    name = _norm(header)
    return next((field for field, names in _aliases().items() if name in names), None)


def resolve_columns(header: list[str], explicit: dict[str, str], strict: bool = True) -> dict[str, str]:
    """field -> column: the explicit mapping first, then the first column matching each field's names.

    Not strict (JSON objects, whose keys vary by record): a mapped column or a body column may be missing, and
    the record then lacks that field (no body: rejected on its own)."""
    aliases, by_norm = _aliases(), {}
    for column in header:
        by_norm.setdefault(_norm(column), column)
    unknown = set(explicit) - set(FIELDS) - {"header"}
    if unknown:
        raise ExportError("bad_metadata", f"column mapping names unknown fields {sorted(unknown)} (known: {', '.join(FIELDS)})")
    mapping = {}
    for field in FIELDS:
        if isinstance(explicit.get(field), str):
            if _norm(explicit[field]) not in by_norm:
                if not strict:
                    continue
                raise ExportError("bad_metadata", f"mapped column {explicit[field]!r} for {field} is not in the header")
            mapping[field] = by_norm[_norm(explicit[field])]
            continue
        match = next((by_norm[a] for a in aliases[field] if a in by_norm), None)
        if match is not None:
            mapping[field] = match
    if "body" not in mapping and strict:
        raise ExportError("bad_metadata", f"no body column among {list(header)[:20]}; map one in a "
                                          f"NAME{COLUMNS_SIDECAR} sidecar or with --columns")
    return mapping


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- streaming the records of each format: (record number, {column: value} or an error detail) ---

def _sniff_encoding(path: Path) -> str:
    head = path.open("rb").read(64 * 1024)
    for encoding in ("utf-8-sig", "cp949"):
        try:
            head.decode(encoding)
            return encoding
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:      # a character cut at the end of the sample
                return encoding
    return "utf-8"


def _delimited(path: Path, sep: str, names: tuple[str, ...] = ()) -> Iterator[tuple[int, dict | str]]:
    import pandas as pd

    encoding = _sniff_encoding(path)
    options = dict(sep=sep, dtype=str, keep_default_na=False, encoding=encoding, encoding_errors="replace",
                   engine="python")
    if names:                                   # a header-less file: the mapping names its columns
        options.update(header=None, names=list(names))
    header = list(names) or list(pd.read_csv(path, nrows=0, **options).columns)
    bad = lambda fields: [f"{BAD_ROW}{len(fields)} fields, the header has {len(header)}"] + [""] * (len(header) - 1)
    n = 0
    for chunk in pd.read_csv(path, chunksize=CHUNK_ROWS, on_bad_lines=bad, **options):
        for values in chunk.itertuples(index=False, name=None):
            n += 1
            first = values[0] if values else ""
            yield n, (first[len(BAD_ROW):] if isinstance(first, str) and first.startswith(BAD_ROW)
                      else dict(zip(header, values)))


def _tsv(path: Path, names: tuple[str, ...] = ()) -> Iterator[tuple[int, dict | str]]:
    """Tab-separated lines, no quoting (bodies flattened to one line); only '\n' ends a record, so a stray '\r'
    inside a body stays there."""
    with path.open("r", encoding=_sniff_encoding(path), errors="replace", newline="\n") as handle:
        header = list(names) or handle.readline().rstrip("\r\n").split("\t")
        n = 0
        for line in handle:
            if not line.strip():
                continue
            n += 1
            values = line.rstrip("\r\n").split("\t")
            yield n, (dict(zip(header, values)) if len(values) == len(header)
                      else f"{len(values)} fields, the header has {len(header)}")


def _jsonl(path: Path) -> Iterator[tuple[int, dict | str]]:
    n = 0
    with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
        for line in handle:
            if not line.strip():
                continue
            n += 1
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, f"not JSON: {exc.msg} at column {exc.colno}"
                continue
            yield n, obj if isinstance(obj, dict) else "not a JSON object"


def _json_array(path: Path) -> Iterator[tuple[int, dict | str]]:
    """The objects of a top-level JSON array, decoded one at a time from a buffer refilled as needed."""
    decoder, n, buffer, pos = json.JSONDecoder(), 0, "", 0
    with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
        def more() -> bool:
            nonlocal buffer, pos
            chunk = handle.read(READ_BYTES)
            buffer, pos = buffer[pos:] + chunk, 0
            return bool(chunk)
        more()
        buffer = buffer.lstrip()
        if not buffer.startswith("["):
            raise ExportError("unreadable", "a .json export must be an array of objects ([{...}, ...])")
        pos = 1
        while True:
            while True:
                while pos < len(buffer) and buffer[pos] in " \t\r\n,":
                    pos += 1
                if pos < len(buffer) or not more():
                    break
            if pos >= len(buffer) or buffer[pos] == "]":
                return
            try:
                obj, end = decoder.raw_decode(buffer, pos)
            except json.JSONDecodeError as exc:
                if more():
                    continue
                raise ExportError("unreadable", f"JSON broken after record {n}: {exc.msg}") from exc
            n, pos = n + 1, end
            yield n, obj if isinstance(obj, dict) else "not a JSON object"


def _xlsx(path: Path) -> Iterator[tuple[int, dict | str]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [_cell(v) for v in next(rows, ())]
        n = 0
        for values in rows:
            if all(v in (None, "") for v in values):
                continue
            n += 1
            yield n, dict(zip(header, values))
    finally:
        book.close()


def iter_records(path: Path, fmt: str, names: tuple[str, ...] = ()) -> Iterator[tuple[int, dict | str]]:
    if fmt == "csv":
        return _delimited(path, ",", names)
    if fmt == "tsv":
        return _tsv(path, names)
    return {"jsonl": _jsonl, "json": _json_array, "xlsx": _xlsx}[fmt](path)


# --- discovery and loading ---

def explicit_columns(path: Path, override: dict[str, str] | None) -> dict[str, str]:
    """The sidecar's mapping (NAME.columns.json or NAME.csv.columns.json), else --columns, else none."""
    for candidate in (path.with_name(path.name + COLUMNS_SIDECAR), path.with_name(path.stem + COLUMNS_SIDECAR)):
        if candidate.is_file():
            try:
                mapping = json.loads(candidate.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError) as exc:
                raise ExportError("bad_metadata", f"{candidate.name}: {exc}") from exc
            if not valid_mapping(mapping):
                raise ExportError("bad_metadata", f"{candidate.name}: expected {{\"field\": \"column\", "
                                                  f"\"header\": [names of a header-less file]}}")
            return mapping
    return dict(override or {})


def valid_mapping(mapping) -> bool:
    """{"field": "column", ...}, with an optional "header": ["name", ...] for a header-less CSV/TSV."""
    return isinstance(mapping, dict) and all(
        isinstance(v, str) if k != "header" else isinstance(v, (list, tuple)) and all(isinstance(n, str) for n in v)
        for k, v in mapping.items())


def mapped(values: dict, columns: dict[str, str]) -> dict[str, str]:
    """The record's fields, as strings, empty ones left out."""
    return {field: text for field, column in columns.items() if (text := _cell(values.get(column)))}


def digest_of(fields: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def expand(path: Path, rel: str, override: dict[str, str] | None) -> list[Record]:
    """One Record per record of the export (or one Record with an error when the file gives none)."""
    fmt = export_format(path)
    records: list[Record] = []
    ids: dict[str, list[int]] = {}
    try:
        explicit, strict = explicit_columns(path, override), fmt in ("csv", "tsv", "xlsx")
        names = tuple(explicit.get("header", ())) if fmt in ("csv", "tsv") else ()
        resolved: dict[tuple, dict] = {}           # one header for a table; each JSON object has its own keys
        for n, values in iter_records(path, fmt, names):
            if isinstance(values, str):
                records.append(Record(rel, fmt, n, f"row={n}", digest_of({"error": values}), names=names))
                continue
            header = tuple(values)
            if header not in resolved:
                mapping = resolve_columns(list(header), explicit, strict)
                resolved[header] = (mapping, tuple(mapping.items()))
            columns, shared = resolved[header]
            fields = mapped(values, columns)
            body = fields.get("body", "")
            records.append(Record(rel, fmt, n, f"row={n}", digest_of(fields), "html" if HTML.search(body) else "text",
                                  shared, size=len(body.encode("utf-8")), names=names))
            if fields.get("id"):
                ids.setdefault(fields["id"], []).append(len(records) - 1)
    except Exception as exc:          # the rest of the file cannot be read: the records before it still count
        reason, detail = (exc.reason, exc.detail) if isinstance(exc, ExportError) else \
            ("unreadable", f"{type(exc).__name__}: {exc}")
        if records:
            detail = f"after record {records[-1].row}: {detail}"
        records.append(Record(rel, fmt, 0, error=(reason, detail)))
    for key, where in ids.items():
        if len(where) == 1 and "#" not in key and len(key) <= 120:
            records[where[0]] = _with_key(records[where[0]], f"id={key}")
    return records


def _with_key(record: Record, key: str) -> Record:
    from dataclasses import replace
    return replace(record, key=key)


_cursor: dict = {}


def _values_at(path: Path, record: Record) -> dict | str:
    """The record at its number, reading on from where the last call stopped when it can (records are
    processed in file order, so each worker reads each export about once)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if _cursor.get("key") != key or _cursor["row"] >= record.row:
        _cursor.clear()
        _cursor.update(key=key, row=0, records=iter_records(path, record.fmt, record.names))
    for n, values in _cursor["records"]:
        _cursor["row"] = n
        if n == record.row:
            return values
    raise ExportError("unreadable", f"record {record.row} is no longer in {record.file}")


def load_record(record: Record, abs_path: str, max_bytes: int) -> tuple[bytes, dict, str]:
    """The body's bytes, the sidecar-like metadata and the article id of one record; ExportError when it is bad."""
    if record.error:
        raise ExportError(*record.error)
    values = _values_at(Path(abs_path), record)
    where = f"{record.file} record {record.row}"
    if isinstance(values, str):
        raise ExportError("unreadable", f"{where}: {values}")
    fields = mapped(values, dict(record.columns))
    if digest_of(fields) != record.digest:
        raise ExportError("unreadable", f"{where} changed during the run; it is read again next run")
    text = fields.get("body", "")
    body = (text if record.kind == "html" else html.unescape(text)).encode("utf-8")   # &quot; in a text body
    if not body.strip():
        raise ExportError("empty", f"{where}: no body")
    if len(body) > max_bytes:
        raise ExportError("too_large", f"{where}: body of {len(body)} bytes, over the limit of {max_bytes}")
    published = None
    if fields.get("date"):
        published = parse_date(fields["date"])
        if published is None:
            raise ExportError("bad_metadata", f"{where}: unparseable date {fields['date'][:40]!r}")
    meta = {"url": fields.get("url"), "publisher": fields.get("publisher"), "published": published,
            "title": fields.get("title"), "authors": fields.get("author")}
    return body, {k: v for k, v in meta.items() if v}, record.digest


def parse_date(text: str) -> str | None:
    """2025-02-10, 2025.02.10, 2025/2/10, 20250210, 2025년 2월 10일 (a time after it ignored) -> 2025-02-10."""
    match = DATE.match(text)
    if not match:
        return None
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None
