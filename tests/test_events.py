"""Corpus and clustering tests for the event extractor (pipeline.events).

* ``tests/corpus/events.jsonl``: one passage a line,
  ``{"id", "text", "reference", "expect": [...], "expect_none"}`` (``id``: a short ASCII slug
  naming the case, used as the test id; an optional ``title`` is the article's headline). Each expected item is
  ``{"name_contains", "type"}`` plus optional ``date_start``, ``date_end`` (ISO),
  ``location_contains``, ``counts`` ({counted class: value}), ``roles`` ({counted class: role})
  and ``organizations`` (canonical names the event's row must list). Every expected item must
  be matched by an event of the passage, and every event of the passage must match some item
  (by name and type): a passage lists all its events. ``expect_none`` passages must give none.
  Names and locations are compared after NFC with all whitespace removed.
* ``cluster_rows``: consolidation across articles, on hand-made event rows.

The corpus tests run the whole ``pipeline.extract.analyse`` (one Kiwi/spaCy load per session,
a few milliseconds a passage), so organisations, officials and places come from the real
extractors.
"""
from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from pipeline.events import cluster_rows, name_key

CORPUS = Path(__file__).resolve().parent / "corpus" / "events.jsonl"
ROWS = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _squash(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFC", text or "").split())


def _row_id(index: int, row: dict) -> str:
    return f"{index + 1:02d}-{'neg' if row['expect_none'] else 'pos'}-{row['id']}"


@pytest.fixture(scope="module")
def analyse():
    """``pipeline.extract.analyse``: every extractor over the passage (Kiwi/spaCy load once per process)."""
    from pipeline.document import analyse as run
    return run


def _named_like(event: dict, want: dict) -> bool:
    names = _squash(event["name"]) + "|" + _squash(event.get("name_en"))
    return _squash(want["name_contains"]) in names and event["type"] == want["type"]


def _problems(event: dict, want: dict) -> list[str]:
    """What differs between an event and an expected item that it is named like."""
    out = []
    for key in ("date_start", "date_end"):
        if key in want and (event[key].isoformat() if event[key] else None) != want[key]:
            out.append(f"{key} {event[key]} != {want[key]}")
    if "location" in want and event["location"] != want["location"]:
        out.append(f"location {event['location']!r} != {want['location']!r}")
    if "location_contains" in want and _squash(want["location_contains"]) not in _squash(event["location"]):
        out.append(f"location {event['location']!r} lacks {want['location_contains']!r}")
    counts = event["counts"] or []
    for counted, value in want.get("counts", {}).items():
        if not any(c["counted"] == counted and c["value"] == float(value) for c in counts):
            out.append(f"no {counted} count {value}")
    if want.get("no_counts") and counts:
        out.append(f"counts {[(c['value'], c['counted']) for c in counts]} where the text states none for it")
    for counted, role in want.get("roles", {}).items():
        if not any(c["counted"] == counted and c["role"] == role for c in counts):
            out.append(f"no {counted} count in role {role}")
    missing = set(want.get("organizations", [])) - set(event["organizations"])
    if missing:
        out.append(f"organizations lack {sorted(missing)}")
    return out


def _describe(events: list[dict]) -> str:
    return "\n".join(f"  {e['type']} {e['name']!r} {e['date_start']}..{e['date_end']} @ {e['location']!r} "
                     f"counts={[(c['value'], c['counted'], c['role']) for c in e['counts']]} "
                     f"orgs={e['organizations']}" for e in events) or "  (no events)"


def test_corpus_size():
    negatives = [r for r in ROWS if r["expect_none"]]
    assert len(ROWS) >= 45 and len(negatives) >= 12
    assert all(bool(r["expect"]) != r["expect_none"] for r in ROWS)
    assert len({r["id"] for r in ROWS}) == len(ROWS), "corpus ids must be unique"


@pytest.mark.parametrize("row", ROWS, ids=[_row_id(i, r) for i, r in enumerate(ROWS)])
def test_corpus_passage(row, analyse):
    reference = date.fromisoformat(row["reference"]) if row["reference"] else None
    events = analyse(row["text"], reference, title=row.get("title")).events
    found = _describe(events)
    if row["expect_none"]:
        assert events == [], f"expected no event, got:\n{found}"
        return
    for want in row["expect"]:
        candidates = [e for e in events if _named_like(e, want)]
        assert candidates, f"no {want['type']} named like {want['name_contains']!r}; got:\n{found}"
        problems = [_problems(e, want) for e in candidates]
        assert [] in problems, f"{want['name_contains']!r}: {min(problems, key=len)}; got:\n{found}"
    extra = [e for e in events if not any(_named_like(e, want) for want in row["expect"])]
    assert not extra, f"unexpected events:\n{_describe(extra)}"


# -- across articles -------------------------------------------------------------------------

def _event(article: str, name: str, type_: str = "pledge", start: str | None = "2024-05-22",
           end: str | None = None, counts: list[dict] | None = None, name_en: str | None = None) -> dict:
    start_d = date.fromisoformat(start) if start else None
    end_d = date.fromisoformat(end) if end else start_d
    return {"event_id": f"{article}:{name}", "article_id": article, "type": type_, "name": name,
            "name_en": name_en, "date_start": start_d, "date_end": end_d, "location": None,
            "counts": counts or [], "officials": [], "organizations": [], "parent_event_id": None,
            "evidence": [], "confidence": 0.7, "rule": "named_event"}


def _count(value: float, qualifier: str = "exact", counted: str = "country", role: str = "participants") -> dict:
    return {"value": float(value), "counted": counted, "role": role, "qualifier": qualifier,
            "number_start": 0, "number_end": 3, "text": f"{value:g}"}


@pytest.mark.parametrize("a, b", [("서울 기업 서약", "서울 AI 기업 서약"), ("서울 AI 기업 서약", "서울 에이아이 기업 서약"),
                                  ("서울 기업 서약", "서울 에이아이 기업 서약")])
def test_cluster_name_variants_are_one_event(a, b):
    assert name_key(a) == name_key(b)
    rows = cluster_rows([_event("art1", a), _event("art2", b)], {"art1": "연합뉴스", "art2": "한겨레"})
    assert len(rows) == 1
    assert rows[0]["n_articles"] == 2 and rows[0]["n_sources"] == 2
    assert set(rows[0]["names"]) == {a, b}


def test_cluster_sources_are_counted_by_publisher():
    events = [_event("art1", "서울 기업 서약"), _event("art2", "서울 AI 기업 서약"),
              _event("art3", "서울 에이아이 기업 서약", start=None)]
    rows = cluster_rows(events, {"art1": "연합뉴스", "art2": "연합뉴스", "art3": "한겨레"})
    assert len(rows) == 1
    assert rows[0]["n_articles"] == 3 and rows[0]["n_sources"] == 2
    assert rows[0]["date_start"] == date(2024, 5, 22)


def test_cluster_ministerial_session_is_not_the_summit():
    events = [_event("art1", "AI 서울 정상회의", "summit", "2024-05-21", "2024-05-22"),
              _event("art1", "AI 서울 정상회의 장관 세션", "meeting"),
              _event("art2", "인공지능 서울 정상회의", "summit", "2024-05-21", "2024-05-22")]
    rows = cluster_rows(events, {"art1": "연합뉴스", "art2": "한겨레"})
    assert sorted((r["type"], r["n_articles"]) for r in rows) == [("meeting", 1), ("summit", 2)]


@pytest.mark.parametrize("seoul, paris", [("인공지능 서울 정상회의", "인공지능 행동 정상회의"),
                                          ("AI 정상회의", "AI 정상회의")])
def test_cluster_seoul_2024_and_paris_2025_are_two_summits(seoul, paris):
    events = [_event("art1", seoul, "summit", "2024-05-21", "2024-05-22"),
              _event("art2", paris, "summit", "2025-02-10", "2025-02-11")]
    rows = cluster_rows(events, {"art1": "연합뉴스", "art2": "정책브리핑"})
    assert len(rows) == 2
    assert [r["date_start"] for r in rows] == [date(2024, 5, 21), date(2025, 2, 10)]


def test_cluster_count_disagreement_is_a_conflict():
    events = [_event("art1", "인공지능 행동 정상회의", "summit", "2025-02-10", "2025-02-11", [_count(87)],
                     name_en="AI Action Summit"),
              _event("art2", "AI Action Summit", "summit", "2025-02-10", "2025-02-11",
                     [_count(87), _count(100, "more_than")], name_en="AI Action Summit")]
    [row] = cluster_rows(events, {"art1": "포탈뉴스통신", "art2": "대한민국 정책브리핑"})
    assert row["n_articles"] == 2
    [conflict] = [c for c in row["conflicts"] if c["field"] == "count:participants"]
    assert conflict["counted"] == "country" and set(conflict["values"]) == {"87", "100"}
    assert {c["value"] for c in row["counts"]} == {87.0, 100.0}


def test_cluster_english_and_korean_names_through_the_alias_table():
    events = [_event("art1", "Bletchley Park AI Safety Summit", "summit", "2023-11-01", "2023-11-02"),
              _event("art2", "인공지능(AI) 안전성 정상회의", "summit", "2023-11-01", "2023-11-02"),
              _event("art3", "AI 서울 정상회의", "summit", "2024-05-21", "2024-05-22"),
              _event("art4", "Seoul Summit", "summit", "2024-05-21", "2024-05-22")]
    rows = cluster_rows(events, {})
    assert sorted(r["n_articles"] for r in rows) == [2, 2]
    assert {frozenset(r["names"]) for r in rows} == {frozenset({"Bletchley Park AI Safety Summit", "인공지능(AI) 안전성 정상회의"}),
                                                     frozenset({"AI 서울 정상회의", "Seoul Summit"})}


def test_cluster_unnamed_meeting_by_date_place_and_official():
    a = _event("art1", "한중 정상회담", "summit", "2025-11-01")
    b = _event("art2", "이재명-시진핑 정상회담", "summit", "2025-11-01")
    c = _event("art3", "한일 정상회담", "summit", "2025-11-01")
    for e, place, people in ((a, "경주", ["p1", "p2"]), (b, "경북 경주", ["p2"]), (c, "경주", ["p3"])):
        e.update(location=place, officials=people)
    rows = cluster_rows([a, b, c], {})
    assert sorted(r["n_articles"] for r in rows) == [1, 2]


def test_cluster_talks_between_the_same_parties_on_one_day_are_one_event():
    """Named by their parties with different nouns and first names spelled two ways: one event; the same
    parties another day, or other parties, stay apart."""
    events = [_event("art1", "스티븐 비건-강경화 예방", "meeting", "2018-10-29"),
              _event("art2", "스티브 비건-강경화 면담", "meeting", "2018-10-29"),
              _event("art3", "강경화-스티븐 비건 회동", "meeting", "2018-10-29"),
              _event("art4", "스티븐 비건-강경화 회동", "meeting", "2018-11-20"),
              _event("art5", "스티븐 비건-이도훈 협의", "meeting", "2018-10-29")]
    rows = cluster_rows(events, {})
    assert sorted(tuple(r["article_ids"]) for r in rows) == [("art1", "art2", "art3"), ("art4",), ("art5",)]
    # one official in two meetings of a day at one place: still two events
    a = _event("art1", "스티븐 비건-강경화 예방", "meeting", "2018-10-29")
    b = _event("art2", "강경화-맥 손베리 접견", "meeting", "2018-10-29")
    for e in (a, b):
        e.update(location="서울 외교부 청사", officials=["kang"])
    assert len(cluster_rows([a, b], {})) == 2


def test_cluster_a_specific_name_inside_another_or_spelled_two_ways_is_one_event():
    a = _event("art1", "카카오엔터프라이즈 출범", "launch", "2019-12-03")
    b = _event("art2", "자회사 카카오엔터프라이즈 출범", "launch", "2019-12-03")
    c = _event("art3", "대통령-칼리드 알팔레 장관 접견", "meeting", None)
    d = _event("art4", "대통령-칼리드 알팔리 장관 접견", "meeting", None)
    for e in (c, d):
        e["location"] = "청와대"
    assert sorted(r["n_articles"] for r in cluster_rows([a, b, c, d], {})) == [2, 2]


@pytest.mark.parametrize("a, b", [
    (_event("art1", "업무협약", "agreement"), _event("art2", "산학협력 업무협약", "agreement")),      # generic
    (_event("art1", "제1차 한미 전략대화", "meeting"), _event("art2", "제2차 한미 전략대화", "meeting")),  # digits
    (_event("art1", "카카오엔터프라이즈 출범", "launch", "2019-12-03"),
     _event("art2", "자회사 카카오엔터프라이즈 출범", "launch", "2020-03-01")),                       # other days
    (_event("art1", "대통령-칼리드 알팔레 장관 접견", "meeting", None),
     _event("art2", "대통령-칼리드 알팔리 장관 접견", "meeting", None)),                             # undated, no place
])
def test_cluster_near_names_need_a_specific_name_and_the_same_occasion(a, b):
    assert len(cluster_rows([a, b], {})) == 2


def test_attending_amid_is_no_part_of_the_name(analyse):
    events = analyse("25개국 대표단이 참가한 가운데 국제원자력안전회의가 12일 오스트리아 빈에서 열렸다.",
                     date(2025, 6, 13)).events
    assert [e["name"] for e in events] == ["국제원자력안전회의"]


def test_cluster_candidate_pairs_give_the_groups_all_pairs_give(monkeypatch):
    """The sweep over dates finds every pair the pairwise rules can join: same groups as trying all pairs."""
    import random

    from pipeline.events import cluster as C

    rnd = random.Random(7)
    events = []
    for i in range(120):
        start = f"2025-0{rnd.randint(1, 3)}-1{rnd.randint(0, 9)}" if rnd.random() < 0.8 else None
        e = _event(f"art{i % 40}", rnd.choice(["한미 정상회담", "한미 정상회의", "자회사 카카오엔터프라이즈 출범",
                                               "카카오엔터프라이즈 출범", "서울 에너지 장관회의"]),
                   rnd.choice(["summit", "launch", "meeting"]), start)
        e.update(location=rnd.choice([None, "서울", "경주"]), officials=rnd.choice([[], ["p1"], ["p2"]]))
        events.append(e)
    fast = cluster_rows(events, {})
    monkeypatch.setattr(C, "_candidate_pairs", lambda evs: ((i, j) for i in range(len(evs)) for j in range(i + 1, len(evs))))
    slow = cluster_rows(events, {})
    assert sorted(sorted(r["event_ids"]) for r in fast) == sorted(sorted(r["event_ids"]) for r in slow)


def test_titles_without_an_event_word_are_not_read():
    from pipeline.events.headline import could_report

    assert not could_report("오늘의 날씨: 전국 흐리고 비")
    assert could_report("李대통령 23~24일 방일") and could_report("통합 발전위원회 출범")


def test_cluster_one_name_on_two_dates_is_two_events_and_each_gathers_its_own_mentions():
    """A name used again years later (한미 정상회담) gives one cluster per run of dates, whichever mention comes
    first; a mention dated by its week joins the day inside it; an undated one joins neither."""
    events = [_event("art1", "한미 정상회담", "summit", "2025-08-25"),
              _event("art2", "한미정상회담", "summit", "2021-05-21"),
              _event("art3", "한미정상회담", "summit", "2021-05-17", "2021-05-23"),
              _event("art4", "한미 정상회담", "summit", "2025-08-25"),
              _event("art5", "한미 정상회담", "summit", None)]
    rows = cluster_rows(events, {})
    by_articles = sorted(tuple(r["article_ids"]) for r in rows)
    assert by_articles == [("art1", "art4"), ("art2", "art3"), ("art5",)]
    [may] = [r for r in rows if "art2" in r["article_ids"]]
    assert (may["date_start"], may["date_end"]) == (date(2021, 5, 21), date(2021, 5, 21))


def test_a_count_in_brackets_after_a_count_is_a_part_of_it(analyse):
    """공관장 30명(분관장 2명 포함): the meeting has 30 attendees, not 30 and 2."""
    events = analyse("7일 서울 외교부 청사에서 열린 아주지역 공관장회의에는 공관장 30명(분관장 2명 포함)이 참석했다.",
                     date(2024, 11, 8)).events
    assert [[c["value"] for c in e["counts"]] for e in events] == [[30.0]]
