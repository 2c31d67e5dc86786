"""Resolving a date candidate against the reference date (the judgement calls are listed in
:mod:`pipeline.extract.dates`): calendar dates, relative words and offsets, weekdays, quarters, halves,
decades, seasons, weeks of a month (the newer forms — lunar holidays, nth weekdays, windows, centuries, joined
ranges — are in :mod:`pipeline.extract.date_forms`).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


from .date_rules import LOOKUP, RULES, SETTINGS, Candidate, word_key
# ---------------------------------------------------------------------------
# small calendar helpers
# ---------------------------------------------------------------------------


def consecutive(g: dict) -> bool:
    """A conjunction joins two days (or years) into one range only when they are adjacent."""
    if "d_b" in g:
        return int(g["d_b"]) == int(g["d"]) + 1
    first, second = g.get("y4") or g.get("yq"), g.get("y4_b") or g.get("yq_b")
    return first is not None and second is not None and int(second) % 100 == (int(first) + 1) % 100


def to_int(value: str | None) -> int | None:
    return int(value) if value is not None else None


def month_len(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def month_number(g: dict, sfx: str = "") -> int | None:
    if "mo" + sfx in g:
        return int(g["mo" + sfx])
    if "mn" + sfx in g:
        return LOOKUP["mn"].get(g["mn" + sfx].lower())
    if "hol" + sfx in g:
        return LOOKUP["hol"][word_key(g["hol" + sfx])][0]
    return None


def _shift_month(year: int, month: int, offset: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + offset
    return index // 12, index % 12 + 1


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, month_len(year, month))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _two_digit_year(yy: int, ref: date | None) -> int:
    if ref is None:
        return 2000 + yy if yy <= SETTINGS["two_digit_year_pivot_without_reference"] else 1900 + yy
    return 2000 + yy if 2000 + yy <= ref.year + SETTINGS["two_digit_year_window"] else 1900 + yy


def _narrow(start: date, end: date, unit: str, part: str | None) -> tuple[date, date]:
    """Narrow a unit's range by a part word (초, 중순, 말, 주말 ...)."""
    where = LOOKUP["part"].get(part, part) if part else None
    span = RULES["part_ranges"].get(unit, {}).get(where) if where else None
    if not span:
        return start, end
    lo, hi = span
    if unit == "month":
        last = month_len(start.year, start.month)
        return start.replace(day=min(lo, last)), start.replace(day=min(hi, last))
    if unit == "year":
        return date(start.year, lo, 1), date(start.year, hi, month_len(start.year, hi))
    if unit == "decade":
        return date(start.year + lo, 1, 1), date(start.year + hi, 12, 31)
    if unit == "week":
        return start + timedelta(days=lo), start + timedelta(days=hi)
    if unit in ("quarter", "half"):                # months of the period: 2분기 말 = its third month
        first, last = start.month + lo - 1, start.month + hi - 1
        return date(start.year, first, 1), date(start.year, last, month_len(start.year, last))
    return start, end


def _choose(periods: list[tuple[date, date]], ref: date, weight: float, direction: str | None,
            other_year_penalty: float = 0.0):
    """Pick the period nearest the reference; future distances weigh more; 지난/오는 filter."""
    if direction == "past":
        past = [p for p in periods if p[0] <= ref]
        if past:
            return max(past)
    if direction == "future":
        future = [p for p in periods if p[1] >= ref]
        if future:
            return min(future)

    def cost(p: tuple[date, date]) -> float:
        penalty = other_year_penalty if p[0].year != ref.year else 0.0
        if p[0] <= ref <= p[1]:
            return penalty
        return penalty + ((ref - p[1]).days if p[1] < ref else weight * (p[0] - ref).days)

    return min(periods, key=lambda p: (cost(p), p[0]))


def _direction(g: dict) -> str | None:
    """past (지난), future (오는, 다음), this (이번) or None, from the data's direction words."""
    return RULES["directions"].get(g.get("dir", "")) or g.get("tense")


# ---------------------------------------------------------------------------
# resolution
# ---------------------------------------------------------------------------


@dataclass
class Context:
    reference: date | None
    last_day: date | None = None      # previous resolved day-grain mention
    last_date: date | None = None     # previous resolved mention of any grain


