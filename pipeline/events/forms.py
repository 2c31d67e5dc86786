"""Clause forms around a meeting that the reporting clause alone does not give (used by
:mod:`pipeline.events.clause`):

- ``<date> <partner>과의 <meeting>에서 … <past verb>``: a meeting with that partner on that date
  (25일 트럼프 대통령과의 정상회담에서 … 제안했다);
- ``1세션은 ‘…’을 주제로``: a session, child of the meeting the article names before it;
- ``그는/그가``: the official who was the subject in the two sentences before (names talks);
- ``<reporting body>는 <date> … <subject>이 … 했다고 밝혔다``: that date is the report's, not the meeting's.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .find import Context, Mention, _inside
from .rules import data

SUBJECT_TOPIC = re.compile(r"(?:이|가|은|는)(?=\s)")


@lru_cache(maxsize=1)
def _partner_meeting_re() -> re.Pattern:
    clauses = data()["clauses"]
    nouns = {**clauses["nouns"], **clauses["ceremony_nouns"]}
    meeting = sorted((w for w, t in nouns.items() if clauses["family"][t] == "meeting"), key=len, reverse=True)
    return re.compile(r"(?<![가-힣A-Za-z0-9])(?P<partner>(?:[가-힣A-Za-z0-9·]+\s){0,2}?[가-힣A-Za-z0-9·]+?)"
                      r"(?:들)?(?:과|와)의\s(?P<run>(?:[가-힣A-Za-z0-9·]+\s)?)"
                      rf"(?P<noun>{'|'.join(map(re.escape, meeting))})(?:에서|에서는|에서도)\s")


_PAST_REPORT = re.compile(r"(?:았|었|였|했|됐|졌|렸|쳤|냈|왔|갔|났|뤘)(?:다|습니다)[.\"”’']*\s*$")


def partner_meetings(ctx: Context, taken: list) -> list[Mention]:
    """'25일 트럼프 대통령과의 정상회담에서 … 제안했다', '이날 기업인들과의 간담회에서 … 약속했다': a meeting
    with that partner, held on the clause's date, when the sentence reports a past act."""
    from .clause import _history, _party_name, clause_date, spec
    text, found, s = ctx.text, [], spec()
    for match in _partner_meeting_re().finditer(text):
        n0, n1 = match.span("noun")
        floor, end = ctx.bounds(ctx.sentence(n0))
        date = clause_date(ctx, floor, n0)
        if (date is None or date.grain not in ("day", "week", "month") or _history(ctx, date)
                or _inside(taken + found, n0) or _in_speech(ctx, n0, match)
                or not _PAST_REPORT.search(text, match.end(), end)):
            continue
        noun = match.group("noun")
        p0 = max([match.start("partner")] + [d.end + 1 for d in ctx.analysis.dates
                                             if match.start("partner") <= d.start < match.end("partner")])
        partner = text[p0:match.end("partner")].strip()
        if not partner:
            continue
        name = _party_name(ctx, floor, n0, noun) or f"{partner} {match.group('run') or ''}{noun}"
        kind = "summit" if s["nouns"][noun] == "meeting" and "정상" in noun else s["nouns"][noun]
        found.append(Mention(p0, n1, name, None, kind, ctx.sentence(n0), rule="clause_partner",
                             date=date, generic=True))
    return found


_SESSION = re.compile(r"(?<![가-힣0-9])((?:제?\d{1,2}\s?세션|세션\s?\d{1,2}|첫\s세션|기조\s?세션|특별\s?세션|폐막\s?세션))"
                      r"(?:은|는|에서는|에선)\s[‘'“\"]([^’'”\"\n]{2,60})[’'”\"]\s?(?:을|를|이라는)\s주제로")


def sessions(ctx: Context, taken: list) -> list[Mention]:
    """'1세션은 ‘…’을 주제로 … 발제할 예정이다': a session of the forum or meeting the article names before it
    (a child: it takes the host's date)."""
    found = []
    for match in _SESSION.finditer(ctx.text):
        hosts = [m for m in taken if m.named and m.end <= match.start() and m.type in ("forum", "meeting", "summit")
                 and not m.generic and m.parent is None]
        if not hosts or _inside(taken + found, match.start()):
            continue
        name = f"{match.group(1)} ‘{match.group(2)}’"
        found.append(Mention(match.start(1), match.end(), name, None, "meeting", ctx.sentence(match.start()),
                             rule="clause_session", parent=hosts[-1]))
    return found


_PRONOUN = re.compile(r"(?<![가-힣])(?:그|그녀)(?:는|가)\s")


