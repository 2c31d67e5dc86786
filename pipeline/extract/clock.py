"""Clock times in Korean news text (rules in ``data/clock.json``): ``오후 2시``, ``6시 51분``, ``오전 10시 30분``,
``2시 반``, ``14:00``, ``밤 9시께``, ranges (``오후 3~5시``, ``오전 10시~오후 5시``, ``오전 6시부터 오후 8시까지``, ``10:30~11:00``).

``clock_candidates`` gives the numbers extractor its ``time`` mentions (value = hours on the 24-hour clock:
``오후 2시 30분`` = 14.5; a range keeps its end in ``value_max``). ``time_after`` lets the dates extractor take a
time written right after a day (``30일 오후 2시``) into that day's mention; ``timex_time`` is its TIMEX part
(``T14:30``). Not times: durations (``3시간``, ``30분간``), a lone ``N분`` (``10분 늦게``), scores (``21:19로``),
native hours without a day part (``두 시간``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

_D = json.loads((Path(__file__).resolve().parent / "data" / "clock.json").read_text(encoding="utf-8"))
_S = r"[ \t\u00a0]?"


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_END = rf"(?=$|[^가-힣]|(?:{_alt(_D['hour_follow'])}))"
_DP = rf"(?:(?P<dp{{s}}>{_alt(_D['day_parts'])}){_S})?"
_HOUR = rf"(?:(?P<h{{s}}>[01]?[0-9]|2[0-4])|(?P<hn{{s}}>{_alt(_D['native_hours'])}))"
_REST = rf"(?:{_S}(?P<m{{s}}>[0-5]?[0-9]){_S}분(?:{_S}(?P<sec{{s}}>[0-5]?[0-9]){_S}초)?|{_S}(?P<half{{s}}>반))?"
_COLON = r"(?P<ch{s}>[01]?[0-9]|2[0-4]):(?P<cm{s}>[0-5][0-9])(?::(?P<cs{s}>[0-5][0-9]))?(?![0-9:])"
_TILDE = rf"{_S}[~∼〜～\-–]{_S}"
_UNTIL = rf"(?:{_TILDE}|부터{_S})"                  # 오전 6시부터 오후 8시까지: one range


def _one(s: str) -> str:
    """One time: day part, then an hour (an hour range: 3~5시) with minutes and seconds, or a colon pair."""
    hour = _HOUR.format(s=s)
    upto = rf"(?:{_TILDE}(?P<hr{s}>[01]?[0-9]|2[0-4]))?"
    return (_DP.format(s=s) + rf"(?:{hour}{upto}{_S}시(?!간){_REST.format(s=s)}|{_COLON.format(s=s)})")


_LEAD = r"(?:(?<![0-9A-Za-z.,:/\-가-힣])|(?<=[0-9]일)(?=[가-힣]))"    # 24일오후 11시: a day part glued to the day
_TIME = (rf"{_LEAD}(?:{_one('')})(?:{_UNTIL}(?:{_one('2')}))?{_END}"
         rf"(?:(?P<ap>{_alt(_D['approx'])}))?{_END}(?!{_S}(?:{_alt(_D['colon_not_followed_by'])}))")
TIME_RE = re.compile(_TIME)
# what may stand between a day and its time: a space, a bracketed gloss (현지시간), 오전/오후 glued (24일오후)
_GLOSS = r"(?:[ \t\u00a0]?[(（][^()（）\n]{1,12}[)）])?[ \t\u00a0]?"
_AFTER_RE = re.compile(_GLOSS + _TIME[len(_LEAD):])


@dataclass(frozen=True)
class Clock:
    start: int
    end: int
    value: float                 # hours since midnight on the 24-hour clock
    value_max: float | None      # a range's end
    approx: bool


def _hours(g: dict, s: str) -> float | None:
    """Value of one side (s = '' or '2') on the 24-hour clock, or None when it is no time."""
    if g.get("ch" + s) is not None:
        h, m, sec = int(g["ch" + s]), int(g["cm" + s]), int(g.get("cs" + s) or 0)
    elif g.get("h" + s) is not None or g.get("hn" + s) is not None:
        if g.get("hn" + s) is not None and g.get("dp" + s) is None:
            return None                                  # 두 시: a native hour needs 오후/밤 …
        h = int(g["h" + s]) if g.get("h" + s) is not None else _D["native_hours"][g["hn" + s]]
        m = 30 if g.get("half" + s) else int(g.get("m" + s) or 0)
        sec = int(g.get("sec" + s) or 0)
    else:
        return None
    h = _shift(h, g.get("dp" + s))
    if h == 24 and (m or sec):
        h = 0                                            # 밤 12시 30분 = 00:30
    if h is None:
        return None
    return h + m / 60 + sec / 3600


def _shift(h: int, part: str | None) -> int | None:
    """A 12-hour reading after a day part (오후 2시 = 14); a 24-hour one (14시) stays."""
    kind = _D["day_parts"].get(part or "")
    if kind is None:
        return h
    if h > 12:
        return h if kind in ("pm", "night", "day") else None     # 오전 14시 is no time
    if kind == "am":
        return 0 if h == 12 else h
    if kind == "pm" or (kind == "day" and h < 6):
        return h if h == 12 else h + 12
    if kind == "night":
        return 24 if h == 12 else h + 12 if h >= 6 else h
    return h


def _clock(m: re.Match, start: int) -> Clock | None:
    g = m.groupdict()
    first = _hours(g, "")
    if first is None:
        return None
    second = _hours(g, "2")
    if g.get("hr") is not None:                          # 오후 3~5시: both hours share the day part and 시
        second = _hours({**g, "h": g["hr"], "hn": None, "m": None, "half": None, "sec": None}, "")
        first = _hours({**g, "m": None, "half": None, "sec": None}, "")
    if m.group("dp2") is None and second is not None and g.get("dp") and second < first:
        second += 12 if second + 12 <= 24 else 0         # 오후 3시~5시: the end keeps the start's afternoon
    if second is not None and second < first:
        second = None
    return Clock(start, m.end(), first, second, m.group("ap") is not None)


def find_times(text: str) -> list[Clock]:
    """Every clock time in text, left to right, non-overlapping."""
    out = []
    for m in TIME_RE.finditer(text):
        c = _clock(m, m.start())
        if c is not None:
            out.append(c)
    return out


def time_after(text: str, pos: int) -> Clock | None:
    """A clock time starting at pos (after a space or a bracketed gloss): the time of the day ending at pos."""
    m = _AFTER_RE.match(text, pos)
    if m is None or m.end() == pos:
        return None
    return _clock(m, pos)


def _hhmm(value: float) -> str:
    minutes = round(value * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def timex_time(clock: Clock) -> tuple[str, str | None]:
    """TIMEX time parts of a clock: ('T14:30', None) or, for a range, ('T10:30', 'T11:00')."""
    return "T" + _hhmm(clock.value), ("T" + _hhmm(clock.value_max) if clock.value_max is not None else None)


def clock_candidates(text: str, masked) -> list[tuple]:
    """Number candidates (start, end, value, kind, unit, counted, counted_noun, qualifier, rule, value_max)."""
    return [(c.start, c.end, c.value, "time", "시", None, None, "approx" if c.approx else "exact", "ko.clock",
             c.value_max) for c in find_times(text) if not masked(c.start, c.end)]
