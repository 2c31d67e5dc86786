"""Events anchored on their reporting clause, not on a name.

Real news reports most meetings without a proper name: ``시진핑 주석과 정상회담을 갖고``, ``8일 정례회의를
열고``, ``대외경제장관회의를 주재하고``, ``루비오 국무장관과 회동했다``, ``N개국이 공동성명을 발표했다``,
``업무협약(MOU)을 체결했다``, ``카카오엔터프라이즈가 3일 공식 출범했다``. Each rule is a trigger noun with
its light verb, or a verbal trigger, from ``clauses`` in ``data/events.json``:

- ``<date> <meeting noun>에서(는)``: a meeting on that date (지난 19일 국무회의에서는);
- ``<official>(과|와|을|를) 만나다``: a meeting of the subject with that official (dated, or with an
  official as subject);

- ``<noun>(을|를)? <light verb>``: the noun gives the type (정상회담 → summit, 회동/통화/간담회 → meeting,
  공동성명 → declaration, 양해각서/MOU → agreement), the verb must belong to the noun's family
  (갖다/열다/개최/주재/하다 for meetings, 발표/채택 for statements, 체결/서명 for agreements);
- ``<subject>(이|가|은|는) <date/place/공식> 출범/발족/개소했다``: a launch of the subject.

The clause fills the event: its name is the noun run before the trigger (한미 정상회담, 제100회
고객권익보호위원회), else one built from the parties — ``<official>과/와`` is the partner, a Korean subject
with a foreign partner gives ``한중 정상회담`` (short country forms are data); its date is the last date
before the trigger in the sentence that is not inside a relative clause of another verb (``10~13일 … 방한한
또 럼 서기장과``: that date is the visit's); its place the ``<place>에서`` of the clause.

Not events: a clause that is negated, habitual, speculated or unrealised (``회담을 하지 않았다``, ``발표하는
방안``, ``개최 여부``), a plan without a day (``회담을 할 예정``, ``상반기 중 개최할 계획``), a generic noun with
no date, name or partner (``회의를 열어``), a clause with no actor (an official, organisation, place, proper
noun or ``양국``), and history: a clause dated more than ``history_days`` before the article's reference date
(``1994년 창립``). More forms around a meeting: :mod:`pipeline.events.forms`.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from functools import lru_cache

from .find import Context, Mention, _inside, _no_report, _noun_run_start, party_names
from .forms import (_in_speech, _negated_after, _quote_before, _quote_ending, _skip_dates, partner_meetings,
                    pronoun_subject, reporter_date, sessions, signed_modifiers)
from .partners import per_partner
from .timing import in_schedule
from .rules import COARSE_GRAINS, data as rule_data, rules

PARTNER = re.compile(r"(?:\([^()\n]{1,12}\))?(?:과|와)(?:의|도)?(?=\s)")   # 부부장(차관)과 만났다; 총리와도 통화했다
SUBJECT = re.compile(r"(?:이|가|은|는)(?=\s)")
OBJECT_PARTICLE = re.compile(r"(?<=[가-힣A-Za-z0-9)])(?:을|를)(?=\s)")
OBJECT = re.compile(r"(?:\([^()\n]{1,12}\))?(?:을|를)\s")
SIGNERS = re.compile(r"((?:\d+개국|[A-Z][A-Za-z0-9+]+)(?:\s[가-힣]{1,6}?){0,2})(?:들)?(?:은|는|이|가)\s")


@lru_cache(maxsize=1)
def spec() -> dict:
    data = rule_data()["clauses"]
    ceremonies = data["ceremony_nouns"]           # 협약식을 가졌다: typed by what is signed, held like a meeting
    nouns = {**data["nouns"], **ceremonies}
    alt = lambda words: "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    verbs = {family: re.compile(rf"(?:{alt(words)})") for family, words in data["light_verbs"].items()}
    return {
        "nouns": nouns,
        "noun_re": re.compile(rf"(?<![가-힣])(?:[가-힣A-Za-z0-9·ㆍ\-]*?)({alt(nouns)})"
                              rf"(?P<quote>[’'”\"])?(?P<gloss>\s?\([A-Za-z가-힣 ]{{2,12}}\))?(?P<count>\s\d{{1,3}}건)?"
                              rf"(?P<link>(?:\s(?:및|과|와)\s[가-힣]{{1,6}})?(?:을|를|에|도)\s?(?:{alt(data['adverbs'])}\s)?|\s?)"),
        "verbs": verbs,
        "family": data["family"],
        "noun_family": {n: "meeting" if n in ceremonies else data["family"][t] for n, t in nouns.items()},
        "future": re.compile(rf"\s?(?:{alt(data['future_markers'])})"),
        "unreal": re.compile(rf"\s?(?:{alt(data['unreal_markers'])})"),
        "passive": re.compile(alt(data["passive_verbs"])),
        "attend": {family: re.compile(alt(words)) for family, words in data["attend_verbs"].items()},
        "bare_ref_re": re.compile(rf"(?:^|(?<=[\s.>]))({alt(data['bare_reference_heads'])})"
                                  rf"(?:{alt(data['bare_reference_particles'])})(?=\s)"),
        "bare_topic_re": re.compile(rf"(?:^|(?<=[\s.>]))({alt(data['bare_reference_heads'])})(?=(?:은|는|이|가)\s)"),
        "genitive_re": re.compile(rf"((?:[가-힣A-Za-z0-9·]+\s){{0,2}}[가-힣A-Za-z0-9·]*?"
                                  rf"({alt(w for w, t in nouns.items() if data['family'][t] == 'meeting')}))의\s"),
        "pair_subject_re": re.compile(rf"(?<![가-힣])((?:[{data['country_syllables']}]{{2,4}}|[가-힣]{{1,4}}·[가-힣]{{1,4}})"
                                      rf"(?:\s[가-힣]{{2,8}})?)(?:은|는|이|가)\s"),
        "actor_re": re.compile(rf"(?<![가-힣])(?:{alt(data['actor_words'])})(?:\s[가-힣]{{1,5}})?(?:은|는|이|가)\s"),
        "meet_names": data["meet_names"],
        "per_partner": frozenset(data["per_partner_nouns"]),
        "object_only": frozenset(data["object_only_nouns"]),
        "companion": frozenset(data["companion_nouns"]),
        "trigger_alt": alt(nouns),
        "country_syllables": data["country_syllables"],
        "means_nouns": frozenset(data["means_nouns"]),
        "meet_re": re.compile(rf"(?:\([^()\n]{{1,12}}\))?(?:\s등)?(?:과|와|을|를)도?\s(?:{alt(data['adverbs'])}\s)?(?:{alt(data['meet_verbs'])})"),
        "dated_re": re.compile(rf"\s(?:(?:오전|오후|저녁|밤|새벽|낮)\s)?(?:(?:(?:\S+\s){{0,3}}?\S+에서\s)?(?P<held>{alt(data['dated_modifiers'])})\s)?"
                               rf"((?:[가-힣A-Za-z0-9·\-]+\s){{0,4}}?[가-힣A-Za-z0-9·\-]*?)"
                               rf"({alt(w for w, t in nouns.items() if data['family'][t] == 'meeting')})"
                               rf"(?:{alt(data['dated_venue_particles'])})(?=[\s,])"),
        "launch_re": re.compile(rf"(?:공식\s?|정식\s?)?({alt(data['launch_verbs'])})(?=했|하였|한다|됐|되었|된다|식을|시켰|었)"),
        "launch_mod_re": re.compile(rf"({alt(data['launch_verbs'])})\s?(?:{alt(data['launch_modifiers'])})\s"),
        "countdown_re": re.compile(rf"({alt(w for w, t in nouns.items() if data['family'][t] == 'meeting')})"
                                   rf"(?:을|를)\s(?P<n>{alt(data['countdown_days'])}|\d{{1,2}}일)\s앞둔\s"),
        "countdown_days": data["countdown_days"],
        "topic_re": re.compile(rf"(?<![가-힣])([가-힣A-Za-z0-9·\-]*?)({alt(w for w, t in nouns.items() if data['family'][t] == 'meeting')})"
                               rf"(?:에는|에서는)\s"),
        "attended_re": re.compile(rf"(?:{alt(data['attend_verbs']['meeting'])})(?:했|하였)"),
        "exchange_re": re.compile(rf"(?:{alt(data['exchange_verbs'])})"),
        "launch_names": data["launch_names"],
        "generic": frozenset(data["generic_nouns"]),
        "short": data["country_short_forms"],
        "home": data["home_country"],
        "history_days": data["history_days"],
    }


def find_clauses(ctx: Context, taken: list) -> list[Mention]:
    """Event mentions read from reporting clauses (see the module docstring)."""
    found = _noun_clauses(ctx, taken)
    found += _launch_clauses(ctx, taken + found)
    found += _launch_modifiers(ctx, taken + found)
    found += _dated_meetings(ctx, taken + found)
    found += _countdowns(ctx, taken + found)
    found += _exchanges(ctx, taken + found)
    found += partner_meetings(ctx, taken + found)
    found += sessions(ctx, taken + found)
    found += signed_modifiers(ctx, taken + found)
    found += _attended_topics(ctx, taken + found)
    return found + _meetings_by_meet(ctx, taken + found)


def _noun_clauses(ctx: Context, taken: list) -> list[Mention]:
    s, text, found = spec(), ctx.text, []
    for match in s["noun_re"].finditer(text):
        noun = match.group(1)
        n0, n1 = match.span(1)
        family = s["noun_family"][noun]
        link = match.group("link")
        verbs = s["attend"].get(family) if link.strip().endswith("에") else s["verbs"][family]
        if verbs is None:
            continue
        verb = verbs.match(text, _skip_dates(ctx, match.end())) or _passive(ctx, match.end("gloss") if match.group("gloss") else match.end(1))
        means = verb is None and noun in s["means_nouns"] and re.search("[을를]", link)
        if means:
            verb = re.compile("통해").match(text, match.end())     # 전화 통화를 통해 … 의견을 교환했다: the call was held
        if verb is not None and s["launch_re"].match(text, verb.start()):
            continue                                   # 국가AI위원회가 출범했다: a launch, not a meeting
        if (verb is None or _inside(taken + found, n0) or _in_speech(ctx, n0, match)
                or _no_report(text, verb.start()) or _negated_after(text, verb.end())
                or s["unreal"].match(text, verb.end())):
            continue
        if noun in s["object_only"] and not re.search("[을를도]", link):
            continue                                   # 현안을 협의했다: what another meeting did
        if noun in s["companion"] and re.search(rf"(?:{s['trigger_alt']})(?:과|와|및)\s(?:\S+\s)?$", text[max(0, n0 - 40):n0]):
            continue                                   # 정상회담과 업무 오찬을 갖고: part of the summit
        if (verb.re is s["verbs"][family] and not re.search("[을를도]", link)   # 회담도 가졌다: a further one
                and (link or not re.match("[하했한해]", text[verb.start()]))
                and not (link == " " and _DROPPED_PARTICLE.match(text, verb.start()))):
            continue                                   # 회담했다 glued; 회담 진행 without a particle is no clause,
                                                       # 간담회 갖고 (a particle dropped before 갖다) is one
        sentence = ctx.sentence(n0)
        floor, end = ctx.bounds(sentence)
        start = _noun_run_start(ctx, n0, ctx.analysis.dates + ctx.analysis.numbers + ctx.analysis.officials)
        date = clause_date(ctx, floor, start)
        if means and date is None:
            continue                                   # 화상회의를 통해 극복할 수 있다: a means in general, no call
        if s["future"].match(text, verb.end()) and (date is None or date.grain not in ("day", "week")):
            continue                                   # 회담을 할 예정, 상반기 중 개최할 계획: a plan with no day
        if in_schedule(ctx, verb, end) and (date is None or date.grain not in ("day", "week")):
            continue                                   # 접견해 … 전달하는 일정을 앞두고: a plan with no day
        if _history(ctx, date):
            continue
        if (noun in s["generic"] and date is None and start == n0 and not match.group("quote")
                and not _partner_before(ctx, floor, n0)):
            continue                                   # 회의를 열어: a generic noun needs a date, a name or a partner
        if not (_has_actor(ctx, floor, end) or ctx.tokens.has(floor, n0, ("NNP", "SL", "SH"))):
            continue
        quote = _quote_ending(ctx, n1) if match.group("quote") else None
        title = _quote_before(ctx, n0) if quote is None and start == n0 else None
        if quote is not None:
            start, name = quote.start + 1, text[quote.start + 1:n1]
        elif title is not None:                          # ‘국가재난관리본부’ 현판식을 가졌다: the title names it
            start, name = title.start + 1, f"{text[title.start + 1:title.end - 1].strip()} {noun}"
            date = date or clause_date(ctx, floor, title.start)
        else:
            name = text[start:n1] if start < n0 else (_party_name(ctx, floor, n0, noun) or _signers(ctx, floor, n0, noun)
                                                        or _signing_parties(ctx, floor, n0, noun, family)
                                                        or _parties_after(ctx, verb.start(), end, noun) or noun)
        kind = s["nouns"][noun]
        if kind == "meeting" and "정상" in name and ("회담" in noun):
            kind = "summit"
        venue = _clause_venue(ctx, date.end if date else floor, start)
        if venue is None and family == "meeting":
            venue = _visited_country(ctx, floor, start)     # 일본을 방문해 … 정상회담: held in the country visited
        mention = Mention(start, match.end("gloss") if match.group("gloss") else n1, name, None, kind, sentence,
                          rule=f"clause_{family}", location=venue, date=date, generic=start == n0)
        host = _genitive_host(ctx, floor, start, mention)
        found += [host, mention] if host else [mention]
        if noun in s["per_partner"] and start == n0:
            found += _more_partners(ctx, mention, floor, n0, noun)      # A, B와 면담: one talk per partner
    return found


_DROPPED_PARTICLE = re.compile(r"(?:갖고|가졌|가진다|가질|가져)")


def _genitive_host(ctx: Context, floor: int, start: int, child: Mention) -> Mention | None:
    """'한일 정상회담의 확대 회담이 … 종료됐다': the session is a child of the meeting named before 의."""
    host = spec()["genitive_re"].search(ctx.text, floor, start)
    if host is None or host.end() != start or not ctx.tokens.has(host.start(1), host.end(1), ("NNP", "SL", "SH")):
        return None
    kind = spec()["nouns"].get(host.group(2), "meeting")
    parent = Mention(host.start(1), host.end(1), host.group(1), None, kind, child.sentence, rule="clause_host",
                     location=child.location, date=child.date)
    child.parent = parent
    return parent


def _dated_meetings(ctx: Context, taken: list) -> list[Mention]:
    """'지난 19일 국무회의에서는 …': a meeting noun right after a date and before 에서 is a meeting on that date."""
    text, found = ctx.text, []
    for d in ctx.analysis.dates:
        match = spec()["dated_re"].match(text, d.end)
        if (d.date_start is None or d.grain not in ("day", "week") or match is None
                or _inside(taken + found, match.start(2)) or _history(ctx, d)):
            continue
        start, end = match.start(2), match.end(3)
        if not match.group("held") and any(o.start < end and start < o.end for o in ctx.analysis.organizations):
            continue                                   # 공정거래위원회에서: a body, not a meeting (unless 열린 …)
        if not ctx.tokens.all_in(start, end, ("NNP", "NNG", "SL", "SN", "SH", "XSN", "XPN", "SO", "SP", "NNB")):
            continue                                   # 한-베트남, 한·베트남: hyphen and middle dot in a name
        kind = spec()["nouns"][match.group(3)]
        found.append(Mention(start, end, text[start:end], None, kind, ctx.sentence(start), rule="clause_dated",
                             date=d, generic=start == match.start(3)))
    return found


def _meetings_by_meet(ctx: Context, taken: list) -> list[Mention]:
    """'<subject> … <official>과/을 만났다': a meeting of the subject with that official, when the clause
    is dated or its subject is an official."""
    text, found, s = ctx.text, [], spec()
    for o in ctx.analysis.officials:
        verb = s["meet_re"].match(text, o.end)
        if verb is None or _inside(taken + found, o.start) or _negated_after(text, verb.end()):
            continue
        floor = ctx.bounds(ctx.sentence(o.start))[0]
        date = clause_date(ctx, floor, o.start)
        if s["unreal"].match(text, verb.end()) or (s["future"].match(text, verb.end())
                                                   and (date is None or date.grain not in ("day", "week"))):
            continue
        subjects = [x for x in ctx.analysis.officials if floor <= x.start and x.end <= o.start and SUBJECT.match(text, x.end)]
        subjects = subjects or [x for x in [pronoun_subject(ctx, floor, o.start)] if x is not None]
        if (date is None and not subjects) or _history(ctx, date):
            continue
        noun = next((n for v, n in spec()["meet_names"].items() if text.startswith(v, verb.end() - len(verb.group(0).split()[-1]))), "회동")
        name = f"{subjects[0].name}-{o.name} {noun}" if subjects else f"{o.name} {noun}"
        found.append(Mention(o.start, verb.end(), name, None, "meeting", ctx.sentence(o.start), rule="clause_meet",
                             date=date, location=_clause_venue(ctx, date.end if date else floor, o.start), generic=True))
        found += per_partner(ctx, found[-1], floor, o, noun)           # A과 B를 만났다: two encounters
    return found


def _passive(ctx: Context, end: int):
    """'<noun>(이|가|은|는) <date/place> 열렸다/개최됐다/종료됐다': the predicate match, or None."""
    from .find import predicate_gap
    gap = predicate_gap(ctx, end, spec()["passive"])
    return spec()["passive"].match(ctx.text, gap[1]) if gap else None


def _partner_before(ctx: Context, floor: int, pos: int) -> bool:
    return any(floor <= o.start and o.end <= pos and PARTNER.match(ctx.text, o.end) for o in ctx.analysis.officials)


def _has_actor(ctx: Context, floor: int, end: int) -> bool:
    a = ctx.analysis
    return any(floor <= m.start < end for m in a.officials + a.organizations + a.locations) or \
        bool(spec()["actor_re"].search(ctx.text, floor, end) or rules().visitor_re.search(ctx.text, floor, end)) or \
        any(floor <= n.start < end and n.counted in ("country", "organization") for n in a.numbers)   # 22개국이


def clause_date(ctx: Context, floor: int, pos: int):
    """The last resolved date before ``pos`` in its sentence that no other verb's relative clause holds."""
    dates = [d for d in ctx.analysis.dates if floor <= d.start and d.end <= pos and d.date_start is not None
             and d.grain not in COARSE_GRAINS]                # 21세기포럼 1차회의: an era, not the day
    for d in reversed(dates):
        if reporter_date(ctx, d, pos):
            return None
        if not _relative_between(ctx, d.end, pos) and not until_of_another_verb(ctx, d, pos):
            return widen_range(ctx, d)
    return None



