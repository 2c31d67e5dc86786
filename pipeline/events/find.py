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
  only glued to the trigger (외교장관회의) or ending in a title (``재무장관·중앙은행총재 회의``);
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
  (대통령이); the place (gazetteer places and proper nouns) is the event's location, and the
  visitor's name is part of the event's name;
- a *bare joint statement* (공동성명, 선언문) adopted (채택/발표/서명) after a named meeting: it
  belongs to that meeting (the nearest one in its sentence, else the article's first);
- back-references ``동/이번 <trigger>`` (and a repeated tail such as ``장관 세션``) point at a
  named event and carry their sentence's counts to it.

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
- a visit or signing with a habitual adverb before its verb (매년 현충원을 방문한다);
- anything in a sentence with no reporting predicate (headline lists, opinions, 결과를 설명했다).

Generic heads without a name (회의를 거듭했지만, 약속을 지키라, 행사 일정) are never events.

Dates, places and counts are linked by the phrase structure around the mention:

- ``NAME(이|가|은|는|을|를) <date> <place>에서 열렸다/개최됐다/출범했다``: the date and place in
  the stretch between the subject (or object) and its predicate, if only nouns, numbers, dates
  and particles stand there;
- else the last date before the name in its sentence, and the venue of ``<place>에서 열린 NAME``
  (a relative clause ending right before it) or, for a signing or an object (``<place>에서
  NAME을 개최했다``), the ``<place>에서`` of its clause; a place that is itself an event
  (‘… 포럼’에서, 정상회의에서) is a host, not a venue;
- ``N개국이 (공동으로) 참여/서명/참석한 NAME`` and ``NAME이 N개국의 참여로 채택``: the count's role
  comes from its verb (signatories, participants, attendees, delegates);
- ``N곳은/이 … NAME을 발표/NAME에 서명``: signatories; ``N곳과 … 협약을 맺었다``: signatories;
- the sentence's subject is an event (``NAME에는``, ``이번 행사에는``) and the count's verb is
  participation (참석/참여/참가/모였/방문); or the sentence's only event with such a predicate.

A declaration or pledge adopted at a meeting named before it in its sentence belongs to it and
takes its date and place when it has none. Pure: an ``Analysis`` (text + mentions) and its
``Doc`` in, event dicts out; ``cluster_events`` consolidates the events of many articles.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "events.json"
QUOTES = {"‘": "’", "'": "'", "“": "”", '"': '"', "「": "」", "『": "』", "《": "》", "〈": "〉"}
COUNTED = ("country", "organization", "person")
HOST_TYPES = ("summit", "meeting", "forum")
HOSTED_TYPES = ("declaration", "pledge", "agreement", "launch")
SIGNED_TYPES = ("declaration", "pledge", "agreement")
NOMINAL = ("NNP", "NNG", "NNB", "SL", "SN", "SH", "SO", "SP", "XSN", "XPN", "SSO", "SSC")
PROPER = ("NNP", "SL", "SH")
VERBAL = ("VV", "VA", "VX", "VCP", "VCN", "EP", "EF", "EC", "ETM", "ETN", "XSV", "XSA")
CLAUSE_END = ("EF", "EC")
SPACES = re.compile(r"\s*")


@dataclass(frozen=True)
class Rules:
    triggers: dict[str, str]
    trigger_re: re.Pattern           # a name ending in a trigger
    after_quote_re: re.Pattern       # a trigger phrase right after a closing quote
    english_re: re.Pattern
    anaphor_re: re.Pattern
    unquoted_re: re.Pattern          # a trigger that may end an unquoted name, at the end of a word
    glued_only: frozenset[str]       # triggers that end an unquoted name only when glued to it (에너지안보대화)
    inner_titles: tuple[str, ...]
    ordinal_re: re.Pattern
    reporting: tuple[str, ...]
    habitual_re: re.Pattern          # 열릴 때마다, 방문한 적이, 열리지 않았다, 개최 여부: reports nothing
    habitual_adverb_re: re.Pattern   # 매년 … 방문한다: no single visit or signing
    anchor_re: re.Pattern            # NAME 이후 / 당시 / 을 앞두고
    modifier_re: re.Pattern          # 열린 / 개최된 right before a name
    work_re: re.Pattern              # 영화 ‘…’
    expression_re: re.Pattern        # ‘…’이라는 표현
    subject_re: re.Pattern           # the particle after a subject or object name
    predicate_re: re.Pattern         # 열렸다 / 개최됐다 / 출범했다 after a subject
    launch_re: re.Pattern
    signing_re: re.Pattern
    visit_re: re.Pattern
    implied_visit_re: re.Pattern
    implied_places: dict[str, str]
    visitor_re: re.Pattern
    bare_hosted_re: re.Pattern
    adoption_re: re.Pattern
    venue_re: re.Pattern
    count_verbs: dict[str, tuple[str, ...]]
    sentence_predicates: tuple[str, ...]
    ceremony: tuple[str, ...]
    generic_tokens: frozenset[str]
    aliases: dict[str, str]
    needs_name: frozenset[str]
    max_gap_days: int


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


WORD_END = r"(?=[은는이가을를에의과와도로(\s,.·’'”\"]|$)"


@lru_cache(maxsize=1)
def rules() -> Rules:
    spec = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    triggers = spec["triggers"]
    korean = [t for t in triggers if not t.isascii()]
    english = [t for t in triggers if t.isascii()]
    visit, signing = spec["visit"], spec["signing"]
    return Rules(
        triggers=triggers,
        trigger_re=re.compile(rf"({_alt(triggers)})$"),
        after_quote_re=re.compile(rf"^\s?((?:[가-힣A-Za-z]+ )?(?:{_alt(korean)}))(?=[은는이가을를에의과와도]|\s|$)"),
        english_re=re.compile(rf"(?<![A-Za-z])((?:[A-Z0-9][\w&'-]*\s+(?:(?:on|of|for|in) )?){{1,7}})"
                              rf"({_alt(english)})s?(?![A-Za-z])"),     # 'Summit에는': no \b before Hangul
        anaphor_re=re.compile(rf"(?<![가-힣])({_alt(spec['anaphors'])}) ({_alt(korean)})(?=[은는이가을를에의도과와]|\s)"),
        unquoted_re=re.compile(rf"({_alt(spec['unquoted_triggers'] + spec['unquoted_glued_triggers'])}){WORD_END}"),
        glued_only=frozenset(spec["unquoted_glued_triggers"]),
        inner_titles=tuple(spec["name_inner_titles"]),
        ordinal_re=re.compile(rf"제\d+({_alt(spec['name_ordinal_counters'])})"),
        reporting=tuple(spec["reporting_predicates"]),
        habitual_re=re.compile(rf"[가-힣]{{0,2}}\s?({_alt(spec['habitual_markers'] + spec['negation_markers'])})"
                               rf"|\s?({_alt(spec['unreal_nouns'])})"),
        habitual_adverb_re=re.compile(rf"(?<![가-힣])({_alt(spec['habitual_adverbs'])})(?![가-힣])"),
        anchor_re=re.compile(rf"\s?(?:\([^()]{{1,20}}\))?(?:[을를의]\s?)?({_alt(spec['time_anchors'])})"),
        modifier_re=re.compile(rf"({_alt(spec['reporting_modifiers'])})\s?$"),
        work_re=re.compile(rf"(?<![가-힣])({_alt(spec['work_kinds'])})\s?$"),
        expression_re=re.compile(rf"(?:이)?(?:라는|란)\s?({_alt(spec['expression_nouns'])})"),
        subject_re=re.compile(rf"(?:\s?(?:{_alt(spec['ceremony_suffixes'])}))?(?:이|가|은|는|도|을|를)(?=\s)"),
        predicate_re=re.compile(_alt(spec["subject_predicates"])),
        launch_re=re.compile(rf"(?:공식\s?|정식\s?)?({_alt(spec['launch_predicates'])})"
                             r"(?=했|해|하|시켰|시키|시킨|됐|되|한다|한|할|식|었|어)"),
        signing_re=re.compile(rf"(?P<head>{_alt(signing['heads'])})(?P<gloss>\s?\([A-Za-z가-힣]{{2,6}}\))?\s?"
                              rf"(?:을|를|에)\s?(?:공동으로\s|공식\s|정식\s)?(?P<verb>{_alt(signing['verbs'])})"),
        visit_re=re.compile(rf"(?:을|를)\s(?P<mod>(?:{_alt(visit['modifiers'])})\s?)?(?P<verb>{_alt(visit['verbs'])})"
                            r"(?=했|해|한|할|하|중|길|차|을|\s|[.,]|$)"),
        implied_visit_re=re.compile(rf"(?<![가-힣])({_alt(visit['implied'])})(?=했|해|한|할|하고|하며|하는|을|\s중|길)"),
        implied_places=visit["implied"],
        visitor_re=re.compile(rf"({_alt(visit['visitor_titles'])})(?:이|가|은|는|도)\s"),
        bare_hosted_re=re.compile(rf"(?<![가-힣])({_alt(spec['bare_hosted_heads'])})(?=[을를이가은는]\s)"),
        adoption_re=re.compile(_alt(spec["adoption_verbs"])),
        venue_re=re.compile(rf"({_alt(spec['venue_predicates'])})"),
        count_verbs={role: tuple(words) for role, words in spec["count_verbs"].items()},
        sentence_predicates=tuple(spec["sentence_participation_predicates"]),
        ceremony=tuple(spec["ceremony_suffixes"]),
        generic_tokens=frozenset(spec["generic_name_tokens"]),
        aliases=spec["name_aliases"],
        needs_name=frozenset(spec["heads_needing_a_name"]),
        max_gap_days=spec["cluster_max_gap_days"],
    )


# -- names ----------------------------------------------------------------------------------

def name_key(name: str) -> str:
    """Normalised name for matching: 에이아이 = AI = 인공지능, spacing and brackets ignored."""
    r = rules()
    text = unicodedata.normalize("NFC", name).lower()
    for alias, canonical in r.aliases.items():
        text = text.replace(alias, f" {canonical} ")
    text = re.sub(r"[^\w]+", " ", text)
    tokens = [t for t in text.split() if t not in r.generic_tokens]
    return "".join(tokens)


def _split_english(name: str) -> tuple[str, str | None]:
    """'인공지능 행동 정상회의(AI Action Summit)' -> ('인공지능 행동 정상회의', 'AI Action Summit')."""
    match = re.search(r"\s?\(([A-Za-z][^()]{3,})\)$", name)
    if match and " " in match.group(1):
        return name[:match.start()].rstrip(), match.group(1)
    return name, None


def _strip_tail(name: str) -> str:
    """Drop a trailing Korean gloss '(네트워크)' and ceremony words ('개회식') before typing."""
    name = re.sub(r"\s?\([가-힣 ]{1,10}\)$", "", name).rstrip()
    for suffix in rules().ceremony:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)].rstrip()
    return name