@dataclass(frozen=True)
class _Resolved:
    start: date | None
    end: date | None
    grain: str
    resolution: str
    timex: str


def _unresolved(grain: str, timex: str) -> _Resolved:
    return _Resolved(None, None, grain, "unresolved", timex)


def _anchor(entry: dict, ctx: Context, grain_needed: str) -> tuple[date | None, str]:
    """Date a relative word counts from, and the resolution label it implies."""
    if entry.get("anchor") == "previous":
        prev = ctx.last_day if grain_needed == "day" else ctx.last_date
        if prev is not None:
            return prev, "relative_to_previous_date"
    return ctx.reference, "relative_to_reference"


@dataclass
class _Side:
    """One side of a calendar expression (start, or a range end with suffix _b)."""
    year: int | None = None
    year_word: dict | None = None
    month: int | None = None
    month_word: dict | None = None
    day: int | None = None

    @property
    def empty(self) -> bool:
        return self.year is None and self.year_word is None and self.month is None and self.day is None


def _side(g: dict, sfx: str, ref: date | None) -> _Side:
    side = _Side(month=month_number(g, sfx), day=to_int(g.get("d" + sfx)))
    if "hol" + sfx in g:
        side.day = LOOKUP["hol"][word_key(g["hol" + sfx])][1]
    if "y4" + sfx in g:
        side.year = int(g["y4" + sfx])
    elif "yq" + sfx in g or "yb" + sfx in g:
        side.year = _two_digit_year(int(g.get("yq" + sfx) or g.get("yb" + sfx)), ref)
    elif "yw" + sfx in g:
        side.year_word = LOOKUP["yw"][word_key(g["yw" + sfx])]
    if "mw" + sfx in g:
        side.month_word = LOOKUP["mw"][word_key(g["mw" + sfx])]
    return side


def _calendar_timex(year: int | None, month: int | None, day: int | None) -> str:
    text = f"{year:04d}" if year is not None else "XXXX"
    if month is None and day is None:
        return text
    text += f"-{month:02d}" if month is not None else "-XX"
    return text + (f"-{day:02d}" if day is not None else "")


def _range_timex(start: str, end: str) -> str:
    return start if start == end else f"{start}/{end}"


def _calendar_period(year: int, month: int | None, s: _Side, e: _Side, grain: str, part: str | None):
    """Concrete (start, end) for a calendar expression once its start year (and month) is known."""
    if month is None:
        start, end = date(year, 1, 1), date(year, 12, 31)
        start, end = _narrow(start, end, "year", part)
    elif s.day is None:
        start, end = _narrow(*_month_span(year, month), "month", part)
    else:
        start = end = date(year, month, s.day)
    if e.empty:
        return start, end
    end_year = e.year if e.year is not None else year
    end_month = e.month if e.month is not None else month
    if e.year is None and e.month is not None and month is not None and e.month < month:
        end_year += 1
    if e.day is not None:
        end = date(end_year, end_month or 1, e.day)
    elif end_month is not None and (e.month is not None or grain == "month"):
        end = _month_span(end_year, end_month)[1]
    else:
        end = date(end_year, 12, 31)
    return start, end


def _calendar_timex_pair(year: int, month: int | None, s: _Side, e: _Side, period: tuple[date, date]) -> str:
    """TIMEX of a calendar expression; a range gets 'start/end' at the precision each side was written."""
    start_tx = _calendar_timex(year, month, s.day)
    if e.empty:
        return start_tx
    end = period[1]
    if e.day is not None:
        end_tx = end.isoformat()
    elif e.month is not None or month is not None:
        end_tx = f"{end.year:04d}-{end.month:02d}"
    else:
        end_tx = f"{end.year:04d}"
    return _range_timex(start_tx, end_tx)


def _written_year_month(s: _Side, ctx: Context) -> tuple[int | None, int | None, str]:
    """Start year and month as far as the text fixes them (a number, 지난해, 이달 ...), and how."""
    if s.month_word is not None:
        if ctx.reference is None:
            return None, None, "unresolved"
        year, month = _shift_month(ctx.reference.year, ctx.reference.month, s.month_word["offset"])
        return year, month, "relative_to_reference"
    if s.year_word is not None:
        anchor, how = _anchor(s.year_word, ctx, "year")
        return (anchor.year + s.year_word["offset"] if anchor else None), s.month, how
    return s.year, s.month, "absolute"


