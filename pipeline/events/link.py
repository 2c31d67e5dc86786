"""Linking dates, places, counts and parents to event mentions, and the event rows of one article.

Dates, places and counts are linked by the phrase structure around the mention:

- ``NAME(이|가|은|는|을|를) <date> <place>에서 열렸다/개최됐다/출범했다``: the date and place in
  the stretch between the subject (or object) and its predicate, if only nouns, numbers, dates
  and particles stand there;
- else the last date before the name in its sentence, and the venue of ``<place>에서 열린 NAME``
  (a relative clause ending right before it) or, for a signing or an object (``<place>에서
  NAME을 개최했다``), the ``<place>에서`` of its clause; a place that is itself an event
  (‘… 포럼’에서, 정상회의에서) is a host, not a venue;
- counts by the phrase patterns of :mod:`pipeline.events.counts` (``N개국이 참여한 NAME``, ``NAME에는 …
  N개국이 참석했다``, ``N건의 MOU``): the count's role comes from its verb (signatories, participants,
  attendees, delegates); a count in brackets after a count (``21명(분관장 1명 포함)``) is a part of it.

A declaration or pledge adopted at a meeting named before it in its sentence belongs to it and
takes its date and place when it has none. Pure: an ``Analysis`` (text + mentions) and its
``Doc`` in, event dicts out; ``cluster_events`` consolidates the events of many articles.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .cluster import stable_id
from .counts import link_count
from .find import Context, Mention, Tokens, predicate_gap, words_before
from .partners import by_people, other_people, shared_parties
from .passing import find_mentions
from .timing import anaphor_checked, dated_apart, frame_of, frames_conflict, within_trip
from .rules import CLAUSE_END, COARSE_GRAINS, COUNTED, HOSTED_TYPES, HOST_TYPES, NOMINAL, name_key, rules, strip_tail
_ONGOING = re.compile(r"\s?중(?:인|이던|이었던|에)?\s")      # 방한 중인, 방문중인, 방미 중에
_TOPIC = re.compile(r"[‘'“\"][^’'”\"\n]{1,60}[’'”\"](?:을|를|이라는|라는)\s주제로")   # ‘…’을 주제로: no quote that counts


def _date_before(m: Mention, ctx: Context):
    """The last date before the name in its sentence (≤ 80 chars, no quote between), else one in
    brackets right after it."""
    text, floor = ctx.text, ctx.sentence_start(m.start)
    before = [d for d in ctx.analysis.dates if floor <= d.start and d.end <= m.start and m.start - d.end <= 80
              and d.date_start is not None and d.grain not in COARSE_GRAINS and not re.search(r"[‘'“\"]", _TOPIC.sub("", text[d.end:m.start]))]
    if before:
        from .clause import widen_range
        return widen_range(ctx, before[-1])
    after = [d for d in ctx.analysis.dates if 0 <= d.start - m.end <= 3 and d.date_start is not None]
    return after[0] if after else None


def _rejected_before(m: Mention, ctx: Context) -> bool:
    """A clause mention whose own clause turned down the date before it (6일까지 머물며 … 정상회담을 갖는다;
    외교부는 6일 … 장관이 … 회담을 했다고 밝혔다: the report's day)."""
    from .clause import until_of_another_verb
    from .forms import reporter_date
    d = _date_before(m, ctx)
    return d is not None and d.end <= m.start and (until_of_another_verb(ctx, d, m.start) or reporter_date(ctx, d, m.start))


def _venue_for(mention: Mention, text: str, date_mention, places) -> str | None:
    """The venue of a relative clause right before the name: '<place>에서 열린 NAME'."""
    window_start = max(date_mention.end if date_mention and date_mention.end <= mention.start else 0,
                       mention.start - 60)
    window = text[window_start:mention.start]
    match = None
    for match in rules().venue_re.finditer(window):
        pass
    if match is None or window[match.end():].strip(" ‘'“\"") != "":
        return None
    venue_end = window_start + match.start()
    candidates = [p for p in places if window_start <= p.start < venue_end]
    if candidates:
        start = candidates[0].start
    else:                                   # the last word before 에서, with its bracketed gloss
        last = re.search(r"(\S+(?:\s?\([^)]*\))?)\s*$", window[:match.start()])
        start = window_start + (last.start() if last else match.start())
    venue = text[start:venue_end].strip(" ,")
    return venue or None


def _venue_in(ctx: Context, start: int, end: int, clause_end_ok: bool = False) -> str | None:
    """'<place>에서' in [start, end): the nouns before 에서 (at most six words; no numbers, dates or time
    words such as 이날 오전)."""
    text = ctx.text
    spots = [m for m in re.finditer(r"(?<=[^\s])에서(?=\s)", text[start:end])]
    if not spots:
        return None
    at = start + spots[-1].start()
    if not clause_end_ok and ctx.tokens.has(at, end, CLAUSE_END):
        return None
    first = at
    for n, (ws, we) in enumerate(words_before(text, at, start)):
        modifier = text[ws:we] == "한" or (text[ws:we].endswith("의") and ctx.tokens.all_in(ws, we, NOMINAL + ("JKG",)))
        closes = ")" in text[ws:we] and "(" not in text[ws:we]      # '(현지 시각)': the end of an aside
        inside = not ctx.tokens.within(ws, we)         # 포시즌스 호텔: one Kiwi token over two words
        if (n >= 6 or text[ws] == "(" or closes or not (modifier or inside or ctx.tokens.all_in(ws, we, NOMINAL))
                or ctx.tokens.has(ws, we, ("NNB",))
                or text[ws:we] in rules().venue_stop or any(d.start < we and ws < d.end for d in ctx.analysis.dates)):
            break
        first = ws
    while first < at and (text.startswith("한 ", first) or re.match(r"\S+의\s", text[first:at])) and \
            not re.match(r"\S+의\s\S", text[first:at]):
        first = text.index(" ", first) + 1               # no venue starts with 한 or ends on a genitive
    venue = text[first:at].strip(" ,")
    if not venue or re.search(r"[‘’'“”\"]", venue) or rules().trigger_re.search(venue):
        return None                         # ‘… 포럼’에서, 정상회의에서: a host event, no place
    return venue


def _date_and_venue(m: Mention, ctx: Context):
    """(date mention, venue) of a mention: its predicate phrase first, then the clause before it."""
    gap = predicate_gap(ctx, m.end, rules().predicate_re) if m.rule != "visit" else None
    date_after = [d for d in ctx.analysis.dates if gap and gap[0] <= d.start < gap[1] and d.date_start]
    loose = None if m.rule.startswith("clause_") and _rejected_before(m, ctx) else _date_before(m, ctx)
    if m.type == "visit" and _ONGOING.match(ctx.text, m.end):
        loose = None                        # 29일 … 방한 중인 X를 접견: the stay began before that day
    if date_after:
        from .clause import widen_range
        date_after[0] = widen_range(ctx, date_after[0])      # 제주포럼이 24일부터 사흘간 … 열린다
    date_mention = m.date or (date_after[0] if date_after else loose)
    if m.location:
        return date_mention, m.location
    venue = _venue_in(ctx, *gap) if gap else None
    if venue is None and (m.rule == "signing" or re.match(r"[’'”\"]?\s?[을를]\s", ctx.text[m.end:m.end + 4])):
        floor = date_mention.end if date_mention and date_mention.end <= m.start else ctx.sentence_start(m.start)
        venue = _venue_in(ctx, floor, m.start)
    return date_mention, venue or _venue_for(m, ctx.text, date_mention, ctx.places)


# -- assembling ----------------------------------------------------------------------------

@dataclass
class Draft:
    key: str
    mention: Mention
    names: list[str] = field(default_factory=list)
    name_en: str | None = None
    date_mention: object = None
    location: str | None = None
    counts: list[dict] = field(default_factory=list)
    sentences: set[int] = field(default_factory=set)
    parent_key: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    clause_dated: bool = False
    frames: list[tuple] = field(default_factory=list)   # (date_start, date_end, scheduled) of each dated or scheduled mention


def _sentence_bounds(analysis, index: int) -> tuple[int, int]:
    starts = analysis.sentence_starts
    end = starts[index + 1] if index + 1 < len(starts) else len(analysis.text)
    return starts[index], end


def extract_events(analysis, doc=None) -> list[dict]:
    """Event rows (without article_id and ids; ``finish_events`` adds them) for one article."""
    if doc is None:
        from pipeline.nlp import get_nlp
        doc = get_nlp()(analysis.text)
    ctx = Context(analysis, Tokens(doc))
    named, refs = find_mentions(ctx)
    drafts: dict[str, Draft] = {}
    for m in named:
        m.date = anaphor_checked(m.date, m, ctx)
        date_mention, venue = _date_and_venue(m, ctx)
        date_mention = anaphor_checked(date_mention, m, ctx)
        frame = frame_of(m, ctx)
        draft = _draft_for(drafts, m, frame, ctx.analysis.reference)
        if frame is not None:
            draft.frames.append(frame)
        draft.names.append(m.name)
        draft.mentions.append(m)
        draft.name_en = draft.name_en or m.name_en
        draft.sentences.add(m.sentence)
        if m.parent is not None:
            draft.parent_key = _draft_for(drafts, m.parent).key
        if date_mention is not None and (draft.date_mention is None or (m.date is not None and not draft.clause_dated)):
            draft.date_mention = date_mention               # a clause's own date wins over a looser one
            draft.clause_dated = m.date is not None
        draft.location = draft.location or venue
    _merge_drafts(drafts, ctx.analysis.reference)
    _link_counts(analysis, named + [r for r in refs if r.rule != "bare_topic"], drafts)   # topics: date, place
    for ref in refs:
        draft = _draft_for(drafts, ref.parent)
        draft.sentences.add(ref.sentence)
        if ref.rule == "bare_topic":                       # 포럼은 오는 29일 … 신라호텔에서 열린다
            date_mention, venue = _date_and_venue(ref, ctx)
            draft.date_mention = draft.date_mention or date_mention
            draft.location = draft.location or venue
    _inherit_from_parents(drafts, named + refs)
    within_trip(drafts)
    return [_row(d, analysis, drafts) for d in drafts.values()]


def _draft_for(drafts: dict[str, Draft], m: Mention, frame: tuple | None = None, reference=None) -> Draft:
    for draft in drafts.values():
        if any(x is m for x in draft.mentions):
            return draft
    keys = [k for k in (name_key(m.name), name_key(m.name_en or "")) if k]
    for key in keys:
        for draft in drafts.values():
            if key in (name_key(n) for n in draft.names) or (draft.name_en and key == name_key(draft.name_en)):
                if draft.mention.type == m.type and not (frame and frames_conflict([frame], draft.frames, reference)):
                    return draft
    key = f"{m.type}:{keys[0] if keys else m.start}"
    if key in drafts:
        key = f"{key}@{m.start}"                        # a second event of one name, on another day
    drafts[key] = Draft(key, m)
    return drafts[key]


FAMILY = {"summit": "meeting", "meeting": "meeting", "forum": "meeting", "declaration": "statement",
          "pledge": "statement", "agreement": "agreement", "launch": "launch", "visit": "visit"}
LAUNCH_WORDS = ("출범", "발족", "개소", "창립")


def _core(name: str) -> str:
    """The name key without a trailing launch meeting (… 발족회의, … 출범 회의 → …)."""
    return re.sub(rf"(?:{'|'.join(LAUNCH_WORDS)})(?:회의|식)?$", "", name_key(name))


def _launchish(d: Draft) -> bool:
    return d.mention.type == "launch" or any(w in n for n in d.names for w in LAUNCH_WORDS)


def _same_event(a: Draft, b: Draft, reference=None) -> bool:
    """Two drafts of one article that name one event: the same type family (a launch and its 출범 회의
    too), neither the other's parent (unless the child is the body's launch meeting), and one name
    inside the other, or sharing a tail longer than the trigger (AI 데이터센터 전문가 협의회 / TTA·KCIA,
    전문가 협의회 출범)."""
    ta, tb = a.mention.type, b.mention.type
    if frames_conflict(a.frames, b.frames, reference) or dated_apart(a, b):
        return False
    related = a.key == b.parent_key or b.key == a.parent_key
    if related:                                  # ‘…협의회’ 출범 회의: the launch meeting is the body's launch
        child = a if a.parent_key == b.key else b
        if not _launchish(child):
            return False
    elif a.parent_key != b.parent_key:
        return False
    elif FAMILY[ta] != FAMILY[tb] and not (_launchish(a) and _launchish(b)):
        return False
    generic = any(m.generic for m in a.mentions + b.mentions)
    if ta == tb in ("agreement", "launch") and (_bare(a) or _bare(b)):
        return True                              # 협약식을 가졌다 beside 동해시-카카오 업무협약: one signing
    if generic and ((ta == tb and a.sentences & b.sentences and _same_head(a, b) and not other_people(a, b))
                    or (FAMILY[ta] == FAMILY[tb] and shared_parties(a, b))):
        return True                              # 정상회담을 가졌다 beside 한일 정상회담; 알팔레 접견 / 알팔레 회동
    if generic and ta == tb and _same_day(a, b) and _same_head(a, b) and not (by_people(a) and by_people(b)):
        return True                              # 한미 외교장관 전화 통화 / 강경화-폼페이오 전화통화, one day
    for na in a.names:
        for nb in b.names:
            ka, kb = _core(na), _core(nb)
            if (len(ka) >= 4 and len(kb) >= 4 and (ka in kb or kb in ka)) or \
                    (min(len(ka), len(kb)) >= 2 and (ka.endswith(kb) or kb.endswith(ka))):
                return True
            trigger = rules().trigger_re.search(strip_tail(na))
            tail = next((i for i, (x, y) in enumerate(zip(ka[::-1], kb[::-1])) if x != y), min(len(ka), len(kb)))
            if trigger and tail >= len(trigger.group(1)) + 2:
                return True
    return False


def _same_day(a: Draft, b: Draft) -> bool:
    da, db = a.date_mention, b.date_mention
    return bool(da and db and da.date_start and da.grain == db.grain == "day" and da.date_start == db.date_start)


def _same_head(a: Draft, b: Draft) -> bool:
    """The names end in one head noun (정상회담 / 한일 정상회담), not two kinds of gathering in one sentence
    (… 보고회에 참석, 권오갑 대표를 만나: the report meeting and the encounter)."""
    heads = lambda d: {n.split()[-1] for n in d.names if n.split()}
    return any(x.endswith(y) or y.endswith(x) for x in heads(a) for y in heads(b))


def _bare(d: Draft) -> bool:
    """Every name of the draft is a bare head (협약식, MOU, 양해각서), no name of its own."""
    return all(_bare_name(n) for n in d.names)


def _bare_name(name: str) -> bool:
    from .clause import spec as clause_spec
    heads = {h.replace(" ", "") for h in set(rules().triggers) | set(clause_spec()["nouns"])}
    return name.replace(" ", "") in heads


def _merge_drafts(drafts: dict[str, Draft], reference=None) -> None:
    """One row per event per article: title, lead and body mentions merge; the dated (then named, then
    placed) mention's draft wins (… 발족한다 over a bare 출범식을 연다), a launch wins over its launch meeting
    (발족회의 is the launch)."""
    for d in drafts.values():
        if d.mention.type == "meeting" and any(_core(n) != name_key(n) for n in d.names):
            d.mention.type = "launch"
    changed = True
    while changed:
        changed = False
        items = list(drafts.values())
        for i, a in enumerate(items):
            for b in items[i + 1:]:
                if _same_event(a, b, reference):
                    win, lose = sorted((a, b), key=lambda d: (d.mention.type != "launch", d.date_mention is None,
                                                              _bare(d), d.location is None, d.mention.start))
                    _absorb(win, lose, drafts)
                    changed = True
                    break
            if changed:
                break


def _absorb(win: Draft, lose: Draft, drafts: dict[str, Draft]) -> None:
    win.names = lose.names + win.names if lose.date_mention and not win.date_mention else win.names + lose.names
    win.mentions += lose.mentions
    win.sentences |= lose.sentences
    win.name_en = win.name_en or lose.name_en
    win.date_mention = win.date_mention or lose.date_mention
    win.location = win.location or lose.location
    win.counts += [c for c in lose.counts if c not in win.counts]
    win.frames += lose.frames
    del drafts[lose.key]
    if win.parent_key == lose.key:
        win.parent_key = lose.parent_key
    for d in drafts.values():
        if d.parent_key == lose.key:
            d.parent_key = win.key if d is not win else None


_PART_OF_COUNT = re.compile(r"\s?(?:포함|제외)\)")       # … 1명 포함), … 2명 제외)


def _link_counts(analysis, mentions: list[Mention], drafts: dict[str, Draft]) -> None:
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for m in sorted(mentions, key=lambda m: m.start):
        by_sentence[m.sentence].append(m)
    for number in analysis.numbers:
        if number.kind != "count" or (number.counted not in COUNTED and number.unit != "건"):
            continue
        if _PART_OF_COUNT.match(analysis.text, number.end):
            continue                 # 공관장 21명(분관장 1명 포함): a part of the count before, not another
        index = analysis.sentence_index(number.start)
        if index not in by_sentence:
            continue
        _, sentence_end = _sentence_bounds(analysis, index)
        link = link_count(number, by_sentence[index], analysis.text, sentence_end)
        if link is None:
            continue
        target, role = link
        draft = _draft_for(drafts, target.parent if not target.named else target)
        count = {"value": float(number.value), "counted": number.counted, "role": role,
                 "qualifier": number.qualifier, "number_start": number.start, "number_end": number.end,
                 "text": number.text}
        if not any(c["number_start"] == number.start for c in draft.counts):
            draft.counts.append(count)
        draft.sentences.add(index)


def _host_of(draft: Draft, mentions: list[Mention]) -> Mention | None:
    """The meeting a declaration or pledge was made at: the nearest one named before it in its sentence,
    else one referred to there ('이번 정상회의에서 … 선언문이 발표됐다')."""
    for m in draft.mentions or [draft.mention]:
        same = [x for x in mentions if x.sentence == m.sentence and x.type in HOST_TYPES and x is not m]
        before = [x for x in same if x.named and x.start < m.start]
        if before:
            return before[-1]
        refs = [x for x in same if not x.named]
        if refs:
            return refs[0].parent
    return None


def _inherit_from_parents(drafts: dict[str, Draft], mentions: list[Mention]) -> None:
    """A declaration adopted at a summit belongs to it and takes its date and place when it has none."""
    for draft in list(drafts.values()):
        if draft.parent_key is None and draft.mention.type in HOSTED_TYPES:
            host = _host_of(draft, mentions)
            if host is not None:
                draft.parent_key = _draft_for(drafts, host).key
        parent = drafts.get(draft.parent_key) if draft.parent_key else None
        if parent is not None and parent is not draft:
            if parent.clause_dated and not draft.clause_dated and draft.sentences & parent.sentences:
                draft.date_mention = parent.date_mention     # adopted at the meeting its clause dates
            draft.date_mention = draft.date_mention or parent.date_mention
            if draft.mention.rule != "clause_session":     # a session row keeps the place its own sentence states
                draft.location = draft.location or parent.location
            if parent.date_mention is None and any(m.rule == "clause_host" for m in parent.mentions):
                parent.date_mention = draft.date_mention        # 한일 정상회담의 확대 회담이 23일 …: the session dates it


def _display_name(draft: Draft) -> str:
    """The most frequent name, a Korean one when there is one (the English title goes to name_en)."""
    korean = [n for n in draft.names if re.search(r"[가-힣]", n)]
    names = korean or draft.names
    names = [n for n in names if not _bare_name(n)] or names       # 협약식 beside 수소 생태계 업무협약
    return Counter(names).most_common(1)[0][0] if names else draft.mention.name


def _row(draft: Draft, analysis, drafts: dict[str, Draft]) -> dict:
    sentences = sorted(draft.sentences)
    evidence = []
    for index in sentences:
        start, end = _sentence_bounds(analysis, index)
        evidence.append({"text": analysis.text[start:end].strip(), "start": start, "end": end})
    in_evidence = lambda m: any(e["start"] <= m.start < e["end"] for e in evidence)
    d = draft.date_mention
    confidence = 0.5 + 0.2 * (d is not None) + 0.15 * (draft.location is not None) + 0.15 * bool(draft.counts)
    return {
        "event_key": draft.key, "type": draft.mention.type,
        "name": _display_name(draft),
        "name_en": draft.name_en,
        "date_start": d.date_start if d else None, "date_end": d.date_end if d else None,
        "date_grain": d.grain if d else None,              # "2025" is a year, not 1 January
        "location": draft.location, "counts": sorted(draft.counts, key=lambda c: c["number_start"]),
        "officials": sorted({o.person_id for o in analysis.officials if in_evidence(o) and o.person_id}),
        "organizations": sorted({o.canonical for o in analysis.organizations if in_evidence(o)}),
        "parent_key": draft.parent_key, "evidence": evidence, "confidence": round(min(confidence, 1.0), 2),
        "rule": draft.mention.rule + ("+reference" if len(sentences) > 1 else ""),
    }


def finish_events(article_id: str, events: list[dict]) -> list[dict]:
    """Give events stable ids (article + normalised name) and link parents."""
    ids = {e["event_key"]: stable_id(article_id, e["event_key"]) for e in events}
    rows = []
    for e in events:
        row = {k: v for k, v in e.items() if k not in ("event_key", "parent_key")}
        row.update(event_id=ids[e["event_key"]], article_id=article_id,
                   parent_event_id=ids.get(e["parent_key"]) if e["parent_key"] else None)
        rows.append(row)
    return rows