def event_type(name: str) -> str | None:
    match = rules().trigger_re.search(_strip_tail(name))
    if not match:
        return None
    trigger = match.group(1)
    if trigger in rules().needs_name and len(_strip_tail(name)) <= len(trigger) + 1:
        return None
    return rules().triggers[trigger]


# -- tokens ---------------------------------------------------------------------------------

class Tokens:
    """The Doc's non-space tokens as (start, end, tag components), searchable by offset."""

    def __init__(self, doc):
        from .gazetteer import doc_index       # the token lists the entity extractors already built

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


def _words_before(text: str, pos: int, floor: int):
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
    location: str | None = None   # a visit's destination


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
    text, found = ctx.text, []
    for start, end, inner in _quoted_spans(text):
        name, name_en = _split_english(inner)
        after_en, end_en = _english_after(text, end)
        name_en = name_en or after_en
        kind = event_type(name)
        if _launched(ctx, end_en):
            kind = "launch"
        if kind:
            found.append(Mention(start, end_en, _strip_tail(name), name_en, kind, ctx.sentence(start)))
        tail = rules().after_quote_re.match(text[end_en:end_en + 20])
        if tail:
            tail_type = rules().triggers.get(tail.group(1).split()[-1])
            if tail_type and kind and tail.group(1).split()[-1] not in ("행사",):
                parent = found[-1]
                found.append(Mention(start, end_en + tail.end(), f"{parent.name} {tail.group(1)}", None, tail_type,
                                     ctx.sentence(start), parent=parent, rule="quoted_tail"))
            elif tail_type == "launch" and not kind:
                found.append(Mention(start, end_en + tail.end(), name, name_en, "launch", ctx.sentence(start)))
    for match in rules().english_re.finditer(text):
        title = (match.group(1) + match.group(2)).strip()
        name = re.sub(r"^((The|This|That|These|Our|A|An|Next|Each|Every|Both)\s)+", "", title)
        if name in rules().triggers:          # 'This Summit': a bare head is no name
            continue
        if not _inside(found, match.start()):
            found.append(Mention(match.start(), match.end(), name, name, rules().triggers[match.group(2)],
                                 ctx.sentence(match.start())))
    return sorted(found, key=lambda m: m.start)


