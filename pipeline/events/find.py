"""Policy events: summits, meetings, declarations, pledges, signings, launches, visits, read from sentences.

Every word list is data (``data/events.json``); every rule is a phrase pattern over the text and
the Kiwi tokens of the spaCy ``Doc`` (tags: NNP proper noun, NNG common noun, NNB bound noun, SL
foreign word, SN number, J* particles, V*/E* verbs and endings, ETM a relative ending). Examples
of each rule, and of what is no event, are in ``tests/corpus/events.jsonl``.

Mentions of events:

- a *named* event: a quoted name ending in a trigger word (‘서울 장관 성명’ → declaration), an
  English title ('AI Action Summit'), or an *unquoted* name: the words before one of
  ``unquoted_triggers`` made of proper nouns, foreign words and numbers (``G20 정상회의``,
  ``한미 정상회담``, ``제3차 한-아세안 장관회의``, ``뮌헨안보회의(MSC)``) with at least one proper
  noun or foreign word outside a bracketed gloss (인공지능(AI) is no proper name); common nouns
  glued to the trigger (외교장관회의), ending in a title (``재무장관·중앙은행총재 회의``), or, before a
  meeting's trigger, at most two between a proper noun and it (``이탈리아 G20 외교·개발 장관회의``);
  ``unquoted_glued_triggers`` (대화, 협의회) only glued (한미 에너지안보대화); a leading ordinal
  (제3차) stays out of the name, and so do gazetteer places before a trigger written solid with
  its own prefix (네덜란드 헤이그 핵안보정상회의: the places are its venue). An organisation
  whose own name ends in a trigger (유엔 총회, 세계경제포럼) is the body, not a session, unless
  an ordinal or a reporting modifier precedes it (… 열린 제79차 유엔총회);
- a *launch*: a quoted name that is the subject or object of a launch predicate with only dates,
  places and nouns between (‘K-반도체 공급망 협의체’가 11일 공식 출범했다);
- a *signing*: ``<head>(을|를|에) 체결/맺/서명`` (업무협약, 양해각서, MOU, 협정) when the sentence
  names its partners before it — organisations or places followed by 와/과/는/이 …, or a count
  (시중은행 5곳과); named by the noun run before the head (에너지 협력 양해각서), else by the
  partners (삼성전자·네이버 양해각서);
- a *visit*: ``<place>(을|를) (국빈) 방문/순방`` or 방한/방미 … with a visitor: the official the
  clause modifies (한국을 방문한 숄츠 총리), else an official or a title as subject before it
  (대통령이), never one of the host country; the place (gazetteer places and proper nouns) is part of
  the event's name and, below country level (일본 도쿄, 페루 리마), its location;
- a *bare joint statement* (공동성명, 선언문) adopted (채택/발표/서명) after a named meeting: it
  belongs to that meeting (the nearest one in its sentence, else the article's first);
- back-references ``동/이번 <trigger>`` (and a repeated tail such as ``장관 세션``) point at a
  named event and carry their sentence's counts to it.

Which mentions are reported (not in passing) is :mod:`pipeline.events.passing`.

Generic heads without a name (회의를 거듭했지만, 약속을 지키라, 행사 일정) are never events.

The rule words live in ``data/events.json`` (:mod:`pipeline.events.rules`); linking dates, places and
counts is :mod:`pipeline.events.link`.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .rules import HOST_TYPES, NOMINAL, PROPER, QUOTES, SPACES, VERBAL, data, split_english, strip_tail, event_type, rules

class Tokens:
    """The Doc's non-space tokens as (start, end, tag components), searchable by offset."""

    def __init__(self, doc):
        from pipeline.lexicon import doc_index       # the token lists the entity extractors already built

        tm = doc_index(doc).tm
        self.items = [(s, e, tuple(tag.split("+"))) for s, e, tag in zip(tm.starts, tm.ends, tm.tags)]
        self.starts = [s for s, _, _ in self.items]
        self.start_set = set(self.starts)

    def within(self, start: int, end: int) -> list[tuple[int, int, tuple[str, ...]]]:
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.items) and self.items[i][0] < end:
            out.append(self.items[i])
            i += 1
        return out

    def has(self, start: int, end: int, prefixes: tuple[str, ...], skip=()) -> bool:
        """Whether a token in [start, end), outside the ``skip`` spans, has a tag starting with a prefix."""
        for s, _, tags in self.within(start, end):
            if not any(m.start <= s < m.end for m in skip) and any(t.startswith(prefixes) for t in tags):
                return True
        return False

    def all_in(self, start: int, end: int, prefixes: tuple[str, ...]) -> bool:
        items = self.within(start, end)
        return bool(items) and all(t.startswith(prefixes) for _, _, tags in items for t in tags)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass
