"""Which event of its sentence a count belongs to, and in what role: phrase patterns around the count
(:func:`link_count`, used by :mod:`pipeline.events.link`), tried in order, the first that applies wins.

- ``N개국이 (공동으로) 참여/서명/참석한 NAME``, ``NAME이 N개국의 참여로 채택``, ``‘NAME’에 참가한 … N개국``;
- ``N곳은/이 … NAME을 발표/NAME에 서명``: signatories; ``N곳과 … 협약을 맺었다``; ``N개국 대사들과 <date>
  <place>에서 간담회를``: those met;
- the sentence's subject is an event (``NAME에는``, ``이번 행사에는``) and the count's verb is participation
  (a count whose verb modifies a noun, ``N개국 청년을 초청하는 사업``, is that noun's); or the sentence's only event;
- ``N건의 MOU``: how many agreements; ``21개국 외교장관 공동성명``: the count right before the name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .find import Mention
from .rules import HOST_TYPES, SIGNED_TYPES, rules


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


def _by_took_part_in(site: CountSite):
    """R11: '‘NAME’(ARF)에 참가한 아세안과 한국 … 22개 국가 외무장관들은': the count took part in the event before it."""
    before = [m for m in site.mentions if m.end <= site.number.start]
    if before and re.fullmatch(rf"(?:\([^()]{{1,20}}\))?에\s?{PARTICIPATION}한\s[^.。]{{0,60}}",
                               site.text[before[-1].end:site.number.start]):
        return before[-1], "participants"
    return None


def _by_attending_amid(site: CountSite):
    """R10: 'N개국 … 이 참석한 가운데 NAME이 개막했다', 'NAME은 공관장 N명이 참석한 가운데 … 열렸다' — those
    attending are the named gathering's, after the phrase or as its subject before it."""
    phrase = re.match(rf"[^.。]{{0,40}}?{PARTICIPATION}한 가운데\s?", site.after)
    if phrase:
        at = site.number.end + phrase.end()
        following = [m for m in site.mentions if at <= m.start <= at + 20]
        subject = [m for m in site.mentions if m.end <= site.number.start and _SUBJECT_THEN_COUNT.fullmatch(
            site.text, m.end, site.number.start)]
        if following or subject:
            return (following or subject)[0], _role_hint(site) or (
                "attendees" if site.number.counted == "person" else "participants")
    return None


_SUBJECT_THEN_COUNT = re.compile(r"(?:이|가|은|는)\s(?:[가-힣]{1,8}\s){0,2}")


def _by_genitive(site: CountSite):
    """R2: '‘NAME’이 N개국의 참여로 채택됐다' — the name is the subject before the count."""
    before = [m for m in site.mentions if m.end <= site.number.start]
    if before and re.match(r"의 (참여|서명|지지|동의)로", site.after):
        return before[-1], "signatories" if before[-1].type in SIGNED_TYPES else "participants"
    return None


def _by_count_subject(site: CountSite):
    """R3: 'N곳은 … ‘NAME’을 발표했다', 'N개국이 ‘NAME’에 서명했다' — the count is the subject (not when its
    own verb is attendance: 'N개국이 참석한 가운데 … 공동성명을 채택했다' counts the meeting's participants)."""
    if not re.match(r"(?:\s[가-힣]{2,8}?)?(은|는|이|가)\s", site.after):    # N개국(이), N개국 외교장관은
        return None
    for m in site.mentions:
        if re.search(r"(?:참석|참가|참여)(?:한|하는|해|했)", site.text[site.number.end:m.start]):
            return None                           # N개국이 참석한 가운데 … 공동성명을 채택: they attended the meeting
        if m.start > site.number.end and re.match(r"\s?(을|를|에)\s?(공동\s?)?(발표|채택|서명|체결|선언|동참|참여|가입|내고|냈|내놓|내놨)",
                                                  site.text[m.end:m.end + 12]):
            return m, _count_role(site.text[m.end:site.sentence_end], m.type) or "signatories"
    return None


def _by_partner(site: CountSite):
    """R6: 'N곳과 … 협약을 맺었다' — the count is the signing partner; 'N곳 대표와 간담회를 열었다' — those met."""
    if re.match(r"(와|과)\s", site.after):
        signings = [m for m in site.mentions if m.start > site.number.end and m.rule == "signing"]
        if signings:
            return signings[0], "signatories"
    met = re.match(r"(?:,?\s?[가-힣·]{1,8}){0,3}?(와|과)\s", site.after)     # 3개국 장, 차관과
    if met:
        at = site.number.end + met.end()
        gatherings = [m for m in site.mentions if at <= m.start <= at + 40 and m.type in HOST_TYPES
                      and _only_when_and_where(site.text[at:m.start])]
        if gatherings:
            return gatherings[0], _role_hint(site) or "participants"
    return None


