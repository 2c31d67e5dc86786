"""Quantity extractor: ``extract_numbers(text) -> list[NumberMention]``.

Character rules (regexes) over the raw text, driven by the tables in
``pipeline/extract/data/numbers.json`` (loaded once at import).  Pure: no I/O after
import, no clock, never raises on a ``str``.

How a mention is built (Duckling style: a head, then optional pieces):

* **head** -- one of
  - an Arabic number, possibly mixed with Korean units: ``1,000`` ``3.5``
    ``1조2000억`` ``2만5천`` ``1억 5천만`` (digits must not touch Latin letters:
    ``G7``, ``A4``, ``COVID-19``, ``5G`` never start a mention);
  - a Sino-Korean number word: ``삼십``, ``천``, ``오백만`` (needs a unit);
  - a vague ``수십/수백/수천/수만/수억/수조`` (needs a unit; value = the unit,
    qualifier ``at_least``: ``수십 명`` -> 10 person at_least);
  - a native numeral before a counter: ``한/두/세/네 … 열한 … 스무 … 아흔아홉``,
    ``첫`` (only ``첫 번째``), approximate pairs ``두세/서너/대여섯`` (qualifier
    approx, value = the lower number);
  - ``제`` + number (``제3차``, ``제22대``, ``제2조``): always kind ordinal.
* **range** -- ``200만∼400만원``, ``10~20명``, ``3%~4%``: one mention, value =
  the lower bound (a lower bound without a myriad unit borrows the upper
  bound's: ``2~3억원`` -> 2e8), qualifier ``at_least``.
* ``여`` -- ``70여 명``, ``1,000여명`` -> qualifier approx.
* **unit** -- the longest unit of the table that starts right after the number
  (one optional space).  A Hangul unit followed by Hangul must be followed by a
  particle (``명의``, ``곳에서``), which rejects ``3대책``, ``1차적``, ``천명하다``.
  The generic counters ``개``/``곳`` take a following noun of the generic-noun
  table (``14개 기업``, ``16개 기업·기관``, ``60개 국가``, ``10개의 기업``) or a
  noun right before the number (``기업 14곳``) to decide the counted class.
* **qualifiers** -- a prefix word (``약``, ``최대``, ``총``…; part of the span),
  a suffix word (``이상``, ``미만``, ``가량``…; part of the span) or an exceed
  verb (``1만 명이 넘는`` -> more_than, span ends at the verb stem).
* English in mixed text: ``over 100 countries``, ``1,000 participants``,
  ``$1.5 billion``, ``20 percent``.
* ages in parentheses after a name: ``김모(32)씨``, ``박씨(45세)`` -> other/세.
* fractions ``3분의 1`` -> other, value 1/3.

* bare numerals (a number standing as a word: ``2,650.31에``, ``삼천이백``, ``스물다섯이다``,
  ``인구 1000만``) are kind ``numeral`` with no unit; fractions (``삼분의 일``, ``1/3``, ``절반``),
  decimals in words (``이백점 영삼``) and scores (``50 대 36``): :mod:`pipeline.extract.number_forms`;
  law articles (``관세법 338조``) are ordinals with unit 조.  A range keeps its upper bound in
  ``value_max`` (``96~7%`` -> 96 and 97).  A minus (``마이너스``, ``영하``, ``-``, ``−``) makes a value
  negative (never a count's).

* clock times (``오후 2시 30분``, ``14:00``, ``밤 9시께``, ``오후 3~5시``): kind ``time``, unit ``시``, value the
  hour on the 24-hour clock (14.5), a range's end in ``value_max`` (:mod:`pipeline.extract.clock`).

Not emitted: list markers ``1.``, phone numbers, codes and ids, numbers glued to letters or words
(``G7``, ``코로나19``), dates (units 년/월/일 unless a duration: ``3년간``, ``6개월``, ``2주 동안``, ``1년 이상``,
``12년 만``; a lone ``N분``/``N초`` only as a duration), URLs and e-mail addresses.

The numeral grammar (tables and regexes from ``data/numbers.json``, numeral parsing) is
:mod:`pipeline.extract.numerals`; this module builds mentions from it.
"""
from __future__ import annotations