class Context:
    """One article: its text, tokens and mentions (the ``Analysis``), and sentence lookups."""
    analysis: object
    tokens: Tokens

    @property
    def text(self) -> str:
        return self.analysis.text

    def sentence(self, offset: int) -> int:
        return self.analysis.sentence_index(offset)

    def bounds(self, index: int) -> tuple[int, int]:
        starts = self.analysis.sentence_starts
        end = starts[index + 1] if index + 1 < len(starts) else len(self.text)
        return starts[index], end

    def sentence_start(self, offset: int) -> int:
        return self.bounds(self.sentence(offset))[0]

    @property
    def places(self) -> list:
        return self.analysis.locations + self.analysis.organizations

    @cached_property
    def quoted(self) -> list[Span]:
        return [Span(s, e) for s, e, _ in _quoted_spans(self.text)]


def words_before(text: str, pos: int, floor: int):
    """(start, end) of the space-separated words before ``pos``, nearest first, not before ``floor``."""
    while True:
        end = pos
        while end > floor and text[end - 1] == " ":
            end -= 1
        if end <= floor or text[end - 1].isspace():
            return
        start = end
        while start > floor and not text[start - 1].isspace():
            start -= 1
        yield start, end
        pos = start


# -- mentions of events in the text -------------------------------------------------------

@dataclass
class Mention:
    start: int
    end: int
    name: str
    name_en: str | None
    type: str
    sentence: int
    named: bool = True            # False for a back-reference (동 정상회의)
    parent: "Mention | None" = None
    rule: str = "named_event"
    location: str | None = None   # a visit's destination, a clause's venue
    date: object = None           # a clause's own date mention
    generic: bool = False         # a clause event named by its parties or its bare noun (정상회담, 통화)
    visitor: str | None = None    # a visit's visitor, when named


def _inside(spans, pos: int) -> bool:
    return any(s.start <= pos < s.end for s in spans)


_OPENING = re.compile("|".join(map(re.escape, QUOTES)))


def _quoted_spans(text: str):
    """(start, end, inner text) of quoted stretches (2-90 characters on one line), left to right."""
    resume = 0
    for opening in _OPENING.finditer(text):
        i = opening.start()
        if i < resume:
            continue
        j = text.find(QUOTES[text[i]], i + 1)
        if j != -1 and 2 <= j - i - 1 <= 90 and "\n" not in text[i + 1:j]:
            yield i, j + 1, text[i + 1:j].strip()
            resume = j + 1


def _english_after(text: str, end: int) -> tuple[str | None, int]:
    match = re.match(r"\(([A-Za-z][^()]{3,80})\)", text[end:end + 90])
    return (match.group(1), end + match.end()) if match else (None, end)


