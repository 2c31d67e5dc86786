"""Property tests for pipeline.numbers: total on any str, well-formed output."""
from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract import numbers
from pipeline.extract.numbers import extract_numbers

KINDS = {"count", "money", "percent", "ordinal", "duration", "measure", "other"}
QUALIFIERS = {"exact", "approx", "at_least", "more_than", "at_most", "less_than"}
COUNTED = {"country", "organization", "person", "other"}

NUMBERY = "0123456789,.%여약명개국곳이상미만만억조천백십 ~∼-()"
HANGUL = "가나다라마바사아자차카타파하한두세네열스무서른기업국가회원대학년월일시분초간동안째번차위등원달러엔유로배살세"
ENGLISH = "overmorethanaboutcountriespeopleparticipants $0123456789"

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

texts = st.one_of(
    st.text(),
    st.text(alphabet=NUMBERY),
    st.text(alphabet=NUMBERY + HANGUL),
    st.text(alphabet=NUMBERY + HANGUL + "\n\t·ㆍ'’\"*①②"),
    st.text(alphabet=ENGLISH + NUMBERY),
    st.lists(st.sampled_from([
        "1,000", "여", "명", " ", "개국", "이상", "약 ", "총 ", "2만", "5천", "억", "조", "원", "달러",
        "~", "∼", "%", "수십", "세 ", "번째", "제", "22", "대", "국회", "(", ")", "32", "씨", "over ",
        "countries", "3.5", "개 ", "기업", "·", "기관", "년간", "개월", "넘는", "가량", "분의", "-", "1",
    ]), max_size=30).map("".join),
)


def _check(text: str, ms) -> None:
    assert isinstance(ms, list)
    last_end = 0
    for m in ms:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.start >= last_end, "sorted and non-overlapping"
        last_end = m.end
        assert isinstance(m.value, float) and math.isfinite(m.value)
        assert m.value >= 0
        assert m.kind in KINDS
        assert m.qualifier in QUALIFIERS
        assert isinstance(m.unit, str) and isinstance(m.rule, str) and m.rule
        if m.kind == "count":
            assert m.counted in COUNTED
        else:
            assert m.counted is None and m.counted_noun is None


@SETTINGS
@given(texts)
def test_never_raises_and_well_formed(text):
    _check(text, extract_numbers(text))


@SETTINGS
@given(texts)
def test_core_never_raises(text):
    # the internal function, without the public safety net: a bug must show here
    _check(text, numbers._extract(text))


@SETTINGS
@given(st.text(alphabet=NUMBERY + HANGUL, max_size=40), st.text(alphabet=NUMBERY + HANGUL, max_size=40))
def test_mentions_do_not_depend_on_far_context(prefix, suffix):
    """A mention inside a sentence keeps valid offsets whatever surrounds it."""
    text = prefix + " 참가자 1,000여명이 " + suffix
    _check(text, extract_numbers(text))


@SETTINGS
@given(st.integers(min_value=1, max_value=10**12))
def test_arabic_counts_round_trip(n):
    text = f"모두 {n:,}명이 참석했다."
    ms = [m for m in extract_numbers(text) if m.kind == "count"]
    assert len(ms) == 1
    assert ms[0].value == float(n)
    assert ms[0].counted == "person"


def test_non_str_input_is_empty():
    assert extract_numbers("") == []