def _launched(ctx: Context, end: int) -> bool:
    """‘NAME’(이|가|을|를) <date/place/공식> 출범했다 / 발족했다 / 문을 열었다."""
    return _predicate_gap(ctx, end, rules().launch_re) is not None


def _predicate_gap(ctx: Context, end: int, predicate: re.Pattern, span: int = 60) -> tuple[int, int] | None:
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
    if ctx.tokens.has(head.end(), pred.start(), VERBAL, skip=ctx.analysis.dates):
        return None
    return head.end(), pred.start()


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
    return "plain" if glued or word.endswith(rules().inner_titles) else None


def _proper_run(ctx: Context, trigger_start: int) -> tuple[int, int] | None:
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
    start = word_start
    for ws, we in _words_before(text, word_start, floor):
        kind = _name_word(ctx, ws, we)
        if kind is None or len(kinds) >= 6:
            break
        kinds.append(kind)
        start = ws
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
        run = _proper_run(ctx, t0)
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
    for n, (ws, we) in enumerate(_words_before(text, start, floor)):
        if (n >= 3 or not ctx.tokens.all_in(ws, we, NOMINAL) or ctx.tokens.has(ws, we, ("NNB", "SSO", "SSC"))
                or any(ws < m.end and m.start < we for m in avoid)):
            break
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
        names = list(dict.fromkeys(getattr(p, "canonical", None) or p.text for p in partners))
        name = text[start:h1] if start < h0 else f"{'·'.join(names)} {match.group('head')}".strip()
        found.append(Mention(start, match.end("gloss") if match.group("gloss") else h1, name, None, "agreement",
                             ctx.sentence(h0), rule="signing"))
    return found


