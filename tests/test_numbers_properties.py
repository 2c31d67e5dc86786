"""Property tests for pipeline.numbers: total on any str, well-formed output."""
from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract import numbers
from pipeline.extract.numbers import extract_numbers
from pipeline.extract.number_forms import AMBIGUOUS
from pipeline.extract.numeral_words import parse_numeral

KINDS = {"count", "money", "percent", "ordinal", "duration", "measure", "other", "numeral", "time"}
QUALIFIERS = {"exact", "approx", "at_least", "more_than", "at_most", "less_than"}
COUNTED = {"country", "organization", "person", "other"}

NUMBERY = "0123456789,.%여약명개국곳이상미만만억조천백십 ~∼-−()점분의대"
HANGUL = ("가나다라마바사아자차카타파하한두세네열스무서른기업국가회원대학년월일시분초간동안째번차위등원달러엔유로배살세"
          "하나둘셋넷다섯스물쉰마이너스영삼사오육칠팔구법조각과")
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
        if m.kind in ("count", "ordinal"):
            assert m.value >= 0
        if m.value_max is not None:
            assert math.isfinite(m.value_max) and m.value_max >= m.value
        assert m.kind in KINDS
        assert m.qualifier in QUALIFIERS
        assert (m.unit is None) == (m.kind == "numeral")
        assert (m.unit is None or isinstance(m.unit, str)) and isinstance(m.rule, str) and m.rule
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


# --------------------------------------------------------------------------- numerals written out
_SINO = "영일이삼사오육칠팔구"
_NATIVE_UNITS = ["", "하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉"]
_NATIVE_ATTR = ["", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉"]
_NATIVE_TENS = ["", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔"]


def sino_words(n: int, write_one: bool = False) -> str:
    """n written out in Sino-Korean (만/억/조/경 groups of four digits; 일 before a unit only if write_one)."""
    if n == 0:
        return "영"
    out = []
    for big_index, big in reversed(list(enumerate(["", "만", "억", "조", "경"]))):
        group = (n // 10 ** (4 * big_index)) % 10000
        if not group:
            continue
        text = ""
        for power, unit in ((3, "천"), (2, "백"), (1, "십"), (0, "")):
            digit = (group // 10 ** power) % 10
            if digit:
                text += ("" if digit == 1 and unit and not write_one else _SINO[digit]) + unit
        out.append(text + big)
    return "".join(out)


@SETTINGS
@given(st.integers(min_value=0, max_value=10**16), st.booleans())
def test_sino_korean_round_trip(n, write_one):
    assert parse_numeral(sino_words(n, write_one)) == float(n)


@SETTINGS
@given(st.integers(min_value=1, max_value=99))
def test_native_round_trip(n):
    tens, units = divmod(n, 10)
    assert parse_numeral(_NATIVE_TENS[tens] + _NATIVE_UNITS[units]) == float(n)
    attributive = ("스무" if n == 20 else _NATIVE_TENS[tens] + _NATIVE_ATTR[units])
    [m] = extract_numbers(f"모두 {attributive} 명이 왔다.")
    assert (m.value, m.kind, m.counted) == (float(n), "count", "person")


@SETTINGS
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_bare_and_decimal_numerals_are_emitted(n, cents):
    words = sino_words(n + 111)
    text = f"지수는 {n:,}.{cents:02d}에 마감했고 참가자는 {words}이었다."
    found = [m for m in extract_numbers(text) if m.kind == "numeral"]
    # a few Sino-Korean words are also names and places (이천, 사천, 이백), one syllable (천, 만) is a word of its
    # own: never bare numerals
    bare = words not in AMBIGUOUS and len(words) > 1
    assert [m.value for m in found] == [float(f"{n}.{cents:02d}")] + ([float(n + 111)] if bare else [])


@SETTINGS
@given(st.sampled_from(["오전", "오후", "밤", "새벽", ""]), st.integers(0, 23), st.integers(0, 59), st.booleans(),
       st.sampled_from(["", "께", "쯤", "경"]))
def test_clock_times(part, hour, minute, colon, approx):
    """A clock time alone is one number of kind time: its value is the hour on the 24-hour clock, in [0, 24]."""
    if colon:
        clock = f"{part} {hour:02d}:{minute:02d}".strip()
    else:
        clock = f"{part} {hour}시 {minute}분".strip() if minute else f"{part} {hour}시".strip()
    text = f"회의는 {clock}{approx} 다시 열렸다."
    found = extract_numbers(text)
    _check(text, found)
    times = [m for m in found if m.kind == "time"]
    if part and hour > 12 and part in ("오전", "새벽"):
        assert not times                          # 오전 14시 is no time
        return
    [m] = times
    assert m.text == clock + approx and m.unit == "시" and m.qualifier == ("approx" if approx else "exact")
    assert 0 <= m.value <= 24 and math.isclose(m.value % 1, minute / 60, abs_tol=1e-9)
    assert int(m.value) % 12 == hour % 12 or (part == "밤" and hour == 12 and m.value == 24)