def until_of_another_verb(ctx: Context, d, pos: int) -> bool:
    """'6일까지 머물며 … 정상회담을 갖는다': an open end (까지 with no 부터 before it) bounds the verb it leads to
    (a stay), not a meeting named after that verb."""
    if not ctx.text.startswith("까지", d.end) or "부터" in d.text or widen_range(ctx, d) is not d:
        return False
    return any("EC" in tags for s, _, tags in ctx.tokens.within(d.end + 2, pos))


def widen_range(ctx: Context, d):
    """'30일부터 다음 달 1일까지': the end of a range stands for the whole range."""
    head = [x for x in ctx.analysis.dates if x.end < d.start and x.date_start is not None
            and re.fullmatch(r"\s?부터\s?", ctx.text[x.end:d.start])]
    if not head or d.date_end is None or head[-1].date_start > d.date_end:
        from .timing import span_end
        end = span_end(ctx.text, d)                     # 30일부터 2박3일 동안, 17일부터 사흘간
        return replace(d, date_end=end) if end else d
    return replace(d, start=head[-1].start, text=ctx.text[head[-1].start:d.end], date_start=head[-1].date_start)


def _relative_between(ctx: Context, start: int, end: int) -> bool:
    """Whether the date ending at ``start`` belongs to a relative clause before the trigger's word: the
    first verb after it is a relative ending (10~13일 … 방한한 …: the visit's dates), unless a subject or
    topic comes first (11일 이재명 대통령은 …: the main clause's date). The word right before the trigger's
    words modifies the event itself (이날 … 에서 열린 보고회): its ending does not count."""
    stop = ctx.text.rfind(" ", start, ctx.text.rfind(" ", start, end))
    for s, _, tags in ctx.tokens.within(start, max(start, stop)):
        if _inside(ctx.analysis.dates, s):
            continue
        if any(t in ("JX", "JKS") for t in tags):
            return False
        glued_mm = "MM" in tags and s > 0 and not ctx.text[s - 1].isspace()     # 방한 + 한: Kiwi's misreading
        if "ETM" in tags or glued_mm:
            return True
    return False