def _place_before(ctx: Context, end: int) -> int | None:
    """Start of the place name ending at ``end`` (일본 도쿄, 투르크메니스탄): gazetteer places and
    proper nouns, at most three words."""
    start = None
    for ws, we in _words_before(ctx.text, end, ctx.sentence_start(end)):
        known = any(p.start <= ws and p.end == we for p in ctx.places) if start is None else \
            any(p.start <= ws and p.end >= we for p in ctx.places)
        if not (known or ctx.tokens.all_in(ws, we, PROPER)) or (start is not None and end - ws > 30):
            break
        start = ws
    return start


def _visitor(ctx: Context, start: int, end: int) -> tuple[bool, str | None]:
    """Whether an official (or a title as subject: 대통령이) stands in [start, end), and their name."""
    officials = [o for o in ctx.analysis.officials if start <= o.start and o.end <= end]
    if officials:
        return True, officials[0].name
    return bool(rules().visitor_re.search(ctx.text, start, end)), None


def _visitor_after(ctx: Context, verb_end: int) -> str | None:
    """'서울을 방문한 <official>': in a relative clause the visitor is the official it modifies."""
    ending = re.match(r"(?:한|하는|했던|하던)\s", ctx.text[verb_end:verb_end + 4])
    heads = [o for o in ctx.analysis.officials if ending and o.start == verb_end + ending.end()]
    return heads[0].name if heads else None


def find_visits(ctx: Context, taken: list) -> list[Mention]:
    """'<visitor> … <place>를 (국빈) 방문했다' and '<visitor> … 방한했다': a visit to that place."""
    text, found = ctx.text, []
    for match in rules().visit_re.finditer(text):
        place_start = _place_before(ctx, match.start())
        if place_start is None or _inside(taken, match.start("verb")) or _no_report(text, match.start("verb")):
            continue
        place = text[place_start:match.start()]
        trigger = f"{(match.group('mod') or '').strip()} {match.group('verb')}".strip()
        found += _visit(ctx, place_start, match.end("verb"), place, trigger)
    for match in rules().implied_visit_re.finditer(text):
        if not _no_report(text, match.start()):
            found += _visit(ctx, match.start(), match.end(1), rules().implied_places[match.group(1)], "방문")
    return found


def _visit(ctx: Context, start: int, end: int, place: str, trigger: str) -> list[Mention]:
    visitor = _visitor_after(ctx, end)
    ok = visitor is not None
    if not ok:
        ok, visitor = _visitor(ctx, ctx.sentence_start(start), start)
    if not ok:
        return []
    name = " ".join(w for w in (visitor, place, trigger) if w)
    return [Mention(start, end, name, None, "visit", ctx.sentence(start), rule="visit", location=place)]