def pronoun_subject(ctx: Context, floor: int, pos: int):
    """'조현 장관은 … 도착했다. 그는 26일 루비오 장관과 회담을 갖는다': the official a 그는/그가 before ``pos``
    stands for — the last official that was a subject in the two sentences before."""
    if not _PRONOUN.search(ctx.text, floor, pos):
        return None
    sentence = ctx.sentence(floor)
    low = ctx.bounds(max(0, sentence - 2))[0]
    subjects = [o for o in ctx.analysis.officials if low <= o.start and o.end <= floor and SUBJECT_TOPIC.match(ctx.text, o.end)]
    return subjects[-1] if subjects else None


_REPORTED = re.compile(r"(?:다|냐|라)(?:고|는)\s?(?:\S+\s){0,3}?(?:밝혔|전했|발표했|말했|설명했|보도했|해명했)")


def reporter_date(ctx: Context, d, pos: int) -> bool:
    """'외교부는 6일 … 정 장관이 블링컨 장관과 회담을 했다고 밝혔다': the date after the reporting body is the
    day of the report, not of the meeting its own subject (… 장관이) reports."""
    start = next((x.start for x in ctx.analysis.dates if x.end == d.start - 1 and ctx.text[x.end] == "("), d.start)
    before = ctx.text[ctx.sentence_start(start):start]                 # 외교부는 오늘(6일): the gloss's word
    if not re.search(r"(?:은|는)\s$", before) or not any(
            o.end == len(before.rstrip()) - 1 + ctx.sentence_start(start) for o in ctx.analysis.organizations):
        return False
    own_subject = any(d.end <= o.start and o.end <= pos and re.match(r"(?:이|가)\s", ctx.text[o.end:o.end + 2])
                      for o in ctx.analysis.officials)
    return own_subject and bool(_REPORTED.search(ctx.text, pos, ctx.bounds(ctx.sentence(pos))[1]))


# -- small readers of a clause's text (used by clause.py) -------------------------------------

def _quote_before(ctx: Context, start: int):
    """The quoted span closing right before ``start``, a space apart at most (‘…’ 현판식, ‘…’ 간담회)."""
    return next((q for q in ctx.quoted if q.end in (start, start - 1) and ctx.text[q.end:start].strip() == ""), None)


def _quote_ending(ctx: Context, end: int):
    """The quoted span closing right after ``end`` (‘고객권익보호위원회’를 개최했다)."""
    return next((q for q in ctx.quoted if q.end == end + 1), None)


def _in_speech(ctx: Context, pos: int, match) -> bool:
    """Inside a quotation that does not close right after the noun: someone's words, not a report."""
    return any(q.start < pos < q.end and q.end != match.end(1) + 1 for q in ctx.quoted)


def _negated_after(text: str, pos: int) -> bool:
    return bool(re.match(r"[가-힣]{0,3}\s?(?:않|못|안\s|없)", text[pos:pos + 8]))


def _skip_dates(ctx: Context, pos: int) -> int:
    """Past a date standing between object and verb (공동성명을 21일(현지 시각) 발표했다)."""
    for d in ctx.analysis.dates:
        if d.start == pos:
            after = re.match(r"\s?(?:\([^()]{1,8}\))?\s?", ctx.text[d.end:d.end + 12])
            return d.end + after.end()
    return pos


@lru_cache(maxsize=1)
def _signed_modifier_re() -> re.Pattern:
    """The agreement nouns of the clause rules (not their ceremonies) after '서명한/체결한'."""
    clauses = data()["clauses"]
    nouns = sorted((n for n, t in clauses["nouns"].items() if t == "agreement" and n not in clauses["ceremony_nouns"]),
                   key=len, reverse=True)
    return re.compile(r"(?:서명|체결)한\s(?P<run>(?:[가-힣A-Za-z0-9·]+,?\s){0,4}?[가-힣A-Za-z0-9·]*?)"
                      rf"(?P<noun>(?:{'|'.join(map(re.escape, nouns))})(?:\([A-Za-z]{{2,8}}\))?)(?=[을를에의이가은는도\s])")


def signed_modifiers(ctx: Context, taken: list) -> list[Mention]:
    """'29일 체결한 보건협력 업무협약에 따라': an agreement signed on the clause's day, named by the words before its
    noun (a bare '업무협약' names nothing and is left out)."""
    from .clause import _history, clause_date, spec
    found = []
    for match in _signed_modifier_re().finditer(ctx.text):
        run = match.group("run").strip(" ,")
        floor, _ = ctx.bounds(ctx.sentence(match.start()))
        date = clause_date(ctx, floor, match.start())
        reference = ctx.analysis.reference
        if (not run or date is None or date.grain not in ("day", "week") or _history(ctx, date)
                or reference is not None and date.date_start > reference          # 서명한 is past: a later day misread
                or _inside(taken + found, match.start("noun")) or _in_speech(ctx, match.start(), match)):
            continue
        noun = match.group("noun")
        kind = spec()["nouns"].get(noun.split("(")[0], "agreement")
        found.append(Mention(match.start("run"), match.end("noun"), f"{run} {noun}", None, kind,
                             ctx.sentence(match.start()), rule="clause_signed", date=date))
    return found
