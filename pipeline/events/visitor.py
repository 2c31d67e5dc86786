"""Visits: who the visitor is, and which visit mentions stand for one trip (used by :mod:`pipeline.events.find`).

- The visitor among the officials before a visit is the one standing as subject (…부부장이, 총리는), never one in
  the genitive (김 위원장의 … 류명선 부부장이 러시아를 방문: someone else's visit);
- a visitor's call at an office during a trip to a country the same article reports (한국을 찾은 … 외교부를
  방문해) is part of that trip, not a second visit.

Examples in ``tests/corpus/events.jsonl``.
"""
from __future__ import annotations

import re


def subject_official(ctx, officials: list):
    """The last official standing as subject, else the first not in the genitive; None when all are in the
    genitive (the visitor is someone the officials table lacks)."""
    text = ctx.text
    subjects = [o for o in officials if re.match(r"(?:이|가|은|는|도)\s", text[o.end:o.end + 2])]
    if subjects:
        return subjects[-1]
    return next((o for o in officials if not text.startswith("의", o.end)), None)


def call_within_trip(ctx, m, visits: list) -> bool:
    """A visit to an office (an organisation, not a place) by a visitor whose visit to a country is among
    ``visits``: part of that trip."""
    if m.visitor is None or m.location is None:
        return False
    office = any(o.start <= m.start < o.end for o in ctx.analysis.organizations) and \
        not any(p.start <= m.start < p.end for p in ctx.analysis.locations)
    return office and any(v is not m and v.visitor == m.visitor and v.location is None for v in visits)
