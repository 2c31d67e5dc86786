"""Date mentions in Korean (and some English) news text.

``extract_dates(text, reference)`` finds calendar dates, ranges, relative words, weekdays,
quarters, halves, years and decades and resolves them to inclusive ``date`` ranges.

Rules are data (``pipeline/extract/data/dates.json``): regex *fragments* with ``{{NAME}}`` placeholders,
*patterns* (id, kind, regex) composed from them, and the word tables (relative words, weekdays,
quarters/halves, parts such as 초/중순/말, month names, holidays).  The code only composes and
compiles them once at import, runs every pattern, keeps the longest non-overlapping matches and
resolves them in text order.

Resolution choices (documented here because they are judgement calls):

* A month-day (or month) without a year goes to the year among ref.year-1 .. ref.year+1 whose
  occurrence is nearest the reference date, favouring the past: days into the future count
  ``future_weight`` (1.5) times, and leaving the reference's calendar year costs
  ``other_year_penalty_days`` (180), because Korean news marks other years' dates with 내년/지난해.
  So in May ``9월 말`` is this September, in late December ``1월 5일`` is next January, in
  January ``12월 28일`` is last December, and in November ``2월 10일`` is this February.
  ``지난`` forces the latest occurrence on or before the reference, ``오는`` the earliest on or after.
* A lone day (``22일``) goes to the month among the previous, current and next month of the
  reference nearest the reference, future distances weighted ``day_future_weight`` (2): a day more
  than ~10 days after the reference therefore falls in the previous month.  Unless its clause (up to the
  next date or the sentence end) speaks of the future (``future_markers``: 예정이다, 계획이다, 열린다 …, not
  예정이었다): then a lone day or month-day takes its next occurrence (``25일 회담을 할 예정이다``).
* ``전날``/``이날``/``당일``/``다음날``/``이튿날`` (and 그해/이듬해 for years) resolve against the
  previous resolved day-grain (year: any-grain) mention in the text when there is one, else the
  reference (``relative_to_reference``).
* Parts narrow the range but keep the unit's grain and TIMEX value (TIMEX3 would add a mod):
  month 초 → days 1–10, 중순 → 11–20, 말/하순 → 21–end; year 초 → Jan–Mar, 말 → Oct–Dec
  (so 연초/연말 too); decade 초 → years 0–3, 중반 → 4–6, 말/후반 → 7–9.
* Without a reference date, anything that needs one is ``unresolved`` with a partial TIMEX
  (``XXXX-XX-22``, ``XXXX-02-10``); an explicit year keeps the mention ``absolute``.
* Seasons (올여름, 지난 겨울; only with a year word or 지난/오는/이번) have grain ``quarter`` and a
  TIMEX3 season value (``2024-SU``); 겨울 runs December to February.  Lunar holidays (설날, 추석,
  부처님오신날) fall on their solar day in the year meant (``korean-lunar-calendar``); ``연휴`` adds the
  eve and the day after (:mod:`pipeline.extract.date_forms` has these and the nth weekdays, rolling
  windows, centuries and joined ranges).  A month-day naming an event (``9·11 테러``, ``5·18 민주화운동``) is kept
  ``unresolved`` (``XXXX-09-11``) even with a reference: its year is not the reference's.
* A bare four-digit year (``2018 평창``, ``CES 2024``) counts only before a space, punctuation or
  시즌, and not before a counter (``2000 달러``, ``2030 세대``).
* Offsets in days or weeks, or with several parts (``2주 후``, ``1개월 21일 전``), resolve to the day; a
  month or year offset alone (``3년 전``) keeps its unit's grain.
* Sino-Korean numbers in dates (``이천십오년 삼월 삼일``, ``시월``) are read as digits; numeric forms must be
  unambiguous: ``2/15`` only with a two-digit day, ``13.5.2015`` only with a day over 12.
* A clock time right after a day (``30일 오후 2시``, ``어제 밤 9시께``, ``23일(현지시간) 14:00``) belongs to that
  day's mention: the grain stays ``day`` and the TIMEX gets the time (``2025-05-30T14:00``; a time range
  ``…T10:30/…T11:00``). A time alone is a number of kind ``time`` (:mod:`pipeline.extract.clock`).
* Not dates: durations (``3년간``, ``3일 동안``, ``2일간``, ``10주년``, ``징역 8월``, ``5박 7일``,
  ``12년 만에``) are left to the numbers extractor; recurring expressions (``매주 금요일``) are not extracted.

Three modules: :mod:`~pipeline.extract.date_rules` compiles the rules, this module finds and selects
candidates, :mod:`~pipeline.extract.date_resolution` resolves them against the reference date.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from pipeline.extract.mentions import DateMention

from . import date_forms  # noqa: F401  (registers the resolvers of the newer forms)
from .date_resolution import Context, consecutive, to_int, month_len, month_number, remember, resolve
from .clock import time_after, timex_time
from .date_rules import COMPILED, RULES, Candidate, Rule
from .numeral_words import parse_numeral

_SINO_MONTHS = RULES["sino_months"]
_NUMBER_GROUPS = ("y4", "mo", "d", "y4_b", "mo_b", "d_b")
# what may stand between two dates of one range, and what must then follow the second
# a gloss may stand before the separator: 30일(현지시간)부터, 내일(30일)부터
_JOIN_SEP = re.compile(r"(?:\([^()]{1,12}\))?[ \t]?(?P<sep>부터|에서|[~∼〜～\-–]|과|와)[ \t]?")
_JOIN_TAIL = {"에서": re.compile(r"[ \t]?까지"), "과": re.compile(r"[ \t]?사이"), "와": re.compile(r"[ \t]?사이")}
_OPTIONAL_TAIL = re.compile(r"[ \t]?까지")
_JOINABLE = {"calendar", "relative", "weekday", "quarter", "half", "lunar", "month_weekday", "month_last_day",
             "decade", "century", "season", "month_week"}
JOINED = Rule("ko_joined_range", "joined", re.compile(""))


def _arabic_groups(groups: dict) -> dict:
    """Sino-Korean numbers of a date (이천십오년 삼월 삼일, 시월) as digits, so resolvers read one form."""
    for key in _NUMBER_GROUPS:
        value = groups.get(key)
        if value is not None and not value.isdigit():
            number = _SINO_MONTHS.get(value) if key.startswith("mo") else None
            number = number if number is not None else parse_numeral(value)
            groups[key] = str(int(number)) if number is not None else value
    return groups


def _candidates(text: str) -> list[Candidate]:
    found = []
    for order, rule in enumerate(COMPILED):
        if rule.requires and not any(word in text for word in rule.requires):
            continue                    # scanning a text costs more than looking for a few words in it
        for m in rule.regex.finditer(text):
            groups = _arabic_groups({k: v for k, v in m.groupdict().items() if v is not None})
            if m.end() > m.start() and _plausible(groups, rule):
                found.append(Candidate(m.start(), m.end(), order, rule, groups))
    found += _with_times(text, found)
    return found + _joined(text, found) + _with_stays(text, found)


_TIMED = {"calendar", "relative", "weekday", "lunar", "month_weekday", "month_last_day", "offset", "offset_exact"}


def _with_times(text: str, found: list[Candidate]) -> list[Candidate]:
    """A day followed by its clock time (30일 오후 2시, 어제 밤 9시께, 23일(현지시간) 14:00): the same candidate
    running over the time too; the time goes into the TIMEX when the mention resolves to one day."""
    out = []
    for c in found:
        clock = time_after(text, c.end) if c.rule.kind in _TIMED else None
        if clock is not None:
            out.append(Candidate(c.start, clock.end, c.order, c.rule, {**c.groups, "_clock": clock, "_day_end": c.end}))
    return out


# the length of a stay after its first day: 28일 2박 3일 일정으로, 28일부터 2박3일간 (nights, then days)
_STAY = re.compile(r"(?:\([^()]{1,12}\))?[ \t]?(?:부터[ \t]?)?(?P<nights>[1-9][0-9]?)[ \t]?박[ \t]?(?P<days>[1-9][0-9]?)[ \t]?일"
                   r"(?![0-9])")
STAY = Rule("ko_day_stay", "stay", re.compile(""))


def _with_stays(text: str, found: list[Candidate]) -> list[Candidate]:
    """A day followed by the length of a stay that starts on it (28일 2박 3일 일정으로 방한): the days of the stay."""
    out = []
    for c in found:
        if c.rule.kind != "calendar" or "d" not in c.groups or "d_b" in c.groups:
            continue
        m = _STAY.match(text, c.end)
        if m and int(m["nights"]) + 1 <= int(m["days"]) <= int(m["nights"]) + 2:
            out.append(Candidate(c.start, m.end(), len(COMPILED), STAY, {"_a": c, "_days": int(m["days"])}))
    return out


def _joined(text: str, found: list[Candidate]) -> list[Candidate]:
    """Two date candidates joined into one range (2015년부터 2017년 5월 5일까지, 3월과 5월 사이)."""
    longest: dict[int, Candidate] = {}
    for c in found:
        if c.rule.kind in _JOINABLE and (c.start not in longest or c.end > longest[c.start].end):
            longest[c.start] = c
    out = []
    for a in found:
        if a.rule.kind not in _JOINABLE:
            continue
        sep = _JOIN_SEP.match(text, a.end)
        b = longest.get(sep.end()) if sep else None
        if b is None:
            continue
        tail = _JOIN_TAIL.get(sep.group("sep"))
        t = (tail or _OPTIONAL_TAIL).match(text, b.end)
        if tail is not None and t is None:
            continue
        end = t.end() if t else b.end
        out.append(Candidate(a.start, end, len(COMPILED), JOINED, {"_a": a, "_b": b}))
    return out


@lru_cache(maxsize=8)
def _selected(text: str) -> tuple[Candidate, ...]:
    """The candidates kept for ``text``; a document's text is read twice (for its reference date, then against
    it), scanned once. Candidates are never changed after this (a tense or a resolution makes new objects)."""
    return tuple(_select(_candidates(text), len(text)))


def _select(cands: list[Candidate], length: int) -> list[Candidate]:
    """Longest first, then leftmost, then rule order; drop anything overlapping a kept match."""
    kept: list[Candidate] = []
    taken = bytearray(length)
    for c in sorted(cands, key=lambda c: (c.start - c.end, c.start, c.order)):
        if not any(taken[c.start:c.end]):
            kept.append(c)
            taken[c.start:c.end] = b"\x01" * (c.end - c.start)
    return sorted(kept, key=lambda c: c.start)


def _plausible(g: dict, rule: Rule) -> bool:
    """Numeric sanity of a match before it competes for its span."""
    if rule.consecutive and not consecutive(g):
        return False
    return _valid_days(g) and _ordered_range(g, rule.max_month_span)


def _valid_days(g: dict) -> bool:
    """No 2월 30일: each side's day exists in its month (29 Feb allowed when the year is unknown)."""
    for sfx in ("", "_b"):
        month = month_number(g, sfx)
        day = to_int(g.get("d" + sfx))
        if month and day and day > month_len(to_int(g.get("y4" + sfx)) or 2000, month):
            return False
    return True