def _clause_venue(ctx: Context, floor: int, end: int) -> str | None:
    from .link import _venue_in                           # a local import: link imports this module's callers
    return _venue_in(ctx, floor, end)


def _history(ctx: Context, date) -> bool:
    ref = ctx.analysis.reference
    return bool(date and ref and date.date_end and date.date_end < ref - timedelta(days=spec()["history_days"]))


def _party_name(ctx: Context, floor: int, pos: int, noun: str) -> str | None:
    """A meeting named by its parties: a Korean subject with a foreign partner (시진핑 주석과) gives 한중
    정상회담; otherwise the subject's and the partner's names (조현-루비오 회동)."""
    text, officials = ctx.text, [o for o in ctx.analysis.officials if floor <= o.start and o.end <= pos]
    pair = spec()["pair_subject_re"].search(text, floor, pos)
    if pair and not officials:
        return f"{pair.group(1)} {noun}"           # 한미 외교장관은 … 회담을 갖고: 한미 외교장관 회담
    partners = [o for o in officials if PARTNER.match(text, o.end) or OBJECT.match(text, o.end)]
    partner = partners[-1] if partners else None
    subjects = [o for o in officials if o is not partner and SUBJECT.match(text, o.end)]
    subject = subjects[0] if subjects else pronoun_subject(ctx, floor, pos)
    home = spec()["home"]
    sides = {subject.country if subject else None, (partner.country if partner else None)
             or _visited_country(ctx, floor, pos)} - {None}
    foreign = sides - {home}
    if len(foreign) == 2 and subject is not None and partner is not None and noun.startswith("정상"):
        a, b = (spec()["short"].get(c, c) for c in (partner.country or _visited_country(ctx, floor, pos), subject.country))
        return f"{a}·{b} {noun}"
    if not noun.startswith("정상") and partner is not None:     # talks of officials: named by the people
        return f"{subject.name}-{partner.name} {noun}" if subject else f"{partner.name} {noun}"
    if len(foreign) == 1 and (home in sides or subject is None or subject.country is None or partner is None
                              or partner.country is None):
        country = next(iter(foreign))
        short = spec()["short"].get(country)
        return f"한{short} {noun}" if short else f"한·{country} {noun}"
    if partner is None:
        return None
    return f"{subject.name}-{partner.name} {noun}" if subject else f"{partner.name} {noun}"