def find_bare_hosted(ctx: Context, named: list[Mention], taken: list) -> list[Mention]:
    """'… 공동성명을 채택했다' after a named meeting: that meeting's statement."""
    found = []
    for match in rules().bare_hosted_re.finditer(ctx.text):
        if match.start() not in ctx.tokens.start_set or _inside(taken, match.start()):
            continue
        gap = _predicate_gap(ctx, match.end(), rules().adoption_re, span=30)
        if gap is None or _no_report(ctx.text, gap[1]):
            continue
        host = _host_before(named, match.start(), ctx.sentence(match.start()))
        if host is not None:
            found.append(Mention(match.start(), match.end(), f"{host.name} {match.group(1)}", None, "declaration",
                                 ctx.sentence(match.start()), parent=host, rule="hosted_statement"))
    return found


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
        target = _lead_event(named, rules().triggers[trigger], match.start())
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


def _lead_event(named: list[Mention], kind: str, before: int) -> Mention | None:
    """'이번 정상회의' means the article's own summit: the first one named, else the latest."""
    compatible = [m for m in named if m.parent is None and
                  (m.type == kind or (kind == "meeting" and m.type in ("meeting", "forum", "summit")))]
    earlier = [m for m in compatible if m.start < before]
    return earlier[0] if earlier else (compatible[0] if compatible else None)


# -- reported, or in passing ----------------------------------------------------------------

def _reported(sentence_text: str) -> bool:
    """The sentence reports something: a reporting predicate not used habitually (열릴 때마다) or
    negated (열리지 않았다, 채택하지 못했다)."""
    r = rules()
    for word in r.reporting:
        for match in re.finditer(re.escape(word), sentence_text):
            if not r.habitual_re.match(sentence_text, match.end()):
                return True
    return False


def _no_report(text: str, verb_start: int) -> bool:
    """The verb (체결, 방문, 채택 …) starting at ``verb_start`` is negated or habitual."""
    verb = re.match(r"[가-힣]{2}", text[verb_start:])
    return bool(verb and rules().habitual_re.match(text, verb_start + verb.end()))


def _in_passing(m: Mention, text: str) -> bool:
    """A time anchor (NAME 이후, NAME을 앞두고) with no reporting modifier before it, or the title of a
    work / an expression (영화 ‘…’, ‘…’이라는 표현)."""
    r = rules()
    before, after = text[max(0, m.start - 16):m.start], text[m.end:m.end + 16]
    if r.work_re.search(before) or r.expression_re.match(after):
        return True
    return bool(r.anchor_re.match(after)) and not r.modifier_re.search(before.rstrip(" ‘'“\""))


def find_mentions(ctx: Context) -> tuple[list[Mention], list[Mention]]:
    """Named mentions (kept when reported, not in passing) and the back-references to them."""
    text, quoted = ctx.text, ctx.quoted
    named = find_named(ctx)
    named += find_unquoted(ctx, quoted + named)
    named += find_signings(ctx, quoted + named)
    named += find_visits(ctx, quoted + named)
    named = sorted((m for m in named if _kept(ctx, m)), key=lambda m: m.start)
    named += find_bare_hosted(ctx, named, quoted + named)
    named = sorted((m for m in named if _kept(ctx, m)), key=lambda m: m.start)
    return named, find_references(text, named, ctx.sentence)


def _kept(ctx: Context, m: Mention) -> bool:
    if m.rule == "unquoted_name" and not _own_predicate(ctx, m):
        return False
    if m.rule in ("visit", "signing") and rules().habitual_adverb_re.search(ctx.text, ctx.bounds(m.sentence)[0], m.end):
        return False
    return _reported(ctx.text[slice(*ctx.bounds(m.sentence))]) and not _in_passing(m, ctx.text)


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


# -- linking dates, places, counts --------------------------------------------------------