def _ordered_range(g: dict, max_month_span: int) -> bool:
    """A range's end comes after its start (a month range may wrap into the next year only with days)."""
    end_has_year = any(k in g for k in ("y4_b", "yq_b", "yb_b", "yw_b"))
    if "d_b" in g and "d" in g and "mo_b" not in g and int(g["d_b"]) <= int(g["d"]):
        return False
    if "mo_b" in g and "mo" in g and not end_has_year:
        months = int(g["mo_b"]) - int(g["mo"])
        if "d" in g:
            months %= 12          # 12월 30일~1월 2일 runs into the next year
        if months > max_month_span or (months <= 0 and "d" not in g):
            return False
    for a, b in (("y4", "y4_b"), ("yq", "yq_b")):
        if a in g and b in g and int(g[b]) < int(g[a]):
            return False
    return True


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------


def extract_dates(text: str, reference: date | None = None) -> list[DateMention]:
    """Date mentions of ``text`` sorted by start, non-overlapping, resolved against ``reference``."""
    if not isinstance(text, str) or not text:
        return []
    ctx = Context(reference)
    mentions = []
    selected = _selected(text)
    bounds = [c.start for c in selected[1:]] + [len(text)]
    for cand in (_with_tense(text, c, bound) for c, bound in zip(selected, bounds)):
        res = resolve(cand, ctx)
        if res is None and cand.rule is JOINED:          # not one range after all: its two dates alone
            for part in (cand.groups["_a"], cand.groups["_b"]):
                _emit(text, part, resolve(part, ctx), ctx, mentions)
            continue
        _emit(text, cand, res, ctx, mentions)
    return mentions


