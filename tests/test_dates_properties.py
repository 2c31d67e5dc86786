"""Property tests: extract_dates never raises and always returns well-formed mentions."""
from __future__ import annotations

import re
from datetime import date

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline.extract.dates import extract_dates

DATE_ALPHABET = list("0123456789년월일.~-/' ’‘`()주분기상하반께말초중순") + [
    "지난", "오는", "이번", "올해", "내년", "지난해", "전날", "이날", "다음 달", "이달", "개월", " 전", " 후", "요일",
    "부터", "까지", "과", ", ", "·", " ", "\n", "\u00a0", "February ", "and ", "년대", "시즌", "추석 ", "(금)",
    "설날", "설 연휴", "부처님오신날", "첫째 ", "마지막 ", "날", "화요일", "세기", "에서 ", "사이", "최근 ", "향후 ",
    "앞으로 ", "이천", "삼월 ", "시월", "구일", "이십", "모레", "내일모레", "그끄저께", "저번주 ", "삼분기", "주 ",
    "간", " 동안", " 이내", " 안에", "한 달", "일주일", "열흘", "오전 ", "오후 ", "밤 ", "새벽 ", "시", "분", ":", " 반",
    "께", "(현지시간) ", "부터 ", "수 있다", "후 ",
]
# the shortest span a mention of each grain may cover, in days (parts narrow: 5월 초 = 10 days, 주말 = 2)
MIN_SPAN_DAYS = {"day": 1, "week": 2, "month": 8, "quarter": 28, "half": 28, "year": 28, "decade": 365,
                 "century": 3650}
datey_text = st.lists(st.sampled_from(DATE_ALPHABET), max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=200), datey_text, st.tuples(st.text(max_size=30), datey_text).map("".join))
references = st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
                       st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)))


def _check(text: str, reference: date | None) -> None:
    mentions = extract_dates(text, reference)
    previous_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.start >= previous_end
        previous_end = m.end
        assert (m.date_start is None) == (m.date_end is None)
        if m.date_start is not None:
            assert m.date_start <= m.date_end
            assert (m.date_end - m.date_start).days + 1 >= MIN_SPAN_DAYS[m.grain], "grain consistent with span"
        assert m.grain in MIN_SPAN_DAYS
        assert m.resolution in {"absolute", "relative_to_reference", "relative_to_previous_date", "unresolved"}
        assert m.timex and m.rule
        if "T" in m.timex:                       # a clock time only on a single day: 2025-05-30T14:00
            assert m.grain == "day" and m.date_start == m.date_end
            assert all(re.fullmatch(r"(?:\d{4}|XXXX)-(?:\d{2}|XX)-(?:\d{2}|XX)T\d{2}:\d{2}", part)
                       for part in m.timex.split("/")), m.timex


@settings(max_examples=300, deadline=None)
@given(any_text, references)
def test_never_raises_and_offsets_valid(text: str, reference: date | None) -> None:
    _check(text, reference)


@settings(max_examples=200, deadline=None)
@given(datey_text, st.sampled_from([None, date(2024, 5, 22), date(1, 1, 1), date(9999, 12, 31), date(2024, 2, 29)]))
def test_date_like_text_at_calendar_edges(text: str, reference: date | None) -> None:
    _check(text, reference)


def test_extreme_references_do_not_raise() -> None:
    text = ("지난해 12월 31일과 내년 1월 1일, 다음 주, 3일 후, 10년 전, 1분기, 상반기, 이번 겨울, 추석 연휴, "
            "10월 첫째 화요일, 3월 마지막 날, 최근 5년, 1개월 21일 전, 21세기, 2015년부터 2017년 5월 5일까지")
    for reference in (date.min, date.max, None):
        _check(text, reference)


WINDOW_UNITS = {"일": "day", "주": "week", "개월": "month", "년": "year"}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["지난", "최근", "과거", "향후", "앞으로"]), st.integers(1, 99), st.sampled_from(sorted(WINDOW_UNITS)),
       st.sampled_from(["", "간", " 동안"]), st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)))
def test_rolling_windows(word, n, unit, tail, reference):
    """A rolling window runs N units back from (or on from) the reference, with the unit as its grain
    (지난 3일 without 간/동안 is the 3rd of the month, not a window)."""
    assume(not (word == "지난" and unit == "일" and not tail))
    text = f"정부는 {word} {n}{unit}{tail} 지원을 늘렸다."
    [m] = extract_dates(text, reference)
    assert m.text == f"{word} {n}{unit}{tail}" and m.grain == WINDOW_UNITS[unit]
    assert m.date_start <= m.date_end
    assert (m.date_end if word in ("지난", "최근", "과거") else m.date_start) == reference
    days = (m.date_end - m.date_start).days
    per_unit = {"day": (1, 1), "week": (7, 7), "month": (28, 31), "year": (365, 366)}[m.grain]
    assert n * per_unit[0] <= days <= n * per_unit[1]
    _check(text, reference)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 28), st.sampled_from(["오전", "오후", ""]), st.integers(1, 12), st.integers(0, 59),
       st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)))
def test_day_with_clock_time(day, part, hour, minute, reference):
    """30일 오후 2시 5분: one day-grain mention whose TIMEX carries the time on the 24-hour clock."""
    clock = f"{part} {hour}시 {minute}분".strip() if minute else f"{part} {hour}시".strip()
    text = f"회의는 {day}일 {clock} 열렸다."
    [m] = extract_dates(text, reference)
    assert m.text == f"{day}일 {clock}" and m.grain == "day" and m.date_start == m.date_end
    h24 = (0 if hour == 12 else hour) if part == "오전" else (hour if hour == 12 else hour + 12) if part == "오후" else hour
    assert m.timex == f"{m.date_start.isoformat()}T{h24:02d}:{minute:02d}"
    assert m.date_start.day == day and abs((m.date_start - reference).days) <= 62
    _check(text, reference)
