"""Consolidating events across articles: the same real-world event reported by several articles becomes one
``event_clusters`` row, with the counts each article states and the conflicts between them kept visible.
Two events are one when they share a name key (spacing, 에이아이/AI/인공지능 aside) or an alias from
``event_aliases`` (Bletchley Park AI Safety Summit = 인공지능(AI) 안전성 정상회의) with compatible dates, or,
named differently, when they are of one type on overlapping dates at one place with a shared official or
count (한중 정상회담 / 이재명-시진핑 정상회담 in 경주 on one day), or talks named by the same parties on the same
day (스티븐 비건-강경화 예방 / 스티브 비건-강경화 면담).
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date, timedelta
from difflib import SequenceMatcher
from functools import lru_cache

from .rules import data, name_key, rules


def stable_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


# -- across articles ----------------------------------------------------------------------

@lru_cache(maxsize=1)
def _alias_map() -> dict[str, str]:
    """name_key of every alias -> name_key of its canonical name (``event_aliases`` in the rule data)."""
    table = {k: v for k, v in data()["event_aliases"].items() if k != "about"}
    return {name_key(a): name_key(c) for c, aliases in table.items() for a in aliases + [c]}


def _keys(event: dict) -> set[str]:
    keys = {name_key(event["name"] or "")}
    if event.get("name_en"):
        keys.add(name_key(event["name_en"]))
    keys |= {_alias_map()[k] for k in keys if k in _alias_map()}
    return {k for k in keys if len(k) >= 3}


def _place_key(place: str | None) -> str:
    return "".join((place or "").split())


def _same_occasion(a: dict, b: dict) -> bool:
    """Differently named mentions of one event: one type, dates of a week or less that overlap, one place
    (one inside the other), and a shared official or count."""
    if a["type"] != b["type"] or a["article_id"] == b["article_id"] or not (a["date_start"] and b["date_start"]):
        return False
    if (a["date_end"] - a["date_start"]).days > 7 or (b["date_end"] - b["date_start"]).days > 7:
        return False
    if not (a["date_start"] <= b["date_end"] and b["date_start"] <= a["date_end"]):
        return False
    pa, pb = _place_key(a["location"]), _place_key(b["location"])
    if not pa or not pb or not (pa in pb or pb in pa):
        return False
    parties_a, parties_b = _party_key(a), _party_key(b)
    if parties_a and parties_b and parties_a != parties_b:
        return False                 # 강경화-맥 손베리 접견 and 스티븐 비건-강경화 예방: one official, two meetings
    counts = lambda e: {(c["value"], c["counted"]) for c in e["counts"] or []}
    return bool(set(a["officials"] or []) & set(b["officials"] or []) or counts(a) & counts(b))


MAX_PARTY_DAYS = 2            # talks named by their parties join only within a day or two


def _party_key(event: dict) -> frozenset[str]:
    """The parties of talks named by them, by each party's last word: '스티븐 비건-강경화 예방' and
    '스티브 비건-강경화 면담' are {비건, 강경화} (the press spells foreign first names two ways)."""
    head, _, noun = (event["name"] or "").rpartition(" ")
    if "-" not in head or not noun:
        return frozenset()
    parts = [p.split()[-1] for p in head.split("-") if p.split()]
    return frozenset(parts) if len(parts) >= 2 and all(len(p) >= 2 for p in parts) else frozenset()


def _same_parties(a: dict, b: dict) -> bool:
    """Talks between the same people on the same days, named with different nouns (예방 / 면담 / 회동)."""
    if a["type"] != b["type"] or a["article_id"] == b["article_id"] or not (a["date_start"] and b["date_start"]):
        return False
    if any((e["date_end"] - e["date_start"]).days >= MAX_PARTY_DAYS for e in (a, b)):
        return False
    if not (a["date_start"] <= b["date_end"] and b["date_start"] <= a["date_end"]):
        return False
    key = _party_key(a)
    return bool(key) and key == _party_key(b)


NEAR_NAME_MIN_CHARS = 8       # shorter name keys are too generic to merge on (업무협약, 정상회담)
NEAR_NAME_RATIO = 0.9         # transliterations spelled two ways: 알팔레 / 알팔리


def _near_names(a: dict, b: dict) -> bool:
    """One event named a little differently by two articles: of one type, one specific name inside the
    other (자회사 카카오엔터프라이즈 출범) or spelled differently in letters, never in digits (제1차 / 제2차);
    on overlapping days, or both undated at the same place."""
    if a["type"] != b["type"] or a["article_id"] == b["article_id"]:
        return False
    short, long_ = sorted((name_key(a["name"] or ""), name_key(b["name"] or "")), key=len)
    if len(short) < NEAR_NAME_MIN_CHARS or short == long_:
        return False
    if short not in long_:
        matcher = SequenceMatcher(None, short, long_, autojunk=False)
        differing = "".join(short[i1:i2] + long_[j1:j2] for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal")
        if matcher.ratio() < NEAR_NAME_RATIO or any(ch.isdigit() for ch in differing):
            return False
    if a["date_start"] and b["date_start"]:
        return a["date_start"] <= b["date_end"] and b["date_start"] <= a["date_end"]
    pa, pb = _place_key(a["location"]), _place_key(b["location"])
    return not a["date_start"] and not b["date_start"] and bool(pa) and pa == pb


def _candidate_pairs(events: list[dict]):
    """The pairs the pairwise rules may join, without looking at every pair (a nightly table holds thousands of
    events): of one type, and either on overlapping days or both undated at one place."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for i, event in enumerate(events):
        by_type[event["type"]].append(i)
    for members in by_type.values():
        dated = sorted((i for i in members if events[i]["date_start"]), key=lambda i: events[i]["date_start"])
        active: list[int] = []
        for i in dated:            # a sweep over start dates: the events still running when this one starts
            start = events[i]["date_start"]
            active = [j for j in active if events[j]["date_end"] >= start]
            for j in active:
                yield (min(i, j), max(i, j))
            active.append(i)
        at_place: dict[str, list[int]] = defaultdict(list)
        for i in members:
            if not events[i]["date_start"] and _place_key(events[i]["location"]):
                at_place[_place_key(events[i]["location"])].append(i)
        for placed in at_place.values():
            for n, i in enumerate(placed):
                for j in placed[n + 1:]:
                    yield (min(i, j), max(i, j))