_FUTURE = re.compile("(?:" + "|".join(map(re.escape, RULES["future_markers"])) + ")(?!이었|였)")
_SENTENCE_END = re.compile(r"[.!?\n]|다\s")
_QUOTED = re.compile(r"“[^“”\n]*”|\"[^\"\n]*\"|‘[^‘’\n]*’|'[^'\n]*'")
_OPEN_DAY_RULES = {"ko_d", "ko_md", "ko_range_d_d", "ko_conj_d_d", "ko_range_md_md", "ko_holiday", "ko_lunar_holiday"}


def _with_tense(text: str, cand: Candidate, bound: int) -> Candidate:
    """A day, month-day or holiday with nothing fixing its year or month takes the next occurrence when the rest
    of its sentence, up to the next date (bound), speaks of the future (25일 정상회담을 할 예정이다, 추석을 앞두고);
    quoted speech does not count (12일 … “대화에 나올 것”을 촉구했다 is past)."""
    g = cand.groups
    if cand.rule.id not in _OPEN_DAY_RULES or any(k in g for k in ("dir", "y4", "yq", "yb", "yw", "mw")):
        return cand
    rest = _QUOTED.sub(lambda q: " " * len(q.group()), text[cand.end:bound])   # “…할 것”이라고 말했다: not the tense
    stop = _SENTENCE_END.search(rest)
    if not _FUTURE.search(rest, 0, stop.end() if stop else len(rest)):
        return cand
    return Candidate(cand.start, cand.end, cand.order, cand.rule, {**g, "tense": "future"})


def _emit(text: str, cand: Candidate, res, ctx: Context, mentions: list[DateMention]) -> None:
    if res is None:
        return
    remember(res, ctx)
    end, timex = cand.end, res.timex
    clock = cand.groups.get("_clock")
    if clock is not None:
        if res.grain != "day" or res.start != res.end or "/" in timex:
            end = cand.groups["_day_end"]                # a time only belongs to a single day
        else:
            first, last = timex_time(clock)
            timex = timex + first + (f"/{timex}{last}" if last else "")
    mentions.append(DateMention(cand.start, end, text[cand.start:end], res.start, res.end,
                                res.grain, res.resolution, timex, cand.rule.id))