import math
import re

from pipeline.extract.mentions import NumberMention

from .clock import clock_candidates
from .dates import extract_dates
from .numeral_words import parse_numeral
from .number_forms import (bare_candidates, decimal_candidates, duration_candidates, fraction_candidates,
                           score_candidates)
from .numerals import _LAW_BEFORE_RE, _LAW_NOT_AFTER_RE, _NEG_BEFORE_RE, _AGE_BLOCK_RE, _AGE_RE, _BIG, _CURRENCY, _DAE_COUNT_BEFORE_RE, _DAE_RE, _DURATION_CONTEXT_RE, _EMAIL_RE, _EN_MULT, _EN_NOUNS, _EN_PREFIX, _EN_RE, _FRACTION_RE, _GENERIC, _HEAD_RE, _LABELLED, _LABELLED_RE, _MASK_RE, _NATIVE, _NATIVE_ATTACH_EXCLUDE, _NATIVE_FIRST, _NATIVE_FIRST_UNITS, _NATIVE_NOUN_MIN, _NATIVE_ORD, _NATIVE_ORD_RE, _NOUNS, _NOUN_BEFORE_RE, _NOUN_RE, _PARTICLES, _PREFIX_Q, _PREFIX_RE, _RANGE_NATIVE_RE, _RANGE_Q, _RANGE_RE, _SCORE_RE, _SINO_DIGITS, _SINO_SMALL, _URL_RE, _YEO_RE, _is_hangul, _largest_big, _match_unit, _num, _parse_core, _qualifier_suffix
__all__ = ["extract_numbers"]
_CLOCK_BEFORE_RE = re.compile(r"[0-9０-９]{1,2}[ \u00a0]?시[ \u00a0]?$")

# --------------------------------------------------------------------------- Korean heads
def _korean_candidates(text: str, masked) -> list[tuple]:
    out: list[tuple] = []
    n = len(text)
    for m in _HEAD_RE.finditer(text):
        try:
            c = _build(text, m, n)
        except (ValueError, OverflowError, ZeroDivisionError):
            c = None
        if c is None:
            continue
        if masked(c[0], c[1]):
            continue
        out.append(c)
    return out


def _noun_after(text: str, pos: int, n: int):
    """A generic-table noun at pos (``기업``, ``의 기업``, ``기업·기관``): (noun, end) or None."""
    nm = _NOUN_RE.match(text, pos)
    if not nm:
        return None
    after = nm.end()
    nxt = text[after] if after < n else ""
    if _is_hangul(nxt) and nxt not in _PARTICLES:
        return None                                        # 국가대표, 기업인
    return nm.group("noun"), after, nm.group(0)[:1] == "의"