def _resolve_calendar(g: dict, ctx: Context) -> _Resolved:
    ref = ctx.reference
    s, e = _side(g, "", ref), _side(g, "_b", ref)
    grain = "day" if s.day or e.day else "month" if (s.month or s.month_word or e.month) else "year"
    if e.year_word is not None:
        e.year = _written_year_month(e, ctx)[0]
    year, month, how = _written_year_month(s, ctx)
    if year is not None:
        period = _calendar_period(year, month, s, e, grain, g.get("part"))
        return _Resolved(*period, grain, how, _calendar_timex_pair(year, month, s, e, period))
    if ref is None:
        start_tx = _calendar_timex(None, month, s.day)
        end_tx = _calendar_timex(e.year, e.month or (month if e.day else None), e.day)
        return _unresolved(grain, start_tx if e.empty else _range_timex(start_tx, end_tx))
    return _resolve_calendar_near(s, e, grain, g.get("part"), _direction(g), ref)


def _resolve_calendar_near(s: _Side, e: _Side, grain, part, direction, ref: date) -> _Resolved:
    """No year written: pick the year (or month) giving the occurrence nearest the reference."""
    options = []
    if s.month is not None:
        weight, penalty = SETTINGS["future_weight"], SETTINGS["other_year_penalty_days"]
        keys = [(ref.year + k, s.month) for k in (-1, 0, 1)]
    else:
        weight, penalty = SETTINGS["day_future_weight"], 0.0
        keys = [_shift_month(ref.year, ref.month, k) for k in (-1, 0, 1)]
    for year, month in keys:
        try:
            options.append((_calendar_period(year, month, s, e, grain, part), year, month))
        except ValueError:
            continue
    if not options:
        return _unresolved(grain, _calendar_timex(None, s.month, s.day))
    period = _choose([o[0] for o in options], ref, weight, direction, penalty)
    _, year, month = next(o for o in options if o[0] == period)
    return _Resolved(*period, grain, "relative_to_reference", _calendar_timex_pair(year, month, s, e, period))