_PLAIN_WORDS = re.compile(r"(?:[가-힣A-Za-z0-9()·]+\s)*")          # words only: no comma, quote or sentence end


def _only_when_and_where(between: str) -> bool:
    """Between '<N개국 …>과' and the gathering only its date and place (5개국 대사들과 4일 외교부 청사에서
    간담회를 열었다), no verb of another act (통화한 뒤)."""
    return bool(_PLAIN_WORDS.fullmatch(between)) and not re.search(r"[한했된될할]\s|[고며]\s|뒤\s", between)


def _by_event_subject(site: CountSite):
    """R4: the sentence's subject is an event (NAME에는, 이번 행사에는) and the count's verb is participation."""
    subject = [m for m in site.mentions if m.start < site.number.start and
               re.match(r"(은|는|에는|에서는|에|에서)\s", site.text[m.end:m.end + 4])]
    if _in_relative_clause(site.after):
        return None                  # … 30개국 청년을 초청하는 연수 사업을 발표했다: the count is the programme's
    role = _count_role(site.after, subject[0].type) if subject else None
    return (subject[0], _role_hint(site) or role) if role else None


def _in_relative_clause(after: str) -> bool:
    """The count's own verb modifies a noun (N개국 청년을 초청하는 사업): its phrase is that noun's, not the event's."""
    return bool(re.match(r"[^.,。]{0,20}?[가-힣](?:하는|되는|한|된|할|될)\s[가-힣]", after))


def _by_only_event(site: CountSite):
    """R5: the sentence's only event (or its only gathering: people attend meetings, not the statements or
    pledges beside them), with a participation predicate ('… 100개국 이상의 … 모였습니다')."""
    events = {id(m.parent or m): (m.parent or m) for m in site.mentions}
    if len(events) > 1:
        events = {k: m for k, m in events.items() if m.type in HOST_TYPES}
    if len(events) == 1 and any(p in site.after for p in rules().sentence_predicates):
        default = "attendees" if site.number.counted == "person" else "participants"
        return next(iter(events.values())), _role_hint(site) or default
    return None


def _role_hint(site: CountSite) -> str | None:
    return "delegates" if re.match(r"\s?명의? 대표|\s?의 대표단", site.after) else None


def _by_number_of(site: CountSite):
    """R7: 'N건의 양해각서(MOU)를 체결', 'MOU 8건을 체결': how many agreements or statements one signing made."""
    if site.number.unit != "건":
        return None
    head = re.match(r"의\s(?:[가-힣A-Za-z]+\s){0,2}", site.after)
    at = site.number.end + (head.end() if head else 0)
    following = [m for m in site.mentions if head and site.number.end < m.end and m.start <= at + 12
                 and m.type in SIGNED_TYPES]
    before = [m for m in site.mentions if m.type in SIGNED_TYPES and 0 <= site.number.start - m.end <= 1]
    return (following or before or [None])[0] and ((following or before)[0], "other")    # … MOU 8건을 체결


def _by_subject_of_only_event(site: CountSite):
    """R9: '4개국 대사가 25일 서울에서 회동했다': the count is the subject of the sentence's only event."""
    events = {id(m.parent or m): m for m in site.mentions}
    if len(events) != 1 or not re.match(r"(?:\s[가-힣]{1,8}?){0,2}(은|는|이|가)\s", site.after):
        return None
    event = next(iter(events.values()))
    if event.start <= site.number.end:
        return None
    return event, "signatories" if event.type in SIGNED_TYPES else "participants"


def _by_adjacent_name(site: CountSite):
    """R8: '21개국 외교장관 공동성명', '10개국 외교장관 회의': the count right before the event's name."""
    for m in site.mentions:
        if m.named and m.start >= site.number.end and re.fullmatch(r"\s?", site.text[site.number.end:m.start]):
            return m, "signatories" if m.type in SIGNED_TYPES else "participants"
    return None


COUNT_RULES = (_by_number_of, _by_participation_phrase, _by_took_part_in, _by_attending_amid, _by_genitive, _by_count_subject, _by_partner, _by_event_subject,
               _by_only_event, _by_subject_of_only_event, _by_adjacent_name)


def link_count(number, sentence_mentions: list[Mention], text: str, sentence_end: int):
    """Which event of the sentence a count belongs to, and in what role (None: no link): the first
    phrase pattern that applies."""
    site = CountSite(number, sentence_mentions, text, sentence_end)
    for rule in COUNT_RULES:
        link = rule(site)
        if link is not None:
            return link
    return None