def _build(text: str, m: re.Match, n: int):
    """One Korean candidate from a head match, or None."""
    je = m.group("je") is not None
    head_start = m.start()
    approx_native = False
    if m.group("ar") is not None:
        rule = "arabic"
        core_txt = m.group("ar")
        value = _parse_core(core_txt)
    elif m.group("vague") is not None:
        rule = "vague"
        core_txt = m.group("vague")[1:]
        value = _parse_core(core_txt)
    elif m.group("native") is not None:
        rule = "native"
        core_txt = m.group("native")
        v, approx_native = _NATIVE[core_txt]
        value = float(v)
    else:
        rule = "sino"
        core_txt = m.group("sino")
        # a lone Sino digit (이, 삼 …) is never a number on its own
        if all(ch in _SINO_DIGITS for ch in core_txt.replace(" ", "")):
            return None
        value = _parse_core(core_txt)
    if je and rule != "arabic":
        return None
    native = rule == "native"

    pos = m.end()
    value_max = value + 1 if approx_native else None          # 두세 명: 2-3
    upper_signed = False
    qualifier = "approx" if approx_native else "exact"
    if rule == "vague":
        qualifier = "at_least"
    has_yeo = False

    # 여 before a myriad unit: 430여만 명, 1천800여만원
    if rule == "arabic" and not je and pos + 1 < n and text[pos] == "여" and text[pos + 1] in _BIG:
        value *= _BIG[text[pos + 1]]
        core_txt += text[pos + 1]
        pos += 2
        has_yeo = True
        qualifier = "approx"

    # ranges: 200만∼400만원, 10~20명, 3%~4%, 두세 → (native pairs are words)
    is_range = False
    if not je and not has_yeo:
        rm = None
        if native:
            rm = _RANGE_NATIVE_RE.match(text, pos)
        else:
            e1, p1 = _match_unit(text, pos, False, False, False)
            tries = ((p1,) if e1 is not None and e1["kind"] != "skip" else ()) + (pos,)
            for p in tries:
                rm = _RANGE_RE.match(text, p)
                if rm:
                    break
        if rm:
            up_txt = rm.group("core")
            if not native:
                upper = _parse_core(up_txt)
                big_up = _largest_big(up_txt)
                # 2~3억원: the lower bound borrows the upper bound's myriad unit
                if big_up and not _largest_big(core_txt) and value * big_up <= upper:
                    value *= big_up
                value_max = _range_upper(value, upper, up_txt)
                if rm.group("neg") and value_max is None:
                    value_max = -upper                       # -5~-3%: the upper bound has its own minus
                upper_signed = rm.group("neg") is not None
            else:
                value_max = float(_NATIVE[up_txt][0])
            is_range = True
            pos = rm.end()
            core_txt += up_txt
            qualifier = _RANGE_Q

    # 여 (approx) before the unit: 70여 명, 1,000여명
    if not je and not has_yeo:
        ym = _YEO_RE.match(text, pos)
        if ym:
            pos = ym.end()
            has_yeo = True
            if not is_range:
                qualifier = "approx"

    law = _law_article(text, head_start, pos, core_txt, rule, je)
    if law is not None:
        return law
    entry, uend = _match_unit(text, pos, native, native, je)

    kind = "other"
    unit = ""
    counted = None
    counted_noun = None
    end = pos

    if entry is None:
        # a generic noun directly after the number: 세 국가, 두 회사, 30여 기업
        hit = None
        if (native and value >= _NATIVE_NOUN_MIN and core_txt not in _NATIVE_FIRST
                and text[m.end():m.end() + 1] in (" ", "\u00a0")) or (rule == "arabic" and has_yeo and not is_range):
            hit = _noun_after(text, pos, n)
            if hit and hit[2]:
                hit = None                                   # '세의 국가' is not Korean
        if hit:
            counted_noun, end, _ = hit
            kind, counted = "count", _NOUNS[counted_noun]
            rule += ".noun"
        elif je:
            nxt = text[pos] if pos < n else ""
            if _is_hangul(nxt) and nxt != "의":
                return None                                  # 제3자, 제1원전: part of a word
            kind, rule = "ordinal", "je"
        elif rule == "arabic" and _largest_big(core_txt) and (value >= 10000 or is_range):
            kind, rule, unit = "numeral", "bare_big", None   # 매출 1조2000억, 인구 1000만
        else:
            return None                                      # bare numbers are not quantities
    else:
        u = entry["u"]
        if native and core_txt in _NATIVE_FIRST and u not in _NATIVE_FIRST_UNITS:
            return None
        if native and text[head_start:uend] in _NATIVE_ATTACH_EXCLUDE:
            return None                                      # 한번(은): an idiom
        if rule == "sino" and len(core_txt.replace(" ", "")) == 1 and text[pos:pos + 1] != " " \
                and entry["kind"] != "money" and not has_yeo:
            return None                                      # 천명(하다), 만명
        if rule == "sino" and text[pos:pos + 1] not in (" ", "\u00a0") and not has_yeo \
                and entry["kind"] != "money" and not any(ch in _SINO_SMALL for ch in core_txt) \
                and len(core_txt) <= 2:
            return None                                      # 구조자, 오만(한): words, not numbers
        if rule == "arabic" and not je and not is_range and not has_yeo and core_txt.isdigit() \
                and len(core_txt) >= 3 and text[pos:pos + 1] in (" ", "\u00a0") \
                and entry["kind"] not in ("percent", "money", "measure"):
            # '30669 경찰 …', '30652 칸 …': a number opening a line and followed by a
            # space is a row number, not a quantity
            ls = text.rfind("\n", 0, head_start) + 1
            if not text[ls:head_start].strip():
                return None
        kind = entry["kind"]
        unit = entry.get("out", u)
        if "max" in entry and value > entry["max"]:
            return None
        if value in entry.get("skip_values", ()):
            return None                                      # 2030세대: an age band, not households
        if "min" in entry and value < entry["min"]:
            return None
        if entry.get("no_big") and _largest_big(core_txt):
            return None
        if entry.get("require_big") and not _largest_big(core_txt):
            return None
        if je and entry.get("no_je"):
            return None                                      # 제3자 (a third party)
        if kind == "skip":
            # 년/일/분/초 are dates or times unless a qualifier makes them a length:
            # 1년 이상, 10여 년, 5시간 넘게; 징역 3년
            dq = entry.get("duration_with_qualifier")
            if not dq or je or (dq == "년" and value >= 1000):
                return None
            q, _ = _qualifier_suffix(text, uend)
            ctx = dq == "년" and not is_range and _DURATION_CONTEXT_RE.search(
                text, max(0, head_start - 8), head_start)
            if q is None and not has_yeo and not ctx:
                return None
            if dq in ("분", "초") and _CLOCK_BEFORE_RE.search(text, max(0, head_start - 6), head_start):
                return None                                  # 4시 13분쯤: a clock time, not a length
            kind, unit = "duration", dq
        if entry.get("qualifier"):
            qualifier = entry["qualifier"]
        special = entry.get("special")
        if special == "dae":
            if je or _DAE_RE.match(text, uend):
                kind = "ordinal"                             # 22대 국회
            elif value % 10 == 0 and 10 <= value <= 90 and not _DAE_COUNT_BEFORE_RE.search(
                    text, max(0, head_start - 8), head_start):
                kind = "other"                               # age group: 20대 남성 (not 버스 20대)
        elif special == "sedae" and value < 10:
            kind = "ordinal"                                 # 5세대 (generation)
        elif special == "shares" and value < 100 and not _largest_big(core_txt):
            return None                                      # 2주: weeks
        if je:
            kind = "ordinal"
        if kind == "count":
            counted = entry.get("counted", "other")
            if u in _GENERIC:
                hit = _noun_after(text, uend, n)
                if hit:
                    counted_noun, uend, _ = hit
                    counted = _NOUNS[counted_noun]
                else:
                    bm = _NOUN_BEFORE_RE.search(text, max(0, head_start - 12), head_start)
                    if bm:                                   # 기업 14곳
                        counted_noun = bm.group("noun")
                        counted = _NOUNS[counted_noun]
        end = uend

    # suffix qualifier (not for ordinals): 100개국 이상, 10명 가량, 1만 명이 넘는
    if kind != "ordinal":
        q, qend = _qualifier_suffix(text, end)
        if q is not None:
            if not (is_range and q == "approx"):
                qualifier = q
            end = qend

    # prefix qualifier: 약, 최대, 총 … (part of the span)
    start = head_start
    if not je:
        pm = _PREFIX_RE.search(text, max(0, start - 6), start)
        if pm:
            pq = _PREFIX_Q[pm.group("q")]
            start = pm.start()
            if qualifier == "exact" or (qualifier == "approx" and not is_range and not has_yeo
                                        and not approx_native and pq != "exact"):
                qualifier = pq

    if not je and kind not in ("count", "ordinal"):
        neg = _NEG_BEFORE_RE.search(text, max(0, start - 6), start)
        if neg:                                              # 마이너스 5%, -5퍼센트, 마이너스 3~4%
            start, value = neg.start(), -value
            value_max = -value_max if value_max is not None and not upper_signed else value_max
            if value_max is not None:
                value, value_max = min(value, value_max), max(value, value_max)
    if not math.isfinite(value) or (value < 0 and kind in ("count", "ordinal")):
        return None
    if value_max is not None and value_max < value:
        value_max = None                                     # 5~-3: no ordered range
    rule_id = f"ko.{rule}.{kind}" + (".range" if is_range else "")
    return (start, end, value, kind, unit, counted, counted_noun, qualifier, rule_id, value_max)