def find_named(ctx: Context) -> list[Mention]:
    """Quoted names (with a trigger phrase right after: ‘…’ 장관 세션, ‘…’ 출범) and English titles."""
    from .headline import speaker_quote        # headline.py imports this module
    text, found = ctx.text, []
    for start, end, inner in _quoted_spans(text):
        if speaker_quote(ctx, start, end):         # ㆍ외교부 “…”: a headline line of someone's words
            continue
        name, name_en = split_english(inner)
        after_en, end_en = _english_after(text, end)
        name_en = name_en or after_en
        kind = event_type(name)
        if kind is None and " 및 " in name and name.endswith(tuple(rules().gathering_heads)):
            # ‘A-B 업무협약 및 C 준공식’: a ceremony of several parts; the part that is an event
            name = next((part for part in name.split(" 및 ") if event_type(part)), name)
            kind = event_type(name)
        if _launched(ctx, end_en):
            kind = "launch"
        if kind:
            found.append(Mention(start, end_en, strip_tail(name), name_en, kind, ctx.sentence(start)))
        tail = rules().after_quote_re.match(text[end_en:end_en + 20])
        if tail:
            tail_type = rules().triggers.get(tail.group(1).split()[-1])
            if tail_type and kind and tail.group(1).split()[-1] not in ("행사",):
                parent = found[-1]
                found.append(Mention(start, end_en + tail.end(), f"{parent.name} {tail.group(1)}", None, tail_type,
                                     ctx.sentence(start), parent=parent, rule="quoted_tail"))
            elif tail_type == "launch" and not kind:
                found.append(Mention(start, end_en + tail.end(), name, name_en, "launch", ctx.sentence(start)))
            elif tail_type and not kind and _titled_head(ctx, start, tail.group(1), end_en + tail.end()):
                found.append(Mention(start, end_en + tail.end(), f"{strip_tail(name)} {tail.group(1)}", name_en,
                                     tail_type, ctx.sentence(start), rule="quoted_title"))
    for match in rules().english_re.finditer(text):
        title = (match.group(1) + match.group(2)).strip()
        name = re.sub(r"^((The|This|That|These|Our|A|An|Next|Each|Every|Both)\s)+", "", title)
        if name in rules().triggers:          # 'This Summit': a bare head is no name
            continue
        if not _inside(found, match.start()):
            found.append(Mention(match.start(), match.end(), name, name, rules().triggers[match.group(2)],
                                 ctx.sentence(match.start())))
    return sorted(found, key=lambda m: m.start)


def _titled_head(ctx: Context, start: int, head: str, end: int) -> bool:
    """‘에이전틱 AI 시대’ 콘퍼런스: a quoted title and a bare trigger right after it name an event when a reporting
    modifier precedes it (… 개최한 ‘…’ 행사) or it is held (… 콘퍼런스를 개최했다, … 포럼이 열렸다); a generic head
    (행사) only after the modifier. A quoted slogan (‘…’ 약속) is never one."""
    r = rules()
    if head not in r.triggers or head in r.quoted_title_excluded:
        return False
    if r.modifier_re.search(ctx.text[max(0, start - 12):start]):
        return True
    return head not in r.generic_quoted_heads and r.quoted_held_re.match(ctx.text, end) is not None


def _launched(ctx: Context, end: int) -> bool:
    """‘NAME’(이|가|을|를) <date/place/공식> 출범했다 / 발족했다 / 문을 열었다."""
    return predicate_gap(ctx, end, rules().launch_re) is not None


def predicate_gap(ctx: Context, end: int, predicate: re.Pattern, span: int = 60) -> tuple[int, int] | None:
    """For a subject or object ending at ``end``: the stretch up to its predicate, when only nouns,
    numbers, dates and particles stand between them (NAME이 26일 서울에서 열렸다)."""
    text = ctx.text
    head = rules().subject_re.match(text, end)
    if not head:
        return None
    limit = min(ctx.bounds(ctx.sentence(end))[1], head.end() + span)
    pred = predicate.search(text, head.end(), limit)
    if not pred or re.search(r"[‘’'“”\"]", text[head.end():pred.start()]):
        return None
    amid = _ATTENDING_AMID.match(text, head.end(), pred.start())    # NAME이 N개국 장관이 참석한 가운데 7일 … 열렸다
    start = amid.end() if amid else head.end()
    if ctx.tokens.has(start, pred.start(), VERBAL, skip=ctx.analysis.dates):
        return None
    return start, pred.start()


_ATTENDING_AMID = re.compile(r"[^.。\n,]{0,40}?(?:참석|참가|참여)한\s가운데\s")


def _name_word(ctx: Context, start: int, end: int, glued: bool = False) -> str | None:
    """'proper', 'plain' or 'ordinal' for a word that may stand in an unquoted name; None ends the name."""
    word = ctx.text[start:end]
    if rules().ordinal_re.fullmatch(word):
        return "ordinal"
    if re.fullmatch(r"(19|20)\d\d", word):
        return "plain"
    if word.startswith("(") or not ctx.tokens.all_in(start, end, NOMINAL) or ctx.tokens.has(start, end, ("NNB",)):
        return None
    glosses = [Span(start + g.start(), start + g.end()) for g in re.finditer(r"\([^()]*\)", word)]
    if ctx.tokens.has(start, end, PROPER, skip=glosses):       # 인공지능(AI): a gloss is no proper name
        return "proper"
    if glued or word.endswith(rules().inner_titles):
        return "plain"
    return "common" if re.fullmatch(r"[가-힣]+(?:[·ㆍ][가-힣]+)*", word) else None   # 외교·개발 inside G20 … 장관회의