_RELATIVE_AFTER = re.compile(r"(?:한|가진|했던|가졌던)\s")
_JOINED = re.compile(r"\s?(?:와|과)\s|\s및\s|,\s?")


def _parties_after(ctx: Context, pos: int, end: int, noun: str) -> str | None:
    """'29일 정상회담을 한 아베 신조 일본 총리와 나렌드라 모디 인도 총리는': a meeting named by the two officials
    its relative clause modifies (일본·인도 정상회담; else 아베 신조-나렌드라 모디 회담)."""
    rel = _RELATIVE_AFTER.match(ctx.text, pos)
    if rel is None:
        return None
    after = [o for o in ctx.analysis.officials if rel.end() <= o.start < end]
    if len(after) < 2 or after[0].start - rel.end() > 2 or not _JOINED.fullmatch(ctx.text[after[0].end:after[1].start]):
        return None
    a, b = after[0], after[1]
    if noun.startswith("정상") and a.country and b.country and a.country != b.country:
        short = spec()["short"]
        return f"{short.get(a.country, a.country)}·{short.get(b.country, b.country)} {noun}"
    return f"{a.name}-{b.name} {noun}"


def _more_partners(ctx: Context, mention: Mention, floor: int, n0: int, noun: str) -> list[Mention]:
    last = next((o for o in reversed(ctx.analysis.officials) if floor <= o.start and o.end <= n0
                 and re.fullmatch(r"(?:와|과)\s(?:각각\s)?", ctx.text[o.end:n0])), None)
    return per_partner(ctx, mention, floor, last, noun) if last else []


