"""When a mention of an event happens, for linking (:mod:`pipeline.events.link`): its clause's own date or
a scheduling predicate (정상회담을 갖는다), and 이날 anchored on an impossible day.

Two mentions dated more than a day apart, or one scheduled and one dated before the article, are two events;
이날/당일 resolved to an earlier sentence's later day in a clause that reports a past act is the article's day.
A meeting clause that goes on through a connective to '<verb>는 일정을 …' (접견해 … 전달하는 일정을 앞두고) is an
item of a schedule (``schedule_chain``): :mod:`pipeline.events.clause` keeps it only with a day or week date.
Two drafts both dated more than a day apart are two events; in an article about one trip of several days, a
meeting reported after it with no date of its own takes the trip's days.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from .find import Context, Mention
from .rules import data, rules


_AFTER_EARLIER = re.compile(r"(?:데|것에|데\s?에|뒤|후)\s이어(?:서)?\s$")   # 29일 … 면담을 가진 데 이어 이날 …
_PAST_END = re.compile(r"(?:았|었|였|했|됐|졌|렸|쳤|켰|냈|왔|갔|났|뤘)다[.\"”’']*\s*$")


def anaphor_checked(date_mention, m: Mention, ctx: Context):
    """이날/당일 resolved to an earlier sentence's day after the article's date, in a clause that reports what
    happened (국회는 이날 본회의에서 … 처리했다, after 노동절(5월1일) or 2일 … 할 예정이다): the day of the report.
    So is 이날 right after an earlier day's act it follows (29일 … 면담을 가진 데 이어 이날 … 면담을 가졌다)."""
    reference = ctx.analysis.reference
    if (date_mention is None or reference is None or getattr(date_mention, "resolution", None) != "relative_to_previous_date"
            or date_mention.date_start is None or date_mention.date_start == reference):
        return date_mention
    if date_mention.date_start < reference:
        if date_mention.text not in ("이날", "당일") or not _AFTER_EARLIER.search(ctx.text, 0, date_mention.start):
            return date_mention
        return replace(date_mention, date_start=reference, date_end=reference, grain="day")
    floor, end = ctx.bounds(ctx.sentence(m.start))
    if not _PAST_END.search(ctx.text, m.end, end):
        return date_mention                        # 이날 본회의에서 처리한다: scheduled, the anchor holds
    return replace(date_mention, date_start=reference, date_end=reference, grain="day")


def frame_of(m: Mention, ctx: Context) -> tuple | None:
    """When a mention happens: its clause's own date, or scheduled (정상회담을 갖는다) with none. A date
    found around the mention more loosely (a later relative clause's) does not count."""
    d = m.date
    if d is not None and getattr(d, "date_start", None) is not None:
        return d.date_start, d.date_end or d.date_start, False
    return (None, None, True) if rules().scheduled_re.match(ctx.text, m.end) else None


def frames_conflict(fa: list[tuple], fb: list[tuple], reference) -> bool:
    """Two mentions dated more than a day apart, or one scheduled and the other dated before the reference
    date, report two events (다음 달 … 정상회담을 갖는다 / 작년 11월 … 정상회담을 가진 뒤)."""
    for a in fa:
        for b in fb:
            if a[0] is not None and b[0] is not None:
                if (b[0] - a[1]).days > 1 or (a[0] - b[1]).days > 1:
                    return True
            elif reference is not None and a[0] is None and b[0] is not None and a[2]:
                if (reference - b[1]).days > 1:
                    return True
            elif reference is not None and b[0] is None and a[0] is not None and b[2]:
                if (reference - a[1]).days > 1:
                    return True
    return False


_NATIVE_DAYS = {"이틀": 2, "사흘": 3, "나흘": 4, "닷새": 5, "엿새": 6, "이레": 7, "열흘": 10}
_SPAN = re.compile(r"부터\s?(?:(?:\d)박\s?(?P<nights_days>\d)일|(?P<days>\d{1,2})일\s?(?:간|동안)|"
                   rf"(?P<native>{'|'.join(_NATIVE_DAYS)})\s?(?:간|동안))")


def span_end(text: str, d):
    """'30일부터 2박3일 동안', '17일부터 사흘간': the last day of a stay that starts on ``d`` (a day), else None."""
    m = _SPAN.match(text, d.end)
    if m is None or d.grain != "day" or d.date_start is None:
        return None
    days = int(m.group("nights_days") or m.group("days") or 0) or _NATIVE_DAYS[m.group("native")]
    from datetime import timedelta
    return d.date_start + timedelta(days=days - 1) if 1 < days <= 31 else None


@lru_cache(maxsize=1)
def _schedule() -> tuple[tuple[str, ...], re.Pattern]:
    spec = data()["clauses"]["schedule_chain"]
    nouns = "|".join(map(re.escape, spec["nouns"]))
    return tuple(spec["connectives"]), re.compile(rf"(?<=[는할을])\s(?:{nouns})(?:을|이|으로)(?=\s)")


def in_schedule(ctx: Context, verb, end: int) -> bool:
    """The clause goes on through a connective (접견해, 갖고) to '<verb>는 일정을 …' with no sentence ending
    between: the meeting is an item of a schedule, a plan."""
    connectives, schedule_re = _schedule()
    text = ctx.text
    word_end = text.find(" ", verb.end())
    if word_end == -1 or word_end >= end or not text[verb.start():word_end].endswith(connectives):
        return False
    found = schedule_re.search(text, word_end, end)
    return found is not None and not ctx.tokens.has(word_end, found.start(), ("EF",))


def dated_apart(a, b) -> bool:
    """Both dated, more than a day apart (29일 … 정상회담에서 다음달 평양에서 개최되는 남북정상회담을 앞두고)."""
    da, db = a.date_mention, b.date_mention
    if not (da and db and da.date_start and db.date_start):
        return False
    return (db.date_start - (da.date_end or da.date_start)).days > 1 or (da.date_start - (db.date_end or db.date_start)).days > 1


def within_trip(drafts: dict) -> None:
    """'30일부터 다음 달 1일까지 아랍에미리트를 방문한다 … 이 차관은 또 … 장관과 면담하고': in an article about one
    trip of several days, a meeting reported after it with no date of its own takes the trip's days."""
    trips = [d for d in drafts.values() if d.mention.type == "visit" and d.date_mention is not None
             and getattr(d.date_mention, "grain", None) == "day" and d.date_mention.date_start is not None
             and d.date_mention.date_end not in (None, d.date_mention.date_start)]
    if len(trips) != 1:
        return
    trip = trips[0]
    first = min(trip.sentences)
    for draft in drafts.values():
        if (draft.date_mention is None and draft.mention.type in ("summit", "meeting", "forum") and not draft.frames
                and draft.sentences and min(draft.sentences) >= first):
            draft.date_mention = trip.date_mention
