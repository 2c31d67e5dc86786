"""Number forms beside the counter-led quantities of :mod:`pipeline.extract.numbers`, read with the word-numeral
grammar (:mod:`pipeline.extract.numeral_words`):

* **bare numerals** — a numeral standing as a word of its own (followed by a space, punctuation or a particle),
  Arabic or in words (``2,650.31``, ``삼천이백``, ``스물다섯``, ``하나``, ``마이너스 3``): kind ``numeral``, no
  unit.  Not bare numerals: digits glued to letters or to a Hangul word (``G7``, ``코로나19``, ``3차원``), list
  markers (``1.``, ``2)`` at a line start), row numbers opening a line, anything inside a date or a time
  (``2024 파리올림픽``, ``5·18``, ``12:30``);
* **fractions** — ``삼분의 일``, ``3분의 2``, ``일과 이분의 일`` (= 1.5), ``1/3``, ``절반``, with a qualifier that
  follows (``3분의 2 이상``): kind ``other``, unit ``분의``;
* **durations in words** — ``5박 7일`` (7 days), day counts before a duration word (``사흘간``, ``열흘 만에``),
  hours and minutes (``1시간 50분`` = 110 minutes);
* **decimals in words** — ``이백점 영삼`` (= 200.03), with a unit when one follows (``삼점 오 퍼센트``);
* **scores** — ``50 대 36`` (not 50 of the counter 대): kind ``other``, unit ``score``.

Candidates are tuples ``(start, end, value, kind, unit, counted, counted_noun, qualifier, rule)``, the shape the
numbers extractor selects from.
"""
from __future__ import annotations

import re

from .numeral_words import NATIVE, NATIVE_WORD, NEGATIVE_WORDS, SINO_WORD, _D, _W, alternation, parse_numeral

_AR = r"[0-9０-９]{1,3}(?:[,，][0-9０-９]{3})+(?:[.．][0-9０-９]+)?|[0-9０-９]+(?:[.．][0-9０-９]+)?"
_BIGC = "".join(_D["big_units"])
_ARCORE = rf"(?:{_AR})(?:[{_BIGC}](?!각)(?: ?(?:{_AR}))?)*"
_FOLLOW = alternation(_W["bare_follow"])
_END = rf"(?=$|[^가-힣0-9A-Za-z０-９.,%％·ㆍ'’\"”」』》〉\]]|[.,](?![0-9])|(?:{_FOLLOW})(?![가-힣]))(?![-–][0-9])"
# a native numeral standing alone is followed by a particle or punctuation (둘 것이다: a verb)
_NATIVE_END = rf"(?=$|[,.!?)]|(?:{_FOLLOW})(?![가-힣]))"
AMBIGUOUS = frozenset(_W["bare_ambiguous_words"])   # 이천 (a city), 사천, 이백 (a poet), 열세 (a noun) …
_BEFORE = r"(?<![0-9A-Za-z가-힣０-９.,_/#~∼〜～·ㆍ\-−–:@$€£¥₩%])"
_NEG = rf"(?P<neg>(?:{alternation(NEGATIVE_WORDS)}) ?|[-−](?=[0-9０-９]))"
_SMALL_UNITS = set(_D["sino_small_units"])
_UNIT_CHARS = _SMALL_UNITS | set(_D["big_units"]) | set(_W["word_big_units"])
_SHORT_NATIVE = {w for w in NATIVE if len(w) == 1} - set(_W["native_standalone"])

_FIRST = "0-9０-９\\-−" + "".join(sorted({w[0] for w in NEGATIVE_WORDS} | {w[0] for w in NATIVE} | set("일이삼사오육칠팔구십백천")))
_BARE_RE = re.compile(
    rf"(?=[{_FIRST}]){_BEFORE}{_NEG}?(?:(?P<ar>{_ARCORE})|(?P<sino>{SINO_WORD})|(?P<native>{NATIVE_WORD})){_END}")
_DATE_CONTEXT = 30                  # characters of context either side when looking for a date around a numeral
_YEAR_LIKE = re.compile(r"(?:19|20)[0-9]{2}")
_LATIN_BEFORE = re.compile(r"[A-Za-z][ ]$")
_LIST_MARKER = re.compile(r"[.)](?=\s|[가-힣]|$)")