def _signing_parties(ctx: Context, floor: int, pos: int, noun: str, family: str) -> str | None:
    """'니즈퍼샌드는 … 드리머스아이디와 … 업무협약을 체결했다': an agreement named by its two parties."""
    if family != "signing":
        return None
    names = party_names(ctx, floor, pos)
    return f"{'·'.join(names[:3])} {noun}" if len(names) >= 2 else None


def _signers(ctx: Context, floor: int, pos: int, noun: str) -> str | None:
    """'10개국 외교장관은 … 공동성명을', 'G7 정상들은 공동성명에서': a statement (or a meeting of N countries)
    named by its signers."""
    family = spec()["noun_family"][noun]
    m = SIGNERS.search(ctx.text, floor, pos)
    if m is None or family not in ("statement", "meeting") or (family == "meeting" and not m.group(1)[0].isdigit()):
        return None                                    # 4개국 주한 대사가 … 회동했다: named by the count too
    return f"{m.group(1)} {noun}"


def _visited_country(ctx: Context, floor: int, pos: int) -> str | None:
    """'투르크메니스탄을 국빈 방문해 정상회담을 가졌다': the country visited is the other party."""
    from pipeline.lexicon import country_names

    for loc in reversed([m for m in ctx.analysis.locations if floor <= m.start and m.end <= pos]):
        country = country_names().get(loc.text)
        if country and re.match(r"[을를]\s(?:국빈\s|공식\s)?방문", ctx.text[loc.end:loc.end + 8]):
            return country
    return None