def _proper_run(ctx: Context, trigger_start: int, commons: int = 2) -> tuple[int, int] | None:
    """(mention start, name start) of the proper-noun run before a trigger, or None."""
    text, floor = ctx.text, ctx.sentence_start(trigger_start)
    word_start = trigger_start
    while word_start > floor and not text[word_start - 1].isspace():
        word_start -= 1
    kinds = []
    if word_start < trigger_start:
        kinds.append(_name_word(ctx, word_start, trigger_start, glued=True))
        if kinds[0] is None:
            return None
    start, starts = word_start, []
    for ws, we in words_before(text, word_start, floor):
        kind = _name_word(ctx, ws, we)
        if kind is None or len(kinds) >= 6 or (kind == "common" and kinds.count("common") >= commons):
            break
        kinds.append(kind)
        starts.append(ws)
    while kinds and kinds[-1] == "common":       # common nouns only between a proper noun and the trigger
        kinds.pop()
        starts.pop()
    start = starts[-1] if starts else start
    if "proper" not in kinds:
        return None
    ordinal = rules().ordinal_re.match(text, start)
    name_start = SPACES.match(text, ordinal.end()).end() if ordinal and start < word_start else start
    return start, name_start


def find_unquoted(ctx: Context, taken: list) -> list[Mention]:
    """Unquoted names: G20 정상회의, 한미 정상회담, 제3차 한-아세안 장관회의, 뮌헨안보회의(MSC)."""
    text, found = ctx.text, []
    for match in rules().unquoted_re.finditer(text):
        t0, t1 = match.span(1)
        if (t0 not in ctx.tokens.start_set or _inside(taken, t0) or _inside(found, t0)
                or (match.group(1) in rules().glued_only and (t0 == 0 or text[t0 - 1].isspace()))):
            continue
        run = _proper_run(ctx, t0, 2 if rules().triggers[match.group(1)] in HOST_TYPES else 0)
        if run is None or (_body_at(ctx, t0) and not _session_of_body(ctx, run[0])):
            continue
        gloss = re.match(r"\s?\(([A-Za-z0-9][^()]{0,40})\)", text[t1:t1 + 44])
        end = t1 + (gloss.end() if gloss else 0)
        name_en = gloss.group(1) if gloss and " " in gloss.group(1) else None
        name_start, venue = _leading_places(ctx, run[1], t0)
        found.append(Mention(run[0], end, text[name_start:t1], name_en, rules().triggers[match.group(1)],
                             ctx.sentence(run[0]), rule="unquoted_name", location=venue))
    return found


def _leading_places(ctx: Context, name_start: int, trigger_start: int) -> tuple[int, str | None]:
    """A trigger written solid with its own prefix (핵안보정상회의) is a whole name: the place names
    before it (네덜란드 헤이그 핵안보정상회의) are its venue, not part of it."""
    text = ctx.text
    word_start = text.rfind(" ", name_start, trigger_start) + 1 or name_start
    if word_start >= trigger_start or word_start <= name_start:
        return name_start, None
    start = name_start
    for ws, we in _words_after(text, name_start, word_start):
        if not any(p.start <= ws and we <= p.end for p in ctx.analysis.locations):
            break
        start = we
    start = SPACES.match(text, start).end()
    return start, (text[name_start:start].strip() or None)


def _words_after(text: str, pos: int, limit: int):
    for match in re.finditer(r"\S+", text[pos:limit]):
        yield pos + match.start(), pos + match.end()


def _body_at(ctx: Context, pos: int) -> bool:
    """An organisation whose own name ends in a trigger (유엔 총회, 세계경제포럼) covers ``pos``."""
    return any(o.start <= pos < o.end and rules().trigger_re.search(o.canonical) for o in ctx.analysis.organizations)


def _session_of_body(ctx: Context, start: int) -> bool:
    """An organisation's name (유엔총회) names a session only after an ordinal (제79차) or a reporting
    modifier (… 열린 유엔총회)."""
    text = ctx.text
    return bool(rules().ordinal_re.match(text, start) or rules().modifier_re.search(text[max(0, start - 12):start]))