def _date_before(m: Mention, ctx: Context):
    """The last date before the name in its sentence (≤ 80 chars, no quote between), else one in
    brackets right after it."""
    text, floor = ctx.text, ctx.sentence_start(m.start)
    before = [d for d in ctx.analysis.dates if floor <= d.start and d.end <= m.start and m.start - d.end <= 80
              and d.date_start is not None and not re.search(r"[‘'“\"]", text[d.end:m.start])]
    if before:
        return before[-1]
    after = [d for d in ctx.analysis.dates if 0 <= d.start - m.end <= 3 and d.date_start is not None]
    return after[0] if after else None


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
    """'<place>에서' in [start, end): the nouns before 에서 (at most four words, no numbers)."""
    text = ctx.text
    spots = [m for m in re.finditer(r"(?<=[^\s])에서(?=\s)", text[start:end])]
    if not spots:
        return None
    at = start + spots[-1].start()
    if not clause_end_ok and ctx.tokens.has(at, end, CLAUSE_END):
        return None
    first = at
    for n, (ws, we) in enumerate(_words_before(text, at, start)):
        if n >= 4 or text[ws] == "(" or not ctx.tokens.all_in(ws, we, NOMINAL) or ctx.tokens.has(ws, we, ("NNB",)):
            break
        first = ws
    venue = text[first:at].strip(" ,")
    if not venue or re.search(r"[‘’'“”\"]", venue) or rules().trigger_re.search(venue):
        return None                         # ‘… 포럼’에서, 정상회의에서: a host event, no place
    return venue


def _date_and_venue(m: Mention, ctx: Context):
    """(date mention, venue) of a mention: its predicate phrase first, then the clause before it."""
    gap = _predicate_gap(ctx, m.end, rules().predicate_re) if m.rule != "visit" else None
    date_after = [d for d in ctx.analysis.dates if gap and gap[0] <= d.start < gap[1] and d.date_start]
    date_mention = date_after[0] if date_after else _date_before(m, ctx)
    if m.location:
        return date_mention, m.location
    venue = _venue_in(ctx, *gap) if gap else None
    if venue is None and (m.rule == "signing" or re.match(r"\s?[을를]\s", ctx.text[m.end:m.end + 3])):
        floor = date_mention.end if date_mention and date_mention.end <= m.start else ctx.sentence_start(m.start)
        venue = _venue_in(ctx, floor, m.start)
    return date_mention, venue or _venue_for(m, ctx.text, date_mention, ctx.places)


def _count_role(text_after: str, event_type_: str) -> str | None:
    """The role a count plays, from the first participation verb after it."""
    head = text_after[:60]
    hits = [(head.find(v), role) for role, verbs in rules().count_verbs.items() for v in verbs if v in head]
    if not hits:
        return None
    role = min(hits)[1]
    if role == "participants" and event_type_ in SIGNED_TYPES:
        return "signatories"
    return role


PARTICIPATION = r"(참여|서명|채택|동참|지지|참가|합의|참석)"


@dataclass
class CountSite:
    """A count mention in its sentence: the text after it and the event mentions around it."""
    number: object
    mentions: list[Mention]
    text: str
    sentence_end: int

    @property
    def after(self) -> str:
        return self.text[self.number.end:self.sentence_end]


def _by_participation_phrase(site: CountSite):
    """R1: 'N개국이 (공동으로) 참여한 ‘NAME’' — the name follows the participation phrase."""
    phrase = re.match(rf"[^‘'“\"。.]{{0,30}}?{PARTICIPATION}(한|하는|했던)\s?", site.after)
    if phrase:
        at = site.number.end + phrase.end()
        following = [m for m in site.mentions if at - 1 <= m.start <= at + 1]
        if following:
            return following[0], _count_role(site.after, following[0].type) or "participants"
    return None


def _by_genitive(site: CountSite):
    """R2: '‘NAME’이 N개국의 참여로 채택됐다' — the name is the subject before the count."""
    before = [m for m in site.mentions if m.end <= site.number.start]
    if before and re.match(r"의 (참여|서명|지지|동의)로", site.after):
        return before[-1], "signatories" if before[-1].type in SIGNED_TYPES else "participants"
    return None


def _by_count_subject(site: CountSite):
    """R3: 'N곳은 … ‘NAME’을 발표했다', 'N개국이 ‘NAME’에 서명했다' — the count is the subject."""
    if not re.match(r"\s?(은|는|이|가)\s", site.after):
        return None
    for m in site.mentions:
        if m.start > site.number.end and re.match(r"\s?(을|를|에)\s?(공동\s?)?(발표|채택|서명|체결|선언|동참|참여|가입)",
                                                  site.text[m.end:m.end + 12]):
            return m, _count_role(site.text[m.end:site.sentence_end], m.type) or "signatories"
    return None


def _by_partner(site: CountSite):
    """R6: 'N곳과 … 협약을 맺었다' — the count is the signing partner."""
    if re.match(r"(와|과)\s", site.after):
        signings = [m for m in site.mentions if m.start > site.number.end and m.rule == "signing"]
        if signings:
            return signings[0], "signatories"
    return None