def _launch_clauses(ctx: Context, taken: list) -> list[Mention]:
    """'<subject>(이|가|은|는) <date/place/공식> 출범했다': a launch of the subject."""
    text, found = ctx.text, []
    for match in spec()["launch_re"].finditer(text):
        verb = match.start(1)
        sentence = ctx.sentence(verb)
        floor = ctx.bounds(sentence)[0]
        if _inside(taken + found, verb) or _no_report(text, verb) or re.match(r"[가-힣]{2}(?:했|됐)(?:을|던)", text[verb:]):
            continue
        subject = _subject_before(ctx, floor, match.start())
        if subject is None:
            continue
        start, particle = subject
        date = clause_date(ctx, particle, verb) or clause_date(ctx, floor, start)
        if _history(ctx, date):
            continue
        name = f"{text[start:particle]} {spec()['launch_names'].get(match.group(1), match.group(1))}"
        found.append(Mention(start, particle, name, None, "launch", sentence, rule="clause_launch",
                             location=_clause_venue(ctx, particle, verb), date=date))
    return found


def _launch_modifiers(ctx: Context, taken: list) -> list[Mention]:
    """'내년 3월 출범 예정인 ‘통합 강원대학교’', '30일 출범하는 추진단': a dated launch of the body the
    predicate modifies (a quoted name, or a named noun run of at most three words)."""
    text, found = ctx.text, []
    for match in spec()["launch_mod_re"].finditer(text):
        body = re.match(r"[‘'“\"]([^’'”\"]{2,40})[’'”\"]|((?:\S+\s){0,2}?\S*?(?:%s))(?=[은는이가을를의에\s])"
                        % "|".join(map(re.escape, _body_heads())), text[match.end():match.end() + 45])
        if body is None or _inside(taken + found, match.start(1)):
            continue
        floor = ctx.bounds(ctx.sentence(match.start()))[0]
        date = clause_date(ctx, floor, match.start())
        if date is None or _history(ctx, date):
            continue                                   # 출범 예정인 … with no date is a plan
        start = match.end() + body.start()
        name = body.group(1) or body.group(2)
        if body.group(2) and (" " not in name.strip() and name.endswith(_body_heads()) and len(name) <= 4):
            continue                                   # 출범하는 위원회: a bare head is no body
        named = next((m for m in taken if m.start <= start < m.end), None)
        if named is not None:                          # ‘… 협의체’ found as a meeting by its name: a launch
            named.type, named.date = "launch", named.date or date
            continue
        found.append(Mention(start, match.end() + body.end(), f"{name} {match.group(1)}", None, "launch",
                             ctx.sentence(start), rule="clause_launch", date=date))
    return found