_NUMWORD = rf"(?:{_AR}|{SINO_WORD}|[일이삼사오육칠팔구십백천])"
_FRACTION_RE = re.compile(
    rf"(?<![가-힣0-9])(?:(?P<whole>{_AR}|{SINO_WORD}|[일이삼사오육칠팔구]) ?(?:{alternation(_W['fraction_joiners'])}) )?"
    rf"(?P<den>{_NUMWORD}) ?분의 ?(?P<num>{_NUMWORD}?)(?:{_END})"
    rf"|(?<![0-9A-Za-z./\-])(?P<num_s>[0-9]{{1,3}})/(?P<den_s>[0-9]{{1,3}})(?![0-9/.]| ?(?:분기|/))(?=$|[^0-9A-Za-z가-힣]|(?:{_FOLLOW}))"
    rf"|(?<![가-힣])(?P<word>{alternation(_W['fraction_words'])})(?={_END}|[ ]?(?:이상|이하|가량|정도|넘게|남짓|가까이|쯤))")
_DECIMAL_RE = re.compile(rf"(?=[영공일이삼사오육칠팔구십백천만억조경0-9])(?<![가-힣0-9])(?P<n>{SINO_WORD})")
_NIGHTS_DAYS_RE = re.compile(r"(?<![0-9A-Za-z.,])(?P<n>[0-9]{1,3}) ?박 ?(?P<d>[0-9]{1,3}) ?일(?:간| ?동안)?"
                             r"(?=$|[^가-힣]|[은는이가을를의에로과와도])")
_DAY_COUNT_RE = re.compile(rf"(?<![가-힣])(?P<w>{alternation(_W['day_count_words'])})"
                           rf"(?P<f> ?(?:{alternation(_W['day_count_follow'])}))")
_HOURS_MINUTES_RE = re.compile(r"(?<![0-9A-Za-z.,])(?P<h>[0-9]{1,3}) ?시간 ?(?P<m>[0-5]?[0-9]) ?분(?: ?(?P<s>[0-5]?[0-9]) ?초)?"
                               r"(?=$|[^가-힣]|[은는이가을를의에로과와도만씩])")
_DAY_COUNT_Q = {"가량": "approx", "정도": "approx", "남짓": "approx", "여": "approx", "이상": "at_least",
                "넘게": "more_than"}
_SCORE_RE = re.compile(r"(?<![0-9A-Za-z.,])(?P<a>[0-9]{1,3}) ?대 ?(?P<b>[0-9]{1,3})(?![0-9.,%])"
                       r"(?=$|[^가-힣]|으로|로|의|이|가|을|를|에|와|과|까지)")


def _line_start(text: str, pos: int) -> bool:
    return not text[text.rfind("\n", 0, pos) + 1:pos].strip()


def _bare_ok(text: str, m: re.Match) -> bool:
    """A bare numeral that is a quantity's number, not a code, a list marker, a row number or a year."""
    word = m.group("ar") or m.group("sino") or m.group("native")
    if m.group("ar"):
        digits = word.replace(",", "")
        if digits.isdigit() and (len(digits) > _W["bare_max_digits"] or (len(digits) > 1 and digits[0] == "0")):
            return False                                   # 202102031524400991, 035720: ids and codes
        if _YEAR_LIKE.fullmatch(digits) or (digits.isdigit() and len(digits) <= 2 and _LIST_MARKER.match(text, m.end())):
            return False
        if digits.isdigit() and len(digits) >= 3 and _line_start(text, m.start()) and text[m.end():m.end() + 1] == " ":
            return False                                   # '30669 경찰 …': a board's row number
        return not _LATIN_BEFORE.search(text, max(0, m.start() - 12), m.start())   # iOS 7, Galaxy S 3
    if word in AMBIGUOUS:
        return False
    if m.group("native"):                               # 한/두/세/네/열/쉰 alone are other words
        return word not in _SHORT_NATIVE and re.match(_NATIVE_END, text[m.end():]) is not None
    word = word.replace(" ", "")
    if "점" in word:
        return True
    # two syllables only with 십/백/천 (십일, 오백): 구조, 일조, 오만 are words
    return len(word) > _W["bare_min_sino_chars"] or (len(word) == _W["bare_min_sino_chars"]
                                                      and any(ch in _SMALL_UNITS for ch in word))