def _range_upper(value: float, upper: float, up_txt: str) -> float:
    """Upper bound of a range; a shortened one borrows the lower bound's leading digits (96~7% -> 97)."""
    if upper < value and up_txt.isdigit() and value == int(value):
        scale = 10 ** len(up_txt)
        borrowed = value - value % scale + upper
        if borrowed > value:
            return borrowed
    return upper if upper >= value else None


def _law_article(text: str, head_start: int, pos: int, core_txt: str, rule: str, je: bool):
    """관세법 338조, 당규 66조, 제66조: an article number after a law or rules name, or after 제 (an amount
    is never numbered); 66조 원 stays money."""
    if rule != "arabic" or not core_txt.endswith("조") or not core_txt[:-1].isdigit():
        return None
    named = je or _LAW_BEFORE_RE.search(text, max(0, head_start - 12), head_start)
    if not named or _LAW_NOT_AFTER_RE.match(text, pos):
        return None
    return (head_start, pos, float(core_txt[:-1]), "ordinal", "조", None, None, "exact", "ko.law_article", None)


# --------------------------------------------------------------------------- other rules
def _english_candidates(text: str, masked) -> list[tuple]:
    out = []
    for m in _EN_RE.finditer(text):
        cur, noun, pct, mult = m.group("cur"), m.group("noun"), m.group("pct"), m.group("mult")
        if not (cur or noun or pct or (mult and m.group("q"))):
            continue
        try:
            value = _num(m.group("num"))
        except ValueError:
            continue
        if mult:
            value *= _EN_MULT[mult.lower()]
        if not math.isfinite(value):
            continue
        q = m.group("q")
        qualifier = _EN_PREFIX[re.sub(r"\s+", " ", q.lower())] if q else "exact"
        start, end = m.start(), m.end()
        if cur:
            kind, unit, counted = "money", _CURRENCY[cur.upper()] if cur.upper() in _CURRENCY else _CURRENCY.get(cur, cur), None
            if noun:                            # "$5 million companies": keep money part
                end = m.end("mult") if mult else m.end("num")
        elif pct:
            kind, unit, counted = "percent", "%", None
        elif noun:
            kind, unit, counted = "count", noun.lower(), _EN_NOUNS[re.sub(r"\s+", " ", noun.lower())]
        else:
            kind, unit, counted = "other", "", None
        # a Korean unit glued to the number belongs to the Korean rules
        if masked(start, end):
            continue
        out.append((start, end, value, kind, unit, counted, None, qualifier, f"en.{kind}"))
    return out