def _countdowns(ctx: Context, taken: list) -> list[Mention]:
    """'한미 정상회담을 사흘 앞둔 22일': the meeting is three days after that date."""
    text, found, s = ctx.text, [], spec()
    for match in s["countdown_re"].finditer(text):
        n0 = match.start(1)
        date = next((d for d in ctx.analysis.dates if d.start == match.end() and d.grain == "day" and d.date_start), None)
        if date is None or _inside(taken + found, n0):
            continue
        n = match.group("n")
        days = s["countdown_days"].index(n) + 1 if n in s["countdown_days"] else int(n[:-1])
        when = replace(date, date_start=date.date_start + timedelta(days=days), date_end=date.date_end + timedelta(days=days))
        start = _noun_run_start(ctx, n0, ctx.analysis.dates + ctx.analysis.numbers + ctx.analysis.officials)
        floor = ctx.bounds(ctx.sentence(n0))[0]
        name = text[start:match.end(1)] if start < n0 else (_party_name(ctx, floor, n0, match.group(1)) or match.group(1))
        kind = s["nouns"][match.group(1)]
        kind = "summit" if kind == "meeting" and "정상" in name else kind
        found.append(Mention(start, match.end(1), name, None, kind, ctx.sentence(n0), rule="clause_countdown",
                             date=when, generic=start == n0))
    return found


def _exchanges(ctx: Context, taken: list) -> list[Mention]:
    """'<official>과 <official>이 22일 … 의견을 나눴다': a meeting of the two (``exchange_verbs``), one of
    them a government official."""
    text, found, s = ctx.text, [], spec()
    for verb in s["exchange_re"].finditer(text):
        floor = ctx.bounds(ctx.sentence(verb.start()))[0]
        people = [o for o in ctx.analysis.officials if floor <= o.start and o.end <= verb.start()]
        pair = [(a, b) for a, b in zip(people, people[1:]) if PARTNER.match(text, a.end) and b.start - a.end <= 4
                and re.match(r"(?:\s[가-힣]{1,5}?)?(?:이|가|은|는)\s", text[b.end:b.end + 9])]
        if not pair or _inside(taken + found, pair[0][0].start) or _negated_after(text, verb.end()):
            continue
        a, b = pair[0]
        if "government" not in (a.role, b.role):
            continue                                   # two scholars talking is no policy meeting
        head = [d for d in ctx.analysis.dates if b.end <= d.start < verb.start() and d.date_start
                and re.fullmatch(r"(?:\s[가-힣]{1,5}?)?(?:이|가|은|는)\s", text[b.end:d.start])]
        date = head[0] if head else clause_date(ctx, floor, verb.start())     # A과 B이 22일 …: the clause's own date
        if _history(ctx, date):
            continue
        found.append(Mention(a.start, b.end, f"{a.name}-{b.name} 회동", None, "meeting", ctx.sentence(a.start),
                             rule="clause_exchange", date=date, generic=True,
                             location=_clause_venue(ctx, date.end if date else floor, verb.start())))
    return found