def _noun_run_start(ctx: Context, head_start: int, avoid: list) -> int:
    """Start of the compound noun before a head (에너지 협력 양해각서), at most three words."""
    text, floor = ctx.text, ctx.sentence_start(head_start)
    start = head_start
    while start > floor and not text[start - 1].isspace():
        start -= 1
    if start < head_start and not ctx.tokens.all_in(start, head_start, NOMINAL):
        return head_start
    for n, (ws, we) in enumerate(words_before(text, start, floor)):
        if (n >= 3 or not ctx.tokens.all_in(ws, we, NOMINAL) or ctx.tokens.has(ws, we, ("NNB", "SSO", "SSC"))
                or any(ws < m.end and m.start < we for m in avoid) or text[ws:we] in rules().venue_stop):
            break                                       # 회담 후 …: no time word inside a name
        start = ws
    return start


PARTNER_TAIL = re.compile(r"(?:와|과|는|은|이|가|도)(?=\s)|,|\s및\s")


def _partners(ctx: Context, start: int, end: int) -> list:
    """Organisations and places in [start, end) that stand as subjects or partners (삼성전자와 네이버는)."""
    seen, out = set(), []
    for m in sorted(ctx.places, key=lambda m: (m.start, -m.end)):
        if start <= m.start and m.end <= end and (m.start, m.end) not in seen and PARTNER_TAIL.match(ctx.text, m.end):
            seen.add((m.start, m.end))
            out.append(m)
    return out


_PROPER_PARTNER = re.compile(r"(?<![가-힣A-Za-z0-9])([가-힣A-Za-z][가-힣A-Za-z0-9]{1,19})(?:와|과|는|은|이|가)(?=\s)")


def party_names(ctx: Context, start: int, end: int) -> list[str]:
    """The parties of a signing in [start, end): organisations and places standing as subjects or partners,
    then proper nouns the gazetteer lacks (니즈퍼샌드는 … 드리머스아이디와), never a person's name."""
    names = [getattr(p, "canonical", None) or p.text for p in _partners(ctx, start, end)]
    spans = [(p.start, p.end) for p in ctx.places] + [(o.name_start, o.name_end) for o in ctx.analysis.officials]
    for m in _PROPER_PARTNER.finditer(ctx.text, start, end):
        ws, we = m.span(1)
        if any(s < we and ws < e for s, e in spans) or m.group(1) in names or not _proper_word(m.group(1)):
            continue
        names.append(m.group(1))
    return list(dict.fromkeys(names))


@lru_cache(maxsize=4096)
def _proper_word(word: str) -> bool:
    """Kiwi reads the word alone as one proper noun, foreign word or unknown noun (누리모빌리티, 니즈퍼샌드), not a
    dictionary word (스타트업) nor a Korean personal name (홍길동)."""
    from pipeline.extract.official_words import _korean_shape
    from pipeline.nlp import get_kiwi
    tokens = get_kiwi().tokenize(word)
    if len(tokens) != 1 or (len(word) == 3 and _korean_shape(word)):
        return False
    tag = tokens[0].tag
    return tag in ("NNP", "SL", "SH") or tag == "NNG" and bool(getattr(tokens[0], "oov", False))


def _count_partner(ctx: Context, start: int, end: int) -> bool:
    return any(start <= n.start and n.end <= end and n.kind == "count" and n.counted in ("organization", "country")
               and re.match(r"(와|과)\s", ctx.text[n.end:n.end + 2]) for n in ctx.analysis.numbers)


def find_signings(ctx: Context, taken: list) -> list[Mention]:
    """'A와 B는 … <nouns> 업무협약(MOU)을 체결했다': an agreement between the partners named before it."""
    text, found = ctx.text, []
    for match in rules().signing_re.finditer(text):
        h0, h1 = match.span("head")
        floor = ctx.sentence_start(h0)
        if h0 not in ctx.tokens.start_set or _inside(taken, h0) or _no_report(text, match.start("verb")):
            continue
        partners = _partners(ctx, floor, h0)
        if not partners and not _count_partner(ctx, floor, h0):
            continue
        start = _noun_run_start(ctx, h0, partners + ctx.analysis.dates + ctx.analysis.numbers)
        names = party_names(ctx, floor, h0)
        name = text[start:h1] if start < h0 else f"{'·'.join(names)} {match.group('head')}".strip()
        found.append(Mention(start, match.end("gloss") if match.group("gloss") else h1, name, None, "agreement",
                             ctx.sentence(h0), rule="signing"))
    return found


