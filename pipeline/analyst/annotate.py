"""``pipeline annotate``: JSON Lines in, mentions out. Pure per record; a bad line gets an error object.

A bad line is anything: not UTF-8, not JSON, nested too deep, too long, a text Kiwi cannot take.
It gets ``{"id": ..., "error": ...}`` on its own output line and the next line is read.
"""
from __future__ import annotations

import json
from datetime import date
from typing import BinaryIO, Iterable, Iterator

from pipeline.ingest.decoding import scrub

MAX_LINE_BYTES = 5 * 1024 * 1024      # like --max-doc-bytes: a longer line is answered with an error


def _date_value(m) -> dict:
    iso = lambda d: d.isoformat() if d else None
    return {"start": iso(m.date_start), "end": iso(m.date_end), "grain": m.grain, "timex": m.timex,
            "resolution": m.resolution}


def _mention(kind: str, m, value: dict) -> dict:
    return {"kind": kind, "start": m.start, "end": m.end, "text": m.text, "value": value, "rule": m.rule}


def mentions_of(text: str, anchor: date | None) -> list[dict]:
    from pipeline.document import analyse

    a = analyse(text, anchor)
    out = [_mention("date", m, _date_value(m)) for m in a.dates]
    out += [_mention("number", m, {"value": m.value, "value_max": m.value_max, "kind": m.kind, "unit": m.unit,
                                   "counted": m.counted, "counted_noun": m.counted_noun,
                                   "qualifier": m.qualifier}) for m in a.numbers]
    out += [_mention("official", m, {"name": m.name, "name_start": m.name_start, "name_end": m.name_end,
                                     "title": m.title, "organization": m.organization, "country": m.country,
                                     "role": m.role, "person_id": m.person_id}) for m in a.officials]
    out += [_mention("organization", m, {"canonical": m.canonical, "org_type": m.org_type,
                                         "abbreviation": m.abbreviation, "country": m.country})
            for m in a.organizations]
    out += [_mention("location", m, {"kind": m.kind}) for m in a.locations]
    return sorted(out, key=lambda x: (x["start"], x["end"], x["kind"]))


def annotate_line(line: str | bytes | None) -> dict:
    if line is None:
        return {"id": None, "error": f"line longer than {MAX_LINE_BYTES} bytes"}
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return {"id": None, "error": f"not UTF-8: byte {exc.start}"}
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"not JSON: {exc.msg} at column {exc.colno}"}
    except (ValueError, RecursionError) as exc:
        return {"id": None, "error": f"not JSON this tool reads: {type(exc).__name__}"}
    if not isinstance(record, dict):
        return {"id": None, "error": "expected a JSON object"}
    rid = record.get("id")
    text = record.get("text")
    if not isinstance(text, str):
        return {"id": rid, "error": "missing 'text' (a string)"}
    anchor = record.get("anchor")
    try:
        anchor_date = date.fromisoformat(anchor) if anchor else None
    except (TypeError, ValueError):
        return {"id": rid, "error": f"'anchor' must be YYYY-MM-DD, got {anchor!r}"}
    try:
        return {"id": rid, "mentions": mentions_of(text, anchor_date)}
    except Exception as exc:          # one record's problem: the next line is read
        return {"id": rid, "error": f"annotating failed: {type(exc).__name__}: {exc}"}


def annotate_lines(lines: Iterable[str | bytes | None]) -> Iterator[dict]:
    for line in lines:
        if line is None or line.strip():
            yield annotate_line(line)


def read_lines(stream: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[bytes | None]:
    """The lines of a binary stream, each read with at most limit + 1 bytes in memory; a longer
    line is skipped to its end and comes back as None."""
    while line := stream.readline(limit + 1):
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
            pass
        yield None


def dumps(result: dict) -> str:
    """One output line: JSON with the text as UTF-8 (a lone surrogate in an id becomes U+FFFD)."""
    return scrub(json.dumps(result, ensure_ascii=False))