def _attended_topics(ctx: Context, taken: list) -> list[Mention]:
    """'서울 국제 식품 박람회에는 30개국 500개 업체가 참가했다': a named meeting as the topic of a sentence
    whose predicate is attendance (its counts then link to it)."""
    text, found, s = ctx.text, [], spec()
    for match in s["topic_re"].finditer(text):
        n0 = match.start(2)
        floor, end = ctx.bounds(ctx.sentence(n0))
        if _inside(taken + found, n0) or not s["attended_re"].search(text, match.end(), end):
            continue
        start = _noun_run_start(ctx, n0, ctx.analysis.dates + ctx.analysis.numbers)
        named = ctx.tokens.has(start, match.end(2), ("NNP", "SL", "SH")) or any(
            start <= m.start < match.end(2) for m in ctx.analysis.locations + ctx.analysis.organizations)
        date = clause_date(ctx, floor, start)
        if start == n0 or not named or _history(ctx, date):
            continue                                   # 회의에는 …: a bare head refers back (bare_references)
        kind = s["nouns"][match.group(2)]
        found.append(Mention(start, match.end(2), text[start:match.end(2)], None, kind, ctx.sentence(n0),
                             rule="clause_topic", date=date))
    return found


_GLOSS_BEFORE = re.compile(r"(?<=[가-힣A-Za-z0-9])\((?:이하\s)?[^()\n]{1,20}\)$")


def _subject_before(ctx: Context, floor: int, verb: int) -> tuple[int, int] | None:
    """(start, particle start) of the launched body before a predicate, when only dates, places,
    numbers and adverbs such as 공식 stand between: the object (국가AI위원회를 신설했다) or the subject
    (카카오엔터프라이즈가 출범했다), whichever is nearer the predicate. The run needs a proper noun or an organisation."""
    text = ctx.text
    objects = [m for m in OBJECT_PARTICLE.finditer(text, floor, verb)]
    subjects = [m for m in SUBJECT.finditer(text, floor, verb)]
    candidates = sorted(objects[-1:] + subjects[-1:], key=lambda m: m.start())[-1:]   # the nearer: 밑그림을 그릴 X가 발족
    for particle in candidates:
        between = text[particle.end():verb]
        if re.search(r"[‘’'“”\"]", between) or ctx.tokens.has(particle.end(), verb, ("V", "E", "XSV", "XSA"),
                                                                skip=ctx.analysis.dates):
            return None
        gloss = _GLOSS_BEFORE.search(text, floor, particle.start())     # 국정기획자문위원회(이하 국정기획위)가
        head_end = gloss.start() if gloss else particle.start()
        start = _noun_run_start(ctx, head_end, ctx.analysis.dates + ctx.analysis.numbers)
        named = ctx.tokens.has(start, head_end, ("NNP", "SL", "SH")) or any(
            start <= o.start < head_end for o in ctx.analysis.organizations) or \
            text[start:head_end].endswith(_body_heads())
        if start < head_end and named:
            return start, head_end
        return None
    return None


@lru_cache(maxsize=1)
def _body_heads() -> tuple[str, ...]:
    """Heads that make a noun run a body (위원회, 센터, 추진단): the organisation heads of the lexicon."""
    from pipeline.lexicon import org_rules
    return tuple(h["head"] for h in org_rules().get("heads", []) if len(h["head"]) >= 2) + \
        tuple(rule_data()["clauses"]["body_heads"])


def bare_references(ctx: Context, named: list[Mention]) -> list[Mention]:
    """'회의에는 11개국 … 50여명이 참석했다': a bare head as the subject of a sentence points at the latest
    event of its family named in the three sentences before (its counts go to that event); as the topic of
    a passive predicate ('포럼은 오는 29일 … 신라호텔에서 열린다') it gives that event a date and place it lacks."""
    refs = []
    for match in list(spec()["bare_ref_re"].finditer(ctx.text)) + list(spec()["bare_topic_re"].finditer(ctx.text)):
        topic = match.re is spec()["bare_topic_re"]
        if _inside(named, match.start(1)) or (topic and _passive(ctx, match.end(1)) is None):
            continue
        sentence = ctx.sentence(match.start(1))
        family = spec()["family"].get(spec()["nouns"].get(match.group(1), ""), "meeting")
        before = [m for m in named if m.parent is None and sentence - 3 <= m.sentence < sentence
                  and spec()["family"].get(m.type, m.type) == family]
        if before:
            target = before[-1]
            refs.append(Mention(match.start(1), match.end(1), target.name, None, target.type, sentence,
                                named=False, parent=target, rule="bare_topic" if topic else "bare_reference"))
    return refs
