"""The event rules as data (``data/events.json`` beside this module), compiled once, and the name helpers
every event stage shares (name keys, event types from trigger words).
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
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
COARSE_GRAINS = frozenset({"century", "decade"})      # 21세기, 1990년대: an era, never the day of an event
SPACES = re.compile(r"\s*")


@dataclass(frozen=True)
class Rules:
    triggers: dict[str, str]
    trigger_re: re.Pattern           # a name ending in a trigger
    after_quote_re: re.Pattern       # a trigger phrase right after a closing quote
    quoted_title_excluded: frozenset[str]   # bare triggers that never name an event after a quoted title
    generic_quoted_heads: frozenset[str]    # … only after a reporting modifier (개최한 ‘…’ 행사)
    quoted_held_re: re.Pattern              # … or held: 를 개최했다 / 이 … 열렸다
    english_re: re.Pattern
    anaphor_re: re.Pattern
    unquoted_re: re.Pattern          # a trigger that may end an unquoted name, at the end of a word
    glued_only: frozenset[str]       # triggers that end an unquoted name only when glued to it (에너지안보대화)
    inner_titles: tuple[str, ...]
    ordinal_re: re.Pattern
    reporting: tuple[str, ...]
    habitual_re: re.Pattern          # 열릴 때마다, 방문한 적이, 열리지 않았다, 개최 여부: reports nothing
    habitual_adverb_re: re.Pattern   # 매년 … 방문한다: no single visit or signing
    plan_re: re.Pattern              # ‘NAME’을 신설하기로 했다: a plan, in passing
    anniversary_re: re.Pattern       # NAME 20주년: an anniversary, in passing
    anchor_re: re.Pattern            # NAME 이후 / 당시 / 을 앞두고
    modifier_re: re.Pattern          # 열린 / 개최된 right before a name
    work_re: re.Pattern              # 영화 ‘…’
    expression_re: re.Pattern        # ‘…’이라는 표현
    subject_re: re.Pattern           # the particle after a subject or object name
    predicate_re: re.Pattern         # 열렸다 / 개최됐다 / 출범했다 after a subject
    launch_re: re.Pattern
    signing_re: re.Pattern
    visit_re: re.Pattern
    visit_verbs: frozenset[str]       # 방문, 순방 (native verbs such as 찾 name a 방문)
    implied_visit_re: re.Pattern
    implied_places: dict[str, str]
    visitor_re: re.Pattern
    bare_hosted_re: re.Pattern
    adoption_re: re.Pattern
    venue_re: re.Pattern
    scheduled_re: re.Pattern         # 을 갖는다 / 이 열릴 right after a mention: scheduled, not yet held
    count_verbs: dict[str, tuple[str, ...]]
    sentence_predicates: tuple[str, ...]
    ceremony: tuple[str, ...]
    generic_tokens: frozenset[str]
    aliases: dict[str, str]
    needs_name: frozenset[str]
    max_gap_days: int
    venue_stop: frozenset[str]
    gathering_heads: tuple[str, ...]   # ‘A 업무협약 및 B 준공식’: a quoted ceremony whose parts may be events


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


WORD_END = r"(?=[은는이가을를에의과와도로(\s,.·’'”\"]|$)"


@lru_cache(maxsize=1)
def data() -> dict:
    """The rule file as read (the clause rules take their own section, ``clauses``)."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def rules() -> Rules:
    spec = data()
    triggers = spec["triggers"]
    korean = [t for t in triggers if not t.isascii()]
    english = [t for t in triggers if t.isascii()]
    visit, signing = spec["visit"], spec["signing"]
    return Rules(
        triggers=triggers,
        trigger_re=re.compile(rf"({_alt(triggers)})$"),
        quoted_title_excluded=frozenset(spec["quoted_title"]["excluded_heads"]),
        generic_quoted_heads=frozenset(spec["quoted_title"]["generic_heads"]),
        quoted_held_re=re.compile(rf"(?:을|를)\s?(?:{_alt(spec['quoted_title']['held_verbs'])})"
                                  rf"|(?:이|가|은|는)\s[^.]{{0,40}}?(?:{_alt(spec['quoted_title']['held_passives'])})"),
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
        plan_re=re.compile(rf"[’'”\"]?\s?[을를]\s(?:[가-힣]+\s){{0,2}}?[가-힣]*(?:{_alt(spec['plan_markers'])})\s"),
        anniversary_re=re.compile(rf"[’'”\"]?\s?(?:[가-힣]{{1,3}}\s)?\d{{1,3}}\s?(?:{_alt(spec['anniversary_markers'])})"),
        anchor_re=re.compile(rf"\s?(?:\([^()]{{1,20}}\))?(?:[을를의]\s?)?({_alt(spec['time_anchors'] + spec['comparison_markers'])})"),
        modifier_re=re.compile(rf"({_alt(spec['reporting_modifiers'])})\s?$"),
        work_re=re.compile(rf"(?<![가-힣])({_alt(spec['work_kinds'])})\s?$"),
        expression_re=re.compile(rf"(?:이)?(?:라는|란)\s?({_alt(spec['expression_nouns'])})"),
        subject_re=re.compile(rf"(?:\s?(?:{_alt(spec['ceremony_suffixes'])}))?(?:이|가|은|는|도|을|를)(?=\s)"),
        predicate_re=re.compile(_alt(spec["subject_predicates"])),
        launch_re=re.compile(rf"(?:공식\s?|정식\s?)?({_alt(spec['launch_predicates'])})"
                             r"(?=했|해|하|시켰|시키|시킨|됐|되|한다|한|할|식|었|어)"),
        signing_re=re.compile(rf"(?P<head>{_alt(signing['heads'])})(?P<gloss>\s?\([A-Za-z가-힣]{{2,6}}\))?\s?"
                              rf"(?:을|를|에)\s?(?:공동으로\s|공식\s|정식\s)?(?P<verb>{_alt(signing['verbs'])})"),
        visit_re=re.compile(rf"(?:을|를)\s(?P<mod>(?:{_alt(visit['modifiers'])})\s?)?(?P<verb>(?:{_alt(visit['verbs'])})"
                            r"(?=했|해|한|할|하|중|길|차|을|\s|[.,]|$)"
                            rf"|(?:{_alt(visit['native_verbs'])})(?=은\s|아\s|았다|았고|았으며|는다))"),
        visit_verbs=frozenset(visit["verbs"]),
        implied_visit_re=re.compile(rf"(?<![가-힣])({_alt(visit['implied'])})(?=했|해|한|할|하고|하며|하는|을|\s?중|길)"),
        implied_places=visit["implied"],
        visitor_re=re.compile(rf"({_alt(visit['visitor_titles'])})(?:이|가|은|는|도)\s"),
        bare_hosted_re=re.compile(rf"(?<![가-힣])({_alt(spec['bare_hosted_heads'])})(?=[을를이가은는]\s)"),
        adoption_re=re.compile(_alt(spec["adoption_verbs"])),
        venue_re=re.compile(rf"({_alt(spec['venue_predicates'])})"),
        scheduled_re=re.compile(rf"[)’'”\"]?\s?(?:을|를|이|가|은|는|도)?\s?(?:{_alt(spec['clauses']['scheduled_verbs'])})(?![가-힣])"),
        count_verbs={role: tuple(words) for role, words in spec["count_verbs"].items()},
        sentence_predicates=tuple(spec["sentence_participation_predicates"]),
        ceremony=tuple(spec["ceremony_suffixes"]),
        generic_tokens=frozenset(spec["generic_name_tokens"]),
        aliases=spec["name_aliases"],
        needs_name=frozenset(spec["heads_needing_a_name"]),
        max_gap_days=spec["cluster_max_gap_days"],
        venue_stop=frozenset(spec["venue_stop_words"]),
        gathering_heads=tuple(spec["gathering_heads"]),
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


def split_english(name: str) -> tuple[str, str | None]:
    """'인공지능 행동 정상회의(AI Action Summit)' -> ('인공지능 행동 정상회의', 'AI Action Summit')."""
    match = re.search(r"\s?\(([A-Za-z][^()]{3,})\)$", name)
    if match and " " in match.group(1):
        return name[:match.start()].rstrip(), match.group(1)
    return name, None


def strip_tail(name: str) -> str:
    """Drop a trailing Korean gloss '(네트워크)', a year ('AI 서울 포럼 2025') and ceremony words ('개회식') before
    typing."""
    name = re.sub(r"\s?\([가-힣 ]{1,10}\)$", "", name).rstrip()
    name = re.sub(r"(?<=[가-힣A-Za-z])\s?(?:19|20)\d\d$", "", name).rstrip()
    for suffix in rules().ceremony:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)].rstrip()
    return name


def event_type(name: str) -> str | None:
    if strip_tail(name).endswith(tuple(data()["trigger_false_endings"])):
        return None                                  # ‘동맹 현대화’: 현대화 is no 대화
    match = rules().trigger_re.search(strip_tail(name))
    if not match:
        return None
    trigger = match.group(1)
    if trigger in rules().needs_name and len(strip_tail(name)) <= len(trigger) + 1:
        return None
    return rules().triggers[trigger]


# -- tokens ---------------------------------------------------------------------------------
