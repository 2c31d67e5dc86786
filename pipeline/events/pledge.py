"""Pledges read from their clause: a commitment an actor makes, not a meeting it holds.

Two forms (``pledges`` in ``data/events.json``, examples in ``tests/corpus/events.jsonl``):

- ``<actor>(은|는|이|가) … <object>(을|를) … <commitment verb>하기로 했다`` (지원하기로 했다, 제공하기로
  결정했다): the verb must be one of ``commitment_verbs`` — giving, funding, cutting, cooperating — so that
  ``수사하기로 했다`` or ``출시하기로 했다`` stay plans, not pledges;
- ``<object>(을|를) 약속했다 / 공약했다`` (지원을 약속했다).

``… 하기로 합의했다`` (협력을 강화하기로 합의했다) is no pledge of its own: in the news it states the terms of an
agreement or a summit's outcome, which the agreement or meeting event already reports.

The clause needs an actor in its sentence (an official, organisation, place or 정부/양국), not a company as its
subject (``business_actor_types``: 미쓰이물산은 … 공동 투자하기로 했다 is business news), and must not be
negated, speculated or history, nor stand in a sentence that reports or names an event (이번 협약을 통해 …
지원하기로 했다: the agreement's terms); its date is the clause's own (``clause_date``), else none. The name is the
actor, the object's noun run and the verb: ``국민안전처 특별교부세 지원``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .clause import SUBJECT, _has_actor, _history, _negated_after, clause_date
from .find import Context, Mention, _inside, _noun_run_start
from .rules import data


@lru_cache(maxsize=1)
def spec() -> dict:
    p = data()["pledges"]
    alt = lambda words: "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return {
        "decided": re.compile(rf"(?<![가-힣])({alt(p['commitment_verbs'])})(?:하기로|키로)\s?(?:{alt(p['decision_verbs'])})"),
        "promised": re.compile(rf"(?<![가-힣])([가-힣]{{2,6}})(?:을|를)\s(?:{alt(p['promise_verbs'])})"),
        "object": re.compile(r"(?<=[가-힣A-Za-z0-9)])(?:을|를)\s"),
        "event_word": re.compile(alt(list(data()["clauses"]["nouns"]) + list(data()["clauses"]["ceremony_nouns"])
                                     + ["합의", "회담", "방문"])),
    }


def find_pledges(ctx: Context, taken: list) -> list[Mention]:
    """Pledge mentions (see the module docstring), not inside another event's span."""
    found: list[Mention] = []
    text = ctx.text
    for rule in ("decided", "promised"):
        for m in spec()[rule].finditer(text):
            verb = m.start(1)
            if _inside(taken + found, verb) or _negated_after(text, m.end()) or _unreal(text, m.end()):
                continue
            sentence = ctx.sentence(verb)
            floor, end = ctx.bounds(sentence)
            if not _has_actor(ctx, floor, verb) or _outcome(ctx, taken, sentence, floor, end) \
                    or _business_actor(ctx, floor, verb):
                continue
            date = clause_date(ctx, floor, verb)
            if _history(ctx, date):
                continue
            name = _name(ctx, floor, verb, m.group(1))
            found.append(Mention(verb, m.end(), name, None, "pledge", sentence, rule="clause_pledge", date=date,
                                 generic=True))
    return found


def _outcome(ctx: Context, taken: list, sentence: int, floor: int, end: int) -> bool:
    """A commitment in a sentence that reports an event or refers to one (이번 협약을 통해 … 지원하기로 했다,
    정상회담에서 … 제공하기로 했다) is that event's outcome, not a pledge of its own."""
    return any(m.sentence == sentence for m in taken if isinstance(m, Mention)) or \
        bool(spec()["event_word"].search(ctx.text, floor, end))


def _business_actor(ctx: Context, floor: int, verb: int) -> bool:
    """The subject nearest before the verb is a company (미쓰이물산은 … 투자하기로 했다, 아시아나는 … 투입하기로
    했다): a business decision, not a policy pledge; an official or a public body keeps it."""
    text = ctx.text
    actors = [x for x in ctx.analysis.organizations + ctx.analysis.officials
              if floor <= x.start and x.end <= verb and SUBJECT.match(text, x.end)]
    if not actors:
        return False
    actor = max(actors, key=lambda x: x.start)
    return getattr(actor, "org_type", None) in data()["pledges"]["business_actor_types"]["types"]


def _unreal(text: str, end: int) -> bool:
    """합의할 가능성, 약속하지 않았다 …: the clause rules' speculation markers right after the verb."""
    from .clause import spec as clause_spec
    return bool(clause_spec()["unreal"].match(text, end))


def _name(ctx: Context, floor: int, verb: int, verb_noun: str) -> str:
    """'<actor> <object run> <verb>': the subject nearest before the verb and the object before the verb."""
    text = ctx.text
    a = ctx.analysis
    actors = [x for x in a.organizations + a.officials if floor <= x.start and x.end <= verb
              and SUBJECT.match(text, x.end)]
    actor = max(actors, key=lambda x: x.start) if actors else None
    actor_name = (getattr(actor, "canonical", None) or getattr(actor, "name", None)) if actor else None
    topics = list(re.finditer(r"(?:^|(?<=\s))([가-힣A-Za-z]{2,12})(?:은|는|이|가)\s", text[floor:verb]))
    if actor_name is None and topics:
        actor_name = topics[-1].group(1)              # the clause's topic (…했고, 행자부는 … 지원하기로 했다)
    objects = [o for o in spec()["object"].finditer(text, floor, verb) if verb - o.end() <= 24]
    obj = None
    if objects:
        end = objects[-1].start()
        amount = [n for n in a.numbers if n.end == end]     # 재난지원금 30억 원을: the noun before the amount
        end = len(text[:amount[0].start].rstrip()) if amount else end
        start = _noun_run_start(ctx, end, a.dates + a.numbers)
        obj = text[start:end] if start < end else None
    return " ".join(w for w in (actor_name, obj, verb_noun) if w)
