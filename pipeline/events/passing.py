"""Reported, or in passing: which event mentions an article reports, and the order the finders run in.

Reported, not in passing. A mention is kept only when its sentence reports something — a
reporting predicate (열린, 개최, 참석, 채택, 서명, 체결, 출범, 방문 …) that is not habitual or
experiential (열릴 때마다, 방문한 적이 있다), not negated (열리지 않았다, 맺지 못했다) and not
an unrealised plan (개최 여부, 참석 가능성, 개최 의사) — and the mention itself is not *in
passing*: the text uses the event without saying that it took place, takes place or produced
something. In passing are:

- a time anchor: ``지난해 G20 정상회의 이후 물가가 올랐다는 지적``, ``한미 정상회담을 앞두고``
  (NAME 이후/이전/당시/때/앞두고 …), unless a reporting modifier stands right before the name
  (``지난 18일 … 열린 G20 정상회의 이후``: that clause reports the meeting);
- the title of a work or an expression: ``영화 ‘마지막 약속’``, ``‘국민과의 약속’이라는 표현``;
- an unquoted name whose sentence reports something else: it needs its own predicate, a
  reporting modifier right before it or the first reporting word after it in the same clause
  (``G20 정상회의가 … 열렸다``, ``APEC 정상회의 참석차``), not ``부산 엑스포 유치에 실패한 뒤 …
  발표했다``;
- a name that is a place: ``대구 엑스포에서 열린 ‘…’`` (``venue_triggers`` before 에서);
- a visit or signing with a habitual adverb before its verb (매년 현충원을 방문한다);
- a press conference or briefing for reporters (``출입기자 간담회를 열어``: ``press_meetings`` in a meeting's name);
- a goal or plan named by the event (``‘연내 종전선언’ 목표의 달성``: ``goal_nouns`` right after the name);
- history: a name, visit or signing whose own date lies more than ``history_days`` before the reference date
  (``1963년 채택된 ‘영사관계에 관한 빈 협약’``, ``지난 2012년 8월 … 독도를 방문하자``), as for clauses;
- anything in a sentence with no reporting predicate (headline lists, opinions, 결과를 설명했다).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .find import (Context, Mention, find_bare_hosted, find_named, find_references, find_signings,
                   find_unquoted, find_visits)
from .clause import _history
from .rules import CLAUSE_END, data, rules


def _reported(sentence_text: str) -> bool:
    """The sentence reports something: a reporting predicate not used habitually (열릴 때마다) or
    negated (열리지 않았다, 채택하지 못했다)."""
    r = rules()
    for word in r.reporting:
        for match in re.finditer(re.escape(word), sentence_text):
            if not r.habitual_re.match(sentence_text, match.end()):
                return True
    return False


def _in_passing(m: Mention, text: str) -> bool:
    """A time anchor (NAME 이후, NAME을 앞두고) with no reporting modifier before it, or the title of a
    work / an expression (영화 ‘…’, ‘…’이라는 표현)."""
    r = rules()
    before, after = text[max(0, m.start - 16):m.start], text[m.end:m.end + 16]
    plan = r.plan_re.match(text, m.end)
    if r.work_re.search(before) or r.expression_re.match(after) or r.anniversary_re.match(after) or plan \
            or _goal_re().match(after):
        return True                                  # ‘…’이라는 표현; ‘김대중-오부치 공동선언’ 20주년
    return bool(r.anchor_re.match(after)) and not r.modifier_re.search(before.rstrip(" ‘'“\""))


def find_mentions(ctx: Context) -> tuple[list[Mention], list[Mention]]:
    """Named mentions (kept when reported, not in passing) and the back-references to them."""
    text, quoted = ctx.text, ctx.quoted
    named = find_named(ctx)
    named += find_unquoted(ctx, quoted + named)
    named += find_signings(ctx, quoted + named)
    named += find_visits(ctx, quoted + named)
    named = [m for m in named if _kept(ctx, m)]
    from .clause import find_clauses            # events read from reporting clauses (clause.py imports this module)
    named += find_clauses(ctx, named)
    from .pledge import find_pledges
    named += find_pledges(ctx, named)
    named = sorted((m for m in named if _kept(ctx, m)), key=lambda m: m.start)
    named += find_bare_hosted(ctx, named, quoted + named)
    named = sorted((m for m in named if _kept(ctx, m)), key=lambda m: m.start)
    from .clause import bare_references
    return named, find_references(text, named, ctx.sentence) + bare_references(ctx, named)


def _kept(ctx: Context, m: Mention) -> bool:
    if m.type == "meeting" and _press_re().search(m.name):
        return False                           # 기자간담회: a press event, no meeting
    if m.rule in ("unquoted_name", "named_event") and (_dated_anchor(ctx, m) or _caption_dated(ctx, m)):
        return True                            # 21일 한미정상회담 뒤 …: the summit took place that day
    if m.rule.startswith("clause_"):           # the clause is its own reporting predicate
        return not _in_passing(m, ctx.text)
    if m.rule == "unquoted_name" and (not _own_predicate(ctx, m) or _a_venue(ctx, m)):
        return False
    if m.rule in ("visit", "signing") and rules().habitual_adverb_re.search(ctx.text, ctx.bounds(m.sentence)[0], m.end):
        return False
    if _historic(ctx, m):
        return False
    return _reported(ctx.text[slice(*ctx.bounds(m.sentence))]) and not _in_passing(m, ctx.text)


@lru_cache(maxsize=1)
def _press_re() -> re.Pattern:
    """A press word opening a word of the name and followed by a gathering or a word end (출입기자 간담회,
    기자간담회, 언론 간담회), not inside a body's name (언론중재위원회)."""
    words = "|".join(map(re.escape, data()["press_meetings"]["words"]))
    return re.compile(rf"(?:^|\s)(?:출입)?(?:{words})(?:단|들)?(?=\s|$|간담회|회견|설명회|브리핑)")