def _place_before(ctx: Context, end: int) -> int | None:
    """Start of the place name ending at ``end`` (일본 도쿄, 투르크메니스탄): gazetteer places and
    proper nouns, at most three words."""
    start = None
    for ws, we in words_before(ctx.text, end, ctx.sentence_start(end)):
        known = any(p.start <= ws and p.end == we for p in ctx.places) if start is None else \
            any(p.start <= ws and p.end >= we for p in ctx.places)
        if not (known or ctx.tokens.all_in(ws, we, PROPER)) or (start is not None and end - ws > 30):
            break
        start = ws
    return start


def _visitor(ctx: Context, start: int, end: int, place: str = "") -> tuple[bool, str | None]:
    """Whether an official (or a title as subject: 대통령이) stands in [start, end), and their name; no one
    visits their own country (강경화 장관 … 방한한 외교장관: not the visitor)."""
    home = place == rules().implied_places.get("방한")       # officials without a country are Korean ones
    officials = [o for o in ctx.analysis.officials if start <= o.start and o.end <= end and o.country != place
                 and not (home and o.country is None)]
    from .visitor import subject_official
    visitor = subject_official(ctx, officials)
    if visitor is not None:
        return True, visitor.name
    return bool(rules().visitor_re.search(ctx.text, start, end)), None


def _visitor_after(ctx: Context, verb_end: int) -> str | None:
    """'서울을 방문한 <official>': in a relative clause the visitor is the official it modifies."""
    ending = re.match(r"(?:한|하는|했던|하던|은|았던|\s?중인)\s", ctx.text[verb_end:verb_end + 5])
    heads = [o for o in ctx.analysis.officials if ending and 0 <= o.start - verb_end - ending.end() <= 3]
    return heads[0].name if heads else None


def find_visits(ctx: Context, taken: list) -> list[Mention]:
    """'<visitor> … <place>를 (국빈) 방문했다' and '<visitor> … 방한했다': a visit to that place."""
    text, found = ctx.text, []
    for match in rules().visit_re.finditer(text):
        place_start = _place_before(ctx, match.start())
        if (place_start is None or _inside(taken, match.start("verb")) or _no_report(text, match.start("verb"))
                or _unreal_after(text, match.start("verb"))):
            continue
        place = text[place_start:match.start()]
        verb = match.group("verb") if match.group("verb") in rules().visit_verbs else "방문"   # 한국을 찾은: a visit
        trigger = f"{(match.group('mod') or '').strip()} {verb}".strip()
        found += _visit(ctx, place_start, match.end("verb"), place, trigger)
    for match in rules().implied_visit_re.finditer(text):
        if not (_no_report(text, match.start()) or _unreal_after(text, match.start())):     # 방한을 희망
            found += _visit(ctx, match.start(), match.end(1), rules().implied_places[match.group(1)], "방문")
    for match in _trip_re().finditer(text):                 # 미국 출장길에 올라: a trip abroad is a visit
        place_start = _place_before(ctx, match.start())
        if place_start is not None and not _inside(found + taken, place_start):
            found += _visit(ctx, place_start, match.end(), text[place_start:match.start()], "방문", anywhere=True)
    for match in _current_visit_re().finditer(text):        # 이번 방일(訪日)이 …: the visit under way
        if not _inside(found + [m for m in taken if isinstance(m, Mention)], match.start(1)):    # quotes allowed
            found += _visit(ctx, match.start(1), match.end(1), rules().implied_places[match.group(1)], "방문")
    from .visitor import call_within_trip
    return [m for m in found if not call_within_trip(ctx, m, found)]


@lru_cache(maxsize=1)
def _trip_re() -> re.Pattern:
    return re.compile(rf"\s(?:{'|'.join(map(re.escape, data()['visit']['trip_phrases']))})")


@lru_cache(maxsize=1)
def _current_visit_re() -> re.Pattern:
    words = "|".join(map(re.escape, rules().implied_places))
    return re.compile(rf"(?<![가-힣])(?:{'|'.join(data()['visit']['current_markers'])})\s({words})(?:\([一-龥]+\))?(?=[이가은는을를의에도\s])")