def bare_candidates(text: str, masked, dates_in) -> list[tuple]:
    """dates_in(start, end): the (start, end) spans of the dates found in text[start:end] (offsets into text);
    a bare numeral inside one is part of a date (5·18, 2013~14 시즌, 10 and 11 February)."""
    out = []
    for m in _BARE_RE.finditer(text):
        if not _bare_ok(text, m):
            continue
        end = m.end()
        if m.group("sino") and len(m.group("sino")) > 2 and text[end - 2:end - 1] in _UNIT_CHARS \
                and text[end - 1] == "이" and re.match(_END, text[end - 1:]):
            end -= 1                                       # 삼만이 늘었다: 30000 and the particle 이, not 30002
        value = parse_numeral(text[m.start():end])
        if value is None or masked(m.start(), end):
            continue
        window = (max(0, m.start() - _DATE_CONTEXT), min(len(text), end + _DATE_CONTEXT))
        if any(s < end and m.start() < e for s, e in dates_in(*window)):
            continue
        kind = "ar" if m.group("ar") else "sino" if m.group("sino") else "native"
        out.append((m.start(), end, value, "numeral", None, None, None, "exact", f"ko.{kind}.numeral"))
    return out


def fraction_candidates(text: str, masked, qualifier_after) -> list[tuple]:
    """3분의 1, 삼분의 일, 일과 이분의 일, 1/3, 절반 (with a qualifier that follows: 3분의 2 이상)."""
    out = []
    if "분의" not in text and "/" not in text and not any(w in text for w in _W["fraction_words"]):
        return out
    for m in _FRACTION_RE.finditer(text):
        if m.group("word"):
            value = _W["fraction_words"][m.group("word")]
        else:
            den = parse_numeral(m.group("den") or m.group("den_s"))
            num = parse_numeral(m.group("num") or m.group("num_s") or "")
            whole = parse_numeral(m.group("whole")) if m.group("whole") else 0.0
            if not den or num is None or whole is None:
                continue
            value = whole + num / den
        if masked(m.start(), m.end()):
            continue
        qualifier, end = qualifier_after(text, m.end())
        out.append((m.start(), end, value, "other", "분의", None, None, qualifier or "exact", "ko.fraction"))
    return out


def decimal_candidates(text: str, masked, match_unit) -> list[tuple]:
    """Decimals in words (이백점 영삼), with the unit that follows if any."""
    out = []
    if "점" not in text:
        return out
    for m in _DECIMAL_RE.finditer(text):
        if "점" not in m.group("n") or masked(m.start(), m.end()):
            continue
        value = parse_numeral(m.group("n"))
        if value is None:
            continue
        entry, end = match_unit(text, m.end(), False, False, False)
        if entry is not None and entry["kind"] not in ("skip", "count"):
            out.append((m.start(), end, value, entry["kind"], entry.get("out", entry["u"]), None, None, "exact",
                        "ko.decimal_word." + entry["kind"]))
        elif re.match(_END, text[m.end():]):
            out.append((m.start(), m.end(), value, "numeral", None, None, None, "exact", "ko.decimal_word.numeral"))
    return out


def duration_candidates(text: str, masked) -> list[tuple]:
    """5박 7일 (a trip of 7 days), 1시간 50분 (110 minutes) and day counts in words before a duration word (사흘간,
    열흘 만에)."""
    out = []
    if "박" in text:
        for m in _NIGHTS_DAYS_RE.finditer(text):
            days = m.group("d")
            if not masked(m.start(), m.end()):
                out.append((m.start(), m.end(), float(days), "duration", "일", None, None, "exact", "ko.nights_days"))
    for m in _HOURS_MINUTES_RE.finditer(text):            # 1시간 50분: one duration, in minutes
        if not masked(m.start(), m.end()):
            minutes = int(m.group("h")) * 60 + int(m.group("m")) + int(m.group("s") or 0) / 60
            out.append((m.start(), m.end(), float(minutes), "duration", "분", None, None, "exact", "ko.hours_minutes"))
    for m in _DAY_COUNT_RE.finditer(text):
        follow = m.group("f").strip()
        end = m.end() - 1 if follow.startswith("만") else m.end()      # 열흘 만에: the span ends at 만
        if not masked(m.start(), end):
            out.append((m.start(), end, float(_W["day_count_words"][m.group("w")]), "duration", "일", None, None,
                        _DAY_COUNT_Q.get(follow, "exact"), "ko.day_count"))
    return out


def score_candidates(text: str, masked) -> list[tuple]:
    """50 대 36: a score or ratio, not 50 of the counter 대."""
    if "대" not in text:
        return []
    return [(m.start(), m.end(), float(m.group("a")), "other", "score", None, None, "exact", "ko.score.dae")
            for m in _SCORE_RE.finditer(text) if not masked(m.start(), m.end())]