@lru_cache(maxsize=1)
def _goal_re() -> re.Pattern:
    words = "|".join(map(re.escape, data()["goal_nouns"]["words"]))
    return re.compile(rf"[’'”\"]?\s?(?:{words})(?=[의을를이가은는로와과에도]|\s|$)")


def _historic(ctx: Context, m: Mention) -> bool:
    """The mention's own date (the one its date linking would give it) lies more than ``history_days`` before
    the reference date: history the text recalls, not news (1963년 채택된 ‘…협약’, 지난 2012년 … 방문하자)."""
    from .link import _date_and_venue          # link imports this module
    return _history(ctx, _date_and_venue(m, ctx)[0])


def _dated_anchor(ctx: Context, m: Mention) -> bool:
    """'21일 오후(현지시간) 한미정상회담 뒤 …': a day date right before a name followed by an anchor of
    ``after_anchors`` says when the event took place."""
    if not re.match(rf"\s?(?:{'|'.join(map(re.escape, data()['after_anchors']))})(?=\s)", ctx.text[m.end:m.end + 6]):
        return False
    date = next((d for d in ctx.analysis.dates if d.end <= m.start and d.grain == "day" and d.date_start
                 and re.fullmatch(r"\s?(?:오전|오후|저녁|밤|새벽)?\s?(?:\([^()]{1,8}\))?\s?", ctx.text[d.end:m.start])), None)
    return date is not None and not _history(ctx, date)


def _caption_dated(ctx: Context, m: Mention) -> bool:
    """A photo caption: the name, a bracket (출처: …) and a date stamp ending its sentence ('… 장관회의 (출처: …)
    2021.6.29.'): the event on that day (the stamp becomes the mention's date)."""
    after = re.match(r"\s?(?:\([^()]{1,40}\))?\s?(\d{4}\.\s?\d{1,2}\.\s?\d{1,2}\.?)(?:\s*$|\s*\n)",
                     ctx.text[m.end:ctx.bounds(m.sentence)[1]])
    date = after and next((d for d in ctx.analysis.dates if d.start == m.end + after.start(1) and d.date_start), None)
    if not date or _history(ctx, date):
        return False
    m.date = date
    return True


def _a_venue(ctx: Context, m: Mention) -> bool:
    """'대구 엑스포에서 열린 ‘…’': a name ending in one of ``venue_triggers`` before 에서 is a place (a fair
    ground or convention centre), not an event."""
    return m.name.endswith(tuple(data()["venue_triggers"])) and ctx.text.startswith("에서", m.end)


def _own_predicate(ctx: Context, m: Mention) -> bool:
    """An unquoted name needs a reporting predicate of its own: a modifier right before it (열린 G20
    정상회의), or the first reporting word after it in the same clause (G20 정상회의가 … 열렸다,
    APEC 정상회의 참석차): no clause ending or relative ending between, quoted names and dates aside."""
    text = ctx.text
    if rules().modifier_re.search(text[max(0, m.start - 12):m.start]):
        return True
    end = ctx.bounds(m.sentence)[1]
    hits = [(i, i + len(w)) for w in rules().reporting for i in [text.find(w, m.end, end)] if i >= 0]
    if not hits:
        return False
    first, first_end = min(hits)
    if rules().habitual_re.match(text, first_end):       # 개최 여부, 열리지 않았다
        return False
    return not ctx.tokens.has(m.end, first, CLAUSE_END + ("ETM",), skip=ctx.quoted + ctx.analysis.dates)