def _age_candidates(text: str, masked) -> list[tuple]:
    out = []
    for m in _AGE_RE.finditer(text):
        g = "n" if m.group("n") is not None else "n2"
        gu = "u" if g == "n" else "u2"
        v = float(m.group(g))
        if not 0 < v < 130:
            continue
        s, e = m.start(g), m.end(gu) if m.group(gu) else m.end(g)
        if g == "n" and _AGE_BLOCK_RE.search(text, max(0, m.start() - 6), m.start()):
            continue                                   # 오늘(18): a date
        if g == "n" and "A" <= text[m.start() - 1] <= "Z" and m.start() >= 2 and text[m.start() - 2].isascii() \
                and text[m.start() - 2].isalpha():
            continue                                   # ABC(12): not an anonymised person
        if masked(s, e):
            continue
        out.append((s, e, v, "other", "세", None, None, "exact", "ko.age.paren"))
    return out


def _fraction_candidates(text: str, masked) -> list[tuple]:
    out = []
    for m in _FRACTION_RE.finditer(text):
        try:
            den = _num(m.group("den"))
            num = _num(m.group("num"))
        except ValueError:
            continue
        if den == 0 or not math.isfinite(den) or not math.isfinite(num):
            continue
        if masked(m.start(), m.end()):
            continue
        out.append((m.start(), m.end(), num / den, "other", "분의", None, None, "exact", "ko.fraction"))
    return out


