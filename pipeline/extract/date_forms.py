"""Resolvers for the newer date forms (registered into :mod:`pipeline.extract.date_resolution`'s table):

* lunar holidays on their solar day in the year meant (``korean-lunar-calendar``): 설날 = lunar 1/1, 추석 = 8/15,
  부처님오신날 = 4/8; ``연휴``/``명절`` widen to the eve and the day after (설 연휴: three days);
* the nth weekday of a month (``10월 첫째 화요일``; ``마지막`` = the last one; ``첫째 주 화요일`` = the Tuesday of
  the month's first week) and its last day (``3월 마지막 날``, ``말일``);
* rolling windows (``지난 3주``, ``최근 5년간``, ``향후 5년``, ``5일 이내``): past -> [reference - N units,
  reference], future -> [reference, reference + N units], grain the unit;
* offsets with several parts (``1개월 21일 전``) to the day;
* centuries (``21세기`` = 2001–2100, grain ``century``, TIMEX ``20``);
* joined ranges: two date mentions with ``부터``/``~`` (optionally ``까지``), ``에서 … 까지`` or ``과 … 사이``
  between them are one range, whatever each end's precision (``2015년부터 2017년 5월 5일까지``); the end is
  resolved against the start.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

from korean_lunar_calendar import KoreanLunarCalendar

from .date_resolution import (_RESOLVERS, Context, _month_span, _resolve_calendar, _resolve_yearly, _Resolved,
                              _shift_month, _unresolved, _range_timex, resolve)
from .date_rules import LOOKUP, RULES, word_key

_GRAIN_ORDER = ("day", "week", "month", "quarter", "half", "year", "decade", "century")
_OFFSET_UNITS = RULES["offset_units"]


@lru_cache(maxsize=4096)
def _solar_of_lunar(year: int, month: int, day: int) -> date:
    cal = KoreanLunarCalendar()
    if not cal.setLunarDate(year, month, day, False):
        raise ValueError(f"no lunar date {year}-{month}-{day}")
    return date.fromisoformat(cal.SolarIsoFormat())


def _resolve_lunar(g: dict, ctx: Context) -> _Resolved:
    entry = LOOKUP["lunar"][word_key(g.get("lunar") or g["lunar_s"])]
    before, after = RULES["lunar_holiday_span"].get(g.get("lh") or g.get("lh_s") or "", (0, 0))
    month, day = entry["lunar"]

    def period(year: int) -> tuple[date, date]:
        solar = _solar_of_lunar(year, month, day)
        return solar + timedelta(days=before), solar + timedelta(days=after)

    def timex(year: int | None) -> str:
        return "XXXX-XX-XX" if year is None else _range_timex(*(d.isoformat() for d in period(year)))

    return _resolve_yearly(g, ctx, "day", period, timex)


def _month_of(g: dict, ctx: Context) -> _Resolved | None:
    month = _resolve_calendar(g, ctx)
    return None if month.start is None else month


def _resolve_month_weekday(g: dict, ctx: Context) -> _Resolved:
    month = _month_of(g, ctx)
    if month is None:
        return _unresolved("day", "XXXX-XX-XX")
    first = month.start.replace(day=1)
    weekday, nth = RULES["weekdays"][g["wdn"]], RULES["week_ordinals"][g["wk"]]
    if g.get("inweek"):                              # 첫째 주 화요일: the weekday of the month's n-th week
        thursday = first + timedelta(days=(3 - first.weekday()) % 7)
        weeks = [thursday + timedelta(weeks=k) for k in range(5) if (thursday + timedelta(weeks=k)).month == first.month]
        anchor = weeks[nth - 1 if nth > 0 else -1]
        day = anchor - timedelta(days=anchor.weekday()) + timedelta(days=weekday)
    else:
        days = [first + timedelta(days=k) for k in range(calendar.monthrange(first.year, first.month)[1])]
        matching = [d for d in days if d.weekday() == weekday]
        day = matching[nth - 1 if nth > 0 else -1]
    return _Resolved(day, day, "day", month.resolution, day.isoformat())


def _resolve_month_last_day(g: dict, ctx: Context) -> _Resolved:
    month = _month_of(g, ctx)
    if month is None:
        return _unresolved("day", "XXXX-XX-XX")
    day = _month_span(month.start.year, month.start.month)[1]
    return _Resolved(day, day, "day", month.resolution, day.isoformat())


def _shift(day: date, unit: str, n: int) -> date:
    """day moved by n units (months and years keep the day of month, clamped to the month's end)."""
    if unit == "day":
        return day + timedelta(days=n)
    if unit == "week":
        return day + timedelta(weeks=n)
    months = n * (12 if unit == "year" else 1)
    year, month = _shift_month(day.year, day.month, months)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _resolve_window(g: dict, ctx: Context) -> _Resolved:
    """지난 3주, 최근 5년간, 향후 2년 동안, 지난 한 달간, 앞으로 10일 이내, (bare) 5일 이내."""
    if "n_w" in g:                                   # a bare N일 이내: from the reference on
        direction, n, unit = "future", int(g["n_w"]), _OFFSET_UNITS[g["unit_w"]]
    else:
        direction = RULES["window_words"][g["win"]]
        if "cw" in g:
            n, unit = LOOKUP["cw"][word_key(g["cw"])]
        else:
            n, unit = int(g["n"]), _OFFSET_UNITS[g["unit"]]
            if unit == "day" and g["win"] in RULES["window_needs_duration_for_days"] and "dur" not in g \
                    and "within" not in g:
                raise ValueError("지난 3일 is a day of the month")
    ref = ctx.reference
    if ref is None:
        return _unresolved(unit, "XXXX")
    if direction == "past":
        start, end = _shift(ref, unit, -n), ref
    else:
        start, end = ref, _shift(ref, unit, n)
    return _Resolved(start, end, unit, "relative_to_reference", f"{start.isoformat()}/{end.isoformat()}")


def _resolve_offset_exact(g: dict, ctx: Context) -> _Resolved:
    ref = ctx.reference
    if ref is None:
        return _unresolved("day", "XXXX-XX-XX")
    sign = -1 if g["ago"] == "전" else 1
    day = ref
    for k in ("1", "2", "3"):
        if "n" + k in g:
            day = _shift(day, _OFFSET_UNITS[g["u" + k]], sign * int(g["n" + k]))
    return _Resolved(day, day, "day", "relative_to_reference", day.isoformat())


def _resolve_century(g: dict, ctx: Context) -> _Resolved:
    n = int(g["cent"])
    first, last = (n - 1) * 100 + 1, n * 100
    where = LOOKUP["part"].get(g.get("part", ""))
    span = RULES["part_ranges"]["century"].get(where) if where else None
    if span:                                        # 19세기 말: 1871-1900 (years 70-99 of the hundred, counted from 1)
        first, last = first + span[0], first + span[1]
    return _Resolved(date(first, 1, 1), date(last, 12, 31), "century", "absolute", f"{n - 1:02d}")


_DEICTIC_KINDS = {"relative", "weekday", "window", "offset", "offset_exact"}
_DEICTIC_GROUPS = ("rw", "mw", "yw", "ww", "dir")


def _resolve_joined(g: dict, ctx: Context) -> _Resolved:
    first = resolve(g["_a"], ctx)
    if first is None:
        raise ValueError("range start does not resolve")
    b = g["_b"]
    # a word that points from today (모레, 이달, 다음 주) counts from the article's date; a bare day or month
    # (5일부터 7일까지) from the range's start
    deictic = b.rule.kind in _DEICTIC_KINDS or any(k in b.groups for k in _DEICTIC_GROUPS)
    anchor = ctx if deictic else Context(first.start or ctx.reference, ctx.last_day, ctx.last_date)
    second = resolve(b, anchor)
    if second is None or first.start is None or second.start is None or second.end < first.start:
        raise ValueError("range end does not resolve after its start")
    grain = max(first.grain, second.grain, key=_GRAIN_ORDER.index)
    how = first.resolution if first.resolution != "absolute" else second.resolution
    return _Resolved(first.start, second.end, grain, how, _range_timex(first.timex.split("/")[0],
                                                                      second.timex.split("/")[-1]))


def _resolve_stay(g: dict, ctx: Context) -> _Resolved:
    first = resolve(g["_a"], ctx)
    if first is None or first.start is None or first.start != first.end:
        raise ValueError("a stay starts on one day")
    last = first.start + timedelta(days=g["_days"] - 1)
    return _Resolved(first.start, last, "day", first.resolution,
                     _range_timex(first.timex.split("/")[0].split("T")[0], last.isoformat()))


_RESOLVERS.update({
    "lunar": _resolve_lunar,
    "month_weekday": _resolve_month_weekday,
    "month_last_day": _resolve_month_last_day,
    "window": _resolve_window,
    "offset_exact": _resolve_offset_exact,
    "century": _resolve_century,
    "joined": _resolve_joined,
    "stay": _resolve_stay,
})