def _by_event_subject(site: CountSite):
    """R4: the sentence's subject is an event (NAME에는, 이번 행사에는) and the count's verb is participation."""
    subject = [m for m in site.mentions if m.start < site.number.start and
               re.match(r"(은|는|에는|에서는|에|에서)\s", site.text[m.end:m.end + 4])]
    role = _count_role(site.after, subject[0].type) if subject else None
    return (subject[0], _role_hint(site) or role) if role else None


def _by_only_event(site: CountSite):
    """R5: the sentence's only event, with a participation predicate ('… 100개국 이상의 … 모였습니다')."""
    events = {id(m.parent or m): m for m in site.mentions}
    if len(events) == 1 and any(p in site.after for p in rules().sentence_predicates):
        default = "attendees" if site.number.counted == "person" else "participants"
        return next(iter(events.values())), _role_hint(site) or default
    return None


def _role_hint(site: CountSite) -> str | None:
    return "delegates" if re.match(r"\s?명의? 대표|\s?의 대표단", site.after) else None


COUNT_RULES = (_by_participation_phrase, _by_genitive, _by_count_subject, _by_partner, _by_event_subject,
               _by_only_event)


def _link_count(number, sentence_mentions: list[Mention], text: str, sentence_end: int):
    """Which event of the sentence a count belongs to, and in what role (None: no link): the first
    phrase pattern that applies."""
    site = CountSite(number, sentence_mentions, text, sentence_end)
    for rule in COUNT_RULES:
        link = rule(site)
        if link is not None:
            return link
    return None


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


def _sentence_bounds(analysis, index: int) -> tuple[int, int]:
    starts = analysis.sentence_starts
    end = starts[index + 1] if index + 1 < len(starts) else len(analysis.text)
    return starts[index], end


def extract_events(analysis, doc=None) -> list[dict]:
    """Event rows (without article_id and ids; ``finish_events`` adds them) for one article."""
    if doc is None:
        from .nlp import get_nlp
        doc = get_nlp()(analysis.text)
    ctx = Context(analysis, Tokens(doc))
    named, refs = find_mentions(ctx)
    drafts: dict[str, Draft] = {}
    for m in named:
        draft = _draft_for(drafts, m)
        draft.names.append(m.name)
        draft.mentions.append(m)
        draft.name_en = draft.name_en or m.name_en
        draft.sentences.add(m.sentence)
        if m.parent is not None:
            draft.parent_key = _draft_for(drafts, m.parent).key
        date_mention, venue = _date_and_venue(m, ctx)
        if date_mention is not None and draft.date_mention is None:
            draft.date_mention = date_mention
        draft.location = draft.location or venue
    _link_counts(analysis, named + refs, drafts)
    for ref in refs:
        _draft_for(drafts, ref.parent).sentences.add(ref.sentence)
    _inherit_from_parents(drafts, named + refs)
    return [_row(d, analysis, drafts) for d in drafts.values()]


def _draft_for(drafts: dict[str, Draft], m: Mention) -> Draft:
    keys = [k for k in (name_key(m.name), name_key(m.name_en or "")) if k]
    for key in keys:
        for draft in drafts.values():
            if key in (name_key(n) for n in draft.names) or (draft.name_en and key == name_key(draft.name_en)):
                if draft.mention.type == m.type:
                    return draft
    key = f"{m.type}:{keys[0] if keys else m.start}"
    drafts[key] = Draft(key, m)
    return drafts[key]


def _link_counts(analysis, mentions: list[Mention], drafts: dict[str, Draft]) -> None:
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for m in sorted(mentions, key=lambda m: m.start):
        by_sentence[m.sentence].append(m)
    for number in analysis.numbers:
        if number.kind != "count" or number.counted not in COUNTED:
            continue
        index = analysis.sentence_index(number.start)
        if index not in by_sentence:
            continue
        _, sentence_end = _sentence_bounds(analysis, index)
        link = _link_count(number, by_sentence[index], analysis.text, sentence_end)
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
            draft.date_mention = draft.date_mention or parent.date_mention
            draft.location = draft.location or parent.location


def _display_name(draft: Draft) -> str:
    """The most frequent name, a Korean one when there is one (the English title goes to name_en)."""
    korean = [n for n in draft.names if re.search(r"[가-힣]", n)]
    names = korean or draft.names
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


def stable_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


# -- across articles ----------------------------------------------------------------------

def _keys(event: dict) -> set[str]:
    keys = {name_key(event["name"] or "")}
    if event.get("name_en"):
        keys.add(name_key(event["name_en"]))
    return {k for k in keys if len(k) >= 3}