def _score_candidates(text: str, masked) -> list[tuple]:
    out = []
    for m in _SCORE_RE.finditer(text):
        if masked(m.start(), m.end()):
            continue
        out.append((m.start(), m.end(), float(m.group("a")), "other", "score", None, None, "exact", "ko.score"))
    return out


def _labelled_candidates(text: str, masked) -> list[tuple]:
    out = []
    for m in _LABELLED_RE.finditer(text):
        try:
            v = _num(m.group("num"))
        except ValueError:
            continue
        if not math.isfinite(v) or masked(m.start("num"), m.end("num")):
            continue
        kind = _LABELLED[m.group("label")]
        out.append((m.start(), m.end(), v, kind, m.group("label"), None, None, "exact", "ko.labelled"))
    return out


def _native_ordinal_candidates(text: str, masked) -> list[tuple]:
    out = []
    for m in _NATIVE_ORD_RE.finditer(text):
        w = m.group("w") or m.group("w2")
        s, e = (m.start("w"), m.end("w")) if m.group("w") else (m.start("w2"), m.end("w2"))
        out.append((s, e, float(_NATIVE_ORD[w]), "ordinal", "째", None, None, "exact", "ko.native.ordinal_word"))
    return out


# --------------------------------------------------------------------------- entry point
def _extract(text: str) -> list[NumberMention]:
    masks = [(m.start(), m.end()) for m in _MASK_RE.finditer(text)]
    if "://" in text or "www." in text or "[email" in text:
        masks += [(m.start(), m.end()) for m in _URL_RE.finditer(text)]
    if "@" in text:
        masks += [(m.start(), m.end()) for m in _EMAIL_RE.finditer(text)]

    def masked(s: int, e: int) -> bool:
        for ms, me in masks:
            if ms < e and s < me:
                return True
        return False

    def masked_not_clock(s: int, e: int) -> bool:          # a clock time may cover a masked 14:30
        return any(ms < e and s < me and ":" not in text[ms:me] for ms, me in masks)

    cands = (_korean_candidates(text, masked) + _english_candidates(text, masked)
             + _age_candidates(text, masked) + _fraction_candidates(text, masked)
             + _score_candidates(text, masked) + _labelled_candidates(text, masked)
             + _native_ordinal_candidates(text, masked) + fraction_candidates(text, masked, _qualifier_suffix)
             + decimal_candidates(text, masked, _match_unit) + score_candidates(text, masked) + duration_candidates(text, masked)
             + clock_candidates(text, masked_not_clock))
    cands += bare_candidates(text, masked, lambda s, e: [(s + d.start, s + d.end)
                                                         for d in extract_dates(text[s:e], None)])
    # longest wins, then earliest
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[tuple[int, int]] = []
    chosen = []
    for c in cands:
        s, e = c[0], c[1]
        if e <= s:
            continue
        if any(ts < e and s < te for ts, te in taken):
            continue
        taken.append((s, e))
        chosen.append(c)
    chosen.sort(key=lambda c: c[0])
    return [
        NumberMention(start=c[0], end=c[1], text=text[c[0]:c[1]], value=float(c[2]), kind=c[3], unit=c[4],
                      counted=c[5], counted_noun=c[6], qualifier=c[7], rule=c[8],
                      value_max=c[9] if len(c) > 9 and c[9] is not None else None)
        for c in chosen
    ]


def _whole_numeral(text: str) -> list[NumberMention]:
    """A text that is nothing but one numeral (a table cell, a heading: 백, 열, 이천) is that numeral, however
    ambiguous the word would be inside a sentence."""
    word = text.strip()
    value = parse_numeral(word) if 0 < len(word) <= 40 else None
    if value is None or not math.isfinite(value):
        return []
    start = text.index(word)
    return [NumberMention(start, start + len(word), word, float(value), "numeral", None, None, None, "exact",
                          "ko.whole_text.numeral")]


def extract_numbers(text: str) -> list[NumberMention]:
    """All quantity mentions of ``text``, sorted by start, non-overlapping."""
    if not isinstance(text, str) or not text:
        return []
    try:
        return _whole_numeral(text) or _extract(text)
    except Exception:  # pragma: no cover - defensive: the contract is "never raises"
        return []