def _visit(ctx: Context, start: int, end: int, place: str, trigger: str, anywhere: bool = False) -> list[Mention]:
    """A visit when its visitor stands before it (or, ``anywhere``, in its sentence: a trip's traveller)."""
    visitor = _visitor_after(ctx, end)
    ok = visitor is not None
    if not ok:
        bounds = ctx.bounds(ctx.sentence(start))
        ok, visitor = _visitor(ctx, bounds[0], bounds[1] if anywhere else start, place)
    if not ok:
        return []
    from pipeline.lexicon import country_names
    name = " ".join(w for w in (visitor, place, trigger) if w)     # a country visited is in the name, not a venue
    return [Mention(start, end, name, None, "visit", ctx.sentence(start), rule="visit",
                    location=None if place in country_names() else place, visitor=visitor)]


def find_bare_hosted(ctx: Context, named: list[Mention], taken: list) -> list[Mention]:
    """'… 공동성명을 채택했다' after a named meeting: that meeting's statement."""
    found = []
    for match in rules().bare_hosted_re.finditer(ctx.text):
        if match.start() not in ctx.tokens.start_set or _inside(taken, match.start()):
            continue
        gap = predicate_gap(ctx, match.end(), rules().adoption_re, span=30)
        if gap is None or _no_report(ctx.text, gap[1]) or _unreal_after(ctx.text, gap[1]):
            continue
        host = _host_before(named, match.start(), ctx.sentence(match.start()))
        if host is not None:
            found.append(Mention(match.start(), match.end(), f"{host.name} {match.group(1)}", None, "declaration",
                                 ctx.sentence(match.start()), parent=host, rule="hosted_statement"))
    return found


def _unreal_after(text: str, verb_start: int) -> bool:
    """발표하는 방안, 채택할 가능성: speculation, no statement (the clause rules' ``unreal_markers``)."""
    from .clause import spec
    verb = re.match(r"[가-힣]{2}", text[verb_start:])
    return bool(verb and spec()["unreal"].match(text, verb_start + verb.end()))


def _host_before(named: list[Mention], before: int, sentence: int) -> Mention | None:
    hosts = [m for m in named if m.type in HOST_TYPES and m.parent is None and m.start < before]
    same = [m for m in hosts if m.sentence == sentence]
    return same[-1] if same else (hosts[0] if hosts else None)


def find_references(text: str, named: list[Mention], sentence_of) -> list[Mention]:
    """'동 정상회의', '이번 행사' and repeated multi-word tails ('장관 세션') pointing at named events."""
    refs: list[Mention] = []
    for match in rules().anaphor_re.finditer(text):
        if _inside(named, match.start()):
            continue
        trigger = match.group(2)
        target = _lead_event(named, rules().triggers[trigger], match.start(), trigger)
        if target:
            refs.append(Mention(match.start(), match.end(), target.name, None, target.type,
                                sentence_of(match.start()), named=False, parent=target))
    for event in named:
        words = event.name.split()
        if event.rule != "quoted_tail" or len(words) < 3:
            continue
        tail = " ".join(words[-2:])
        for match in re.finditer(re.escape(tail), text):
            if not _inside(named, match.start()):
                refs.append(Mention(match.start(), match.end(), event.name, None, event.type,
                                    sentence_of(match.start()), named=False, parent=event))
    return refs


def _lead_event(named: list[Mention], kind: str, before: int, trigger: str = "") -> Mention | None:
    """'이번 정상회의' means the article's own summit: the first one named, else the latest; one whose name
    ends in the same word first ('이번 회의' after a forum and a 공관장회의 is the 공관장회의)."""
    compatible = [m for m in named if m.parent is None and
                  (m.type == kind or (kind == "meeting" and m.type in ("meeting", "forum", "summit")))]
    same_word = [m for m in compatible if trigger and m.name.endswith(trigger)]
    for pool in (same_word, compatible):
        earlier = [m for m in pool if m.start < before]
        if earlier:
            return earlier[0]
    return compatible[0] if compatible else None


def _no_report(text: str, verb_start: int) -> bool:
    """The verb (체결, 방문, 채택 …) starting at ``verb_start`` is negated or habitual."""
    verb = re.match(r"[가-힣]{2}", text[verb_start:])
    return bool(verb and rules().habitual_re.match(text, verb_start + verb.end()))
