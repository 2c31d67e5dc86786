"""Events carry their date's grain (issue 15): an event dated "2025" is a year, not 1 January."""
from __future__ import annotations

from datetime import date

from pipeline.document import analyse
from pipeline.events import cluster_rows, finish_events


def _events(text: str, reference: date) -> list[dict]:
    return finish_events("art", analyse(text, reference).events)


def test_event_dated_by_a_year_has_year_grain():
    events = _events("정상들은 2025년 파리에서 열린 AI 정상회의에서 공동선언을 채택했다.", date(2025, 5, 22))
    assert events
    for e in events:
        assert (e["date_start"], e["date_end"], e["date_grain"]) == (date(2025, 1, 1), date(2025, 12, 31), "year")


def test_event_dated_by_a_day_has_day_grain_and_clusters_keep_it():
    events = _events("정상들은 2024년 5월 21일 서울에서 열린 AI 정상회의에서 서울 선언을 채택했다.", date(2024, 5, 22))
    assert {e["date_grain"] for e in events} == {"day"}
    rows = cluster_rows(events, {"art": "연합뉴스"})
    assert rows and {r["date_grain"] for r in rows} == {"day"}