def _dates_compatible(a: dict, b: dict, gap: int) -> bool:
    if not (a["date_start"] and b["date_start"]):
        return True
    slack = timedelta(days=gap)
    return a["date_start"] <= b["date_end"] + slack and b["date_start"] <= a["date_end"] + slack


def _group(events: list[dict]) -> list[list[dict]]:
    gap = rules().max_gap_days
    parent = list(range(len(events)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, event in enumerate(events):
        for key in _keys(event):
            by_key[(event["type"], key)].append(i)
    for members in by_key.values():
        for i in members[1:]:
            if _dates_compatible(events[members[0]], events[i], gap):
                parent[find(i)] = find(members[0])
    groups: dict[int, list[dict]] = defaultdict(list)
    for i, event in enumerate(events):
        groups[find(i)].append(event)
    return list(groups.values())


def _narrowest_dates(members: list[dict]) -> tuple[date | None, date | None]:
    dated = [m for m in members if m["date_start"]]
    if not dated:
        return None, None
    best = min(dated, key=lambda m: ((m["date_end"] - m["date_start"]).days, m["date_start"]))
    return best["date_start"], best["date_end"]


def _cluster_counts(members: list[dict]) -> tuple[list[dict], list[dict]]:
    grouped: dict[tuple, dict] = {}
    for m in members:
        for c in m["counts"] or []:
            key = (c["value"], c["counted"], c["role"], c["qualifier"])
            entry = grouped.setdefault(key, {"value": c["value"], "counted": c["counted"], "role": c["role"],
                                             "qualifier": c["qualifier"], "article_ids": [], "evidence": []})
            if m["article_id"] not in entry["article_ids"]:
                entry["article_ids"].append(m["article_id"])
            entry["evidence"].append(c.get("text") or "")
    counts = sorted(grouped.values(), key=lambda c: (c["counted"], c["role"], c["value"]))
    conflicts = []
    by_class: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in counts:
        by_class[(c["counted"], c["role"])].append(c)
    for (counted, role), items in sorted(by_class.items()):
        values = sorted({c["value"] for c in items})
        if len(values) > 1:
            conflicts.append({"field": f"count:{role}", "counted": counted,
                              "values": [f"{v:g}" for v in values],
                              "evidence": [f"{c['value']:g} ({c['qualifier']}): {', '.join(c['evidence'])} "
                                           f"[{', '.join(c['article_ids'])}]" for c in items]})
    return counts, conflicts


def _date_conflicts(members: list[dict]) -> list[dict]:
    spans = sorted({(m["date_start"], m["date_end"]) for m in members if m["date_start"]})
    day_spans = [s for s in spans if (s[1] - s[0]).days <= 7]
    if len(day_spans) <= 1:
        return []
    return [{"field": "date", "counted": None, "values": [f"{a}/{b}" for a, b in day_spans],
             "evidence": [f"{m['date_start']}/{m['date_end']} [{m['article_id']}]" for m in members if m["date_start"]]}]


def cluster_rows(events: list[dict], publishers: dict[str, str | None]) -> list[dict]:
    rows = []
    for members in _group(events):
        names = Counter(m["name"] for m in members)
        start, end = _narrowest_dates(members)
        locations = Counter(m["location"] for m in members if m["location"])
        article_ids = sorted({m["article_id"] for m in members})
        counts, conflicts = _cluster_counts(members)
        rows.append({
            "cluster_id": stable_id(members[0]["type"], min(k for m in members for k in (_keys(m) or {m["event_id"]}))),
            "type": members[0]["type"],
            "name": max(names.items(), key=lambda kv: (kv[1], len(kv[0])))[0],
            "names": sorted(set(names) | {m["name_en"] for m in members if m["name_en"]}),
            "date_start": start, "date_end": end,
            "location": locations.most_common(1)[0][0] if locations else None,
            "article_ids": article_ids, "event_ids": sorted(m["event_id"] for m in members),
            "n_articles": len(article_ids),
            "n_sources": len({publishers.get(a) or a for a in article_ids}),
            "counts": counts, "conflicts": conflicts + _date_conflicts(members),
        })
    return sorted(rows, key=lambda r: (r["date_start"] or date.max, r["name"]))


def cluster_events(events: list[dict], publishers: dict[str, str | None]):
    from .schema import from_rows
    return from_rows("event_clusters", cluster_rows(events, publishers))