def _dated_runs(events: list[dict], members: list[int], gap: int) -> list[list[int]]:
    """The dated members of one name, in runs of days that overlap or lie within ``gap`` days of each other."""
    slack = timedelta(days=gap)
    runs: list[list[int]] = []
    end = None
    for i in sorted((i for i in members if events[i]["date_start"]), key=lambda i: events[i]["date_start"]):
        if runs and events[i]["date_start"] <= end + slack:
            runs[-1].append(i)
            end = max(end, events[i]["date_end"])
        else:
            runs.append([i])
            end = events[i]["date_end"]
    return runs


def _group(events: list[dict]) -> list[list[dict]]:
    gap = rules().max_gap_days
    parent = list(range(len(events)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, event in enumerate(events):
        for key in _keys(event):
            by_key[(event["type"], key)].append(i)
    for members in by_key.values():
        runs = _dated_runs(events, members, gap)
        for run in runs:
            for i in run[1:]:
                parent[find(i)] = find(run[0])
        # undated mentions join the name's dated run; of a name on two dates (한미 정상회담 of 2021 and of 2025),
        # neither
        together = [i for i in members if not events[i]["date_start"]] + ([runs[0][0]] if len(runs) == 1 else [])
        for i in together[1:]:
            parent[find(i)] = find(together[0])
    for i, j in _candidate_pairs(events):
        a, b = events[i], events[j]
        if find(i) != find(j) and (_same_occasion(a, b) or _near_names(a, b) or _same_parties(a, b)):
            parent[find(j)] = find(i)
    groups: dict[int, list[dict]] = defaultdict(list)
    for i, event in enumerate(events):
        groups[find(i)].append(event)
    return list(groups.values())


def _narrowest_dates(members: list[dict]) -> tuple[date | None, date | None, str | None]:
    dated = [m for m in members if m["date_start"]]
    if not dated:
        return None, None, None
    best = min(dated, key=lambda m: ((m["date_end"] - m["date_start"]).days, m["date_start"]))
    return best["date_start"], best["date_end"], best.get("date_grain")


def _cluster_counts(members: list[dict]) -> tuple[list[dict], list[dict]]:
    grouped: dict[tuple, dict] = {}
    for m in members:
        for c in m["counts"] or []:
            key = (c["value"], c["counted"], c["role"], c["qualifier"])
            entry = grouped.setdefault(key, {"value": c["value"], "counted": c["counted"], "role": c["role"],
                                             "qualifier": c["qualifier"], "article_ids": [], "evidence": []})
            if m["article_id"] not in entry["article_ids"]:
                entry["article_ids"].append(m["article_id"])
            entry["evidence"].append(c.get("text") or "")
    counts = sorted(grouped.values(), key=lambda c: (c["counted"], c["role"], c["value"]))
    conflicts = []
    by_class: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in counts:
        by_class[(c["counted"], c["role"])].append(c)
    for (counted, role), items in sorted(by_class.items()):
        values = sorted({c["value"] for c in items})
        if len(values) > 1:
            conflicts.append({"field": f"count:{role}", "counted": counted,
                              "values": [f"{v:g}" for v in values],
                              "evidence": [f"{c['value']:g} ({c['qualifier']}): {', '.join(c['evidence'])} "
                                           f"[{', '.join(c['article_ids'])}]" for c in items]})
    return counts, conflicts


def _date_conflicts(members: list[dict]) -> list[dict]:
    spans = sorted({(m["date_start"], m["date_end"]) for m in members if m["date_start"]})
    day_spans = [s for s in spans if (s[1] - s[0]).days <= 7]
    if len(day_spans) <= 1:
        return []
    return [{"field": "date", "counted": None, "values": [f"{a}/{b}" for a, b in day_spans],
             "evidence": [f"{m['date_start']}/{m['date_end']} [{m['article_id']}]" for m in members if m["date_start"]]}]


def cluster_rows(events: list[dict], publishers: dict[str, str | None]) -> list[dict]:
    rows = []
    for members in _group(events):
        names = Counter(m["name"] for m in members)
        start, end, grain = _narrowest_dates(members)
        locations = Counter(m["location"] for m in members if m["location"])
        article_ids = sorted({m["article_id"] for m in members})
        counts, conflicts = _cluster_counts(members)
        rows.append({
            "cluster_id": stable_id(members[0]["type"], min(k for m in members for k in (_keys(m) or {m["event_id"]}))),
            "type": members[0]["type"],
            "name": max(names.items(), key=lambda kv: (kv[1], len(kv[0])))[0],
            "names": sorted(set(names) | {m["name_en"] for m in members if m["name_en"]}),
            "date_start": start, "date_end": end, "date_grain": grain,
            "location": locations.most_common(1)[0][0] if locations else None,
            "article_ids": article_ids, "event_ids": sorted(m["event_id"] for m in members),
            "n_articles": len(article_ids),
            "n_sources": len({publishers.get(a) or a for a in article_ids}),
            "counts": counts, "conflicts": conflicts + _date_conflicts(members),
        })
    return sorted(rows, key=lambda r: (r["date_start"] or date.max, r["name"]))


def cluster_events(events: list[dict], publishers: dict[str, str | None]):
    from pipeline.schema import from_rows
    return from_rows("event_clusters", cluster_rows(events, publishers))