def _unit_period(anchor: date, unit: str, offset: int) -> tuple[date, date, str]:
    """The unit (day/week/month/quarter/half/year) containing anchor, moved by offset units."""
    if unit == "day":
        day = anchor + timedelta(days=offset)
        return day, day, day.isoformat()
    if unit == "week":
        monday = _monday(anchor) + timedelta(weeks=offset)
        iso = monday.isocalendar()
        return monday, monday + timedelta(days=6), f"{iso[0]:04d}-W{iso[1]:02d}"
    if unit == "month":
        year, month = _shift_month(anchor.year, anchor.month, offset)
        return *_month_span(year, month), f"{year:04d}-{month:02d}"
    if unit in ("quarter", "half"):
        size = 3 if unit == "quarter" else 6
        index = anchor.year * (12 // size) + (anchor.month - 1) // size + offset
        year, number = divmod(index, 12 // size)
        first = date(year, number * size + 1, 1)
        last_month = number * size + size
        letter = "Q" if unit == "quarter" else "H"
        return first, date(year, last_month, month_len(year, last_month)), f"{year:04d}-{letter}{number + 1}"
    year = anchor.year + offset
    return date(year, 1, 1), date(year, 12, 31), f"{year:04d}"


_UNRESOLVED_TIMEX = {"day": "XXXX-XX-XX", "week": "XXXX-WXX", "month": "XXXX-XX", "quarter": "XXXX-QX",
                     "half": "XXXX-HX", "year": "XXXX"}


def _resolve_relative(g: dict, ctx: Context) -> _Resolved:
    entry = LOOKUP["rw"][word_key(g["rw"])]
    unit = entry["grain"]
    anchor, how = _anchor(entry, ctx, unit)
    if anchor is None:
        return _unresolved(unit, _UNRESOLVED_TIMEX[unit])
    anchor += timedelta(days=entry.get("anchor_shift_days", 0))   # 새해 in December is next year
    start, end, timex = _unit_period(anchor, unit, entry["offset"])
    start, end = _narrow(start, end, unit, g.get("part") or entry.get("part"))
    return _Resolved(start, end, unit, how, timex)


def _resolve_offset(g: dict, ctx: Context) -> _Resolved:
    if "cw" in g:
        count, unit = LOOKUP["cw"][word_key(g["cw"])]
        counts = (count, count)
    else:
        unit = RULES["offset_units"][g["unit"]]
        counts = (int(g["n"]), int(g.get("n_b", g["n"])))
    sign = -1 if g["ago"] == "전" else 1
    if unit == "week":                       # 2주 후: to the day (14 days), like 10일 후
        unit, counts = "day", (counts[0] * 7, counts[1] * 7)
    if ctx.reference is None:
        return _unresolved(unit, _UNRESOLVED_TIMEX[unit])
    first, second = (_unit_period(ctx.reference, unit, sign * n) for n in counts)
    (start, _, start_tx), (_, end, end_tx) = sorted((first, second))
    return _Resolved(start, end, unit, "relative_to_reference", _range_timex(start_tx, end_tx))


def _resolve_weekday(g: dict, ctx: Context) -> _Resolved:
    ref, weekday = ctx.reference, RULES["weekdays"][g["wdn"]]
    if ref is None:
        return _unresolved("day", "XXXX-XX-XX")
    if "ww" in g:
        day = _monday(ref) + timedelta(weeks=LOOKUP["ww"][word_key(g["ww"])]["offset"], days=weekday)
    else:
        direction, back = _direction(g), (ref.weekday() - weekday) % 7
        if direction == "past":
            day = ref - timedelta(days=back or 7)
        elif direction == "future":
            day = ref + timedelta(days=(weekday - ref.weekday()) % 7 or 7)
        elif direction == "this":
            day = _monday(ref) + timedelta(days=weekday)
        else:                                  # bare weekday: the nearest one, ties to the past
            day = ref - timedelta(days=back) if back <= 3 else ref + timedelta(days=7 - back)
    return _Resolved(day, day, "day", "relative_to_reference", day.isoformat())


def _resolve_period_word(g: dict, ctx: Context, unit: str, number: int) -> _Resolved:
    """Quarter or half: year written, from a year word, or the reference's year."""
    letter = "Q" if unit == "quarter" else "H"
    s = _side(g, "", ctx.reference)
    year, how = s.year, "absolute"
    if s.year_word is not None:
        anchor, how = _anchor(s.year_word, ctx, "year")
        year = anchor.year + s.year_word["offset"] if anchor else None
    elif year is None and ctx.reference is not None:
        year, how = ctx.reference.year, "relative_to_reference"
    if year is None:
        return _unresolved(unit, f"XXXX-{letter}{number}")
    direction, ref = _direction(g), ctx.reference
    if s.year is None and s.year_word is None and ref is not None:
        year += _year_step(ref, direction, *_unit_period(date(year, 1, 1), unit, number - 1)[:2])
    start, end, timex = _unit_period(date(year, 1, 1), unit, number - 1)
    start, end = _narrow(start, end, unit, g.get("part"))
    return _Resolved(start, end, unit, how, timex)


def _year_step(ref: date, direction: str | None, start: date, end: date) -> int:
    """지난 상반기 still ahead of the reference means last year's; 오는 1분기 already past means next year's."""
    if direction == "past" and start > ref:
        return -1
    if direction == "future" and end < ref:
        return 1
    return 0


def _resolve_quarter(g: dict, ctx: Context) -> _Resolved:
    return _resolve_period_word(g, ctx, "quarter", LOOKUP["quarter"][word_key(g["q"])])


def _resolve_half(g: dict, ctx: Context) -> _Resolved:
    return _resolve_period_word(g, ctx, "half", RULES["halves"][g["h"]])


def _resolve_decade(g: dict, ctx: Context) -> _Resolved:
    if "dec4" in g:
        first = int(g["dec4"])
    else:
        tens, ref = int(g["dec2"]), ctx.reference
        if ref is None:
            first = 2000 + tens if tens <= SETTINGS["decade_pivot_without_reference"] else 1900 + tens
        else:
            first = 2000 + tens if 2000 + tens <= ref.year else 1900 + tens
    start, end = _narrow(date(first, 1, 1), date(first + 9, 12, 31), "decade", g.get("part"))
    return _Resolved(start, end, "decade", "absolute", f"{first // 10:03d}X")


def _year_or_none(g: dict, ctx: Context) -> tuple[int | None, str]:
    """Year written before a holiday/season (2024년, 올해 ...), if any."""
    s = _side(g, "", ctx.reference)
    if s.year is not None:
        return s.year, "absolute"
    if s.year_word is not None:
        anchor, how = _anchor(s.year_word, ctx, "year")
        return (anchor.year + s.year_word["offset"], how) if anchor else (None, "unresolved")
    return None, "relative_to_reference"


def _resolve_yearly(g: dict, ctx: Context, grain: str, period_of, timex_of) -> _Resolved:
    """Something that recurs every year (lunar holiday, season): pick the year, then its period."""
    year, how = _year_or_none(g, ctx)
    if year is None:
        ref = ctx.reference
        if ref is None:
            return _unresolved(grain, timex_of(None))
        options = {period_of(ref.year + k): ref.year + k for k in (-1, 0, 1)}
        period = _choose(list(options), ref, SETTINGS["future_weight"], _direction(g),
                         SETTINGS["other_year_penalty_days"])
        year = options[period]
    start, end = period_of(year)
    return _Resolved(start, end, grain, how, timex_of(year))


def _resolve_season(g: dict, ctx: Context) -> _Resolved:
    first, last, code = LOOKUP["season"][word_key(g["season"])]

    def period(year: int) -> tuple[date, date]:
        end_year = year + 1 if last < first else year
        return date(year, first, 1), date(end_year, last, month_len(end_year, last))

    return _resolve_yearly(g, ctx, "quarter", period, lambda y: f"{'XXXX' if y is None else f'{y:04d}'}-{code}")


def _resolve_month_week(g: dict, ctx: Context) -> _Resolved:
    """N-th week of a month: the Monday-Sunday week whose Thursday is the month's N-th Thursday."""
    month = _resolve_calendar(g, ctx)
    if month.start is None:
        return _unresolved("week", "XXXX-WXX")
    first = month.start.replace(day=1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    thursdays = [first_thursday + timedelta(weeks=k) for k in range(5)]
    thursdays = [t for t in thursdays if t.month == first.month]
    thursday = thursdays[RULES["week_ordinals"][g["wk"]] - 1 if RULES["week_ordinals"][g["wk"]] > 0 else -1]
    start, end, timex = _unit_period(thursday, "week", 0)
    return _Resolved(start, end, "week", month.resolution, timex)


def _resolve_named_date(g: dict, ctx: Context) -> _Resolved:
    """A month-day naming an event (9·11 테러): the year is not written, so leave it open."""
    return _unresolved("day", _calendar_timex(None, int(g["mo"]), int(g["d"])))


_RESOLVERS = {
    "calendar": _resolve_calendar,
    "relative": _resolve_relative,
    "offset": _resolve_offset,
    "weekday": _resolve_weekday,
    "quarter": _resolve_quarter,
    "half": _resolve_half,
    "decade": _resolve_decade,
    "season": _resolve_season,
    "named_date": _resolve_named_date,
    "month_week": _resolve_month_week,
}


def resolve(cand: Candidate, ctx: Context) -> _Resolved | None:
    try:
        res = _RESOLVERS[cand.rule.kind](cand.groups, ctx)
    except (ValueError, OverflowError, KeyError, TypeError, IndexError):
        return None
    if res.start is not None and (res.end is None or res.end < res.start):
        return None
    return res


def remember(res: _Resolved, ctx: Context) -> None:
    """Keep the mention as the anchor for later 전날/이날/이듬해 unless it was itself anchored so."""
    if res.start is None or res.resolution == "relative_to_previous_date":
        return
    ctx.last_date = res.start
    if res.grain == "day":
        ctx.last_day = res.start


