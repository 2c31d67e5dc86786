"""Talks with several partners named in one clause: one meeting per partner (labels and analysts read
``비건 특별대표는 강경화 외교부 장관, 이도훈 본부장과 면담을 가졌다`` as two talks, 비건-강경화 and 비건-이도훈).

Used by :mod:`pipeline.events.clause` for talks nouns (면담, 회담, 회동 …) and ``<official>과 <official>을 만났다``;
the parties of drafts named after them decide in :mod:`pipeline.events.link` whether two talks are one.
"""
from __future__ import annotations

import re

from .find import Context, Mention

_CHAIN = re.compile(r"(?:\s?,\s?|\s?(?:와|과)\s|\s및\s)")
_SUBJECT = re.compile(r"(?:이|가|은|는)(?=\s)")


def chain_before(ctx: Context, last, floor: int) -> list:
    """Officials listed before ``last`` (``A, B와 C``), nearest last, each joined to the next by a comma, 와/과 or 및."""
    officials = sorted((o for o in ctx.analysis.officials if floor <= o.start and o.end <= last.start),
                       key=lambda o: o.start)
    chain, cur = [], last
    for o in reversed(officials):
        if not _CHAIN.fullmatch(ctx.text[o.end:cur.start]):
            break
        chain.insert(0, o)
        cur = o
    return chain


def subject_before(ctx: Context, first, floor: int):
    """The official standing as the clause's subject before ``first`` (비건 특별대표는 …)."""
    subjects = [o for o in ctx.analysis.officials if floor <= o.start and o.end <= first.start
                and _SUBJECT.match(ctx.text, o.end)]
    return subjects[-1] if subjects else None


def per_partner(ctx: Context, mention: Mention, floor: int, last, noun: str) -> list[Mention]:
    """Extra meetings for the partners listed before ``last`` (the partner ``mention`` is named after)."""
    chain = chain_before(ctx, last, floor)
    if not chain:
        return []
    subject = subject_before(ctx, chain[0], floor)
    return [Mention(o.start, mention.end, f"{subject.name}-{o.name} {noun}" if subject else f"{o.name} {noun}",
                    None, mention.type, mention.sentence, rule=mention.rule, location=mention.location,
                    date=mention.date, generic=True)
            for o in chain if subject is None or o.name != subject.name]


def _parties(d) -> set[str]:
    """Last words of the parties in names built from them (문재인-칼리드 알팔레 회동 → 문재인, 알팔레)."""
    out = set()
    for m in d.mentions:
        if m.generic and " " in m.name:
            out |= {p.split()[-1] for p in m.name.rsplit(" ", 1)[0].split("-") if p.strip()}
    return out


def by_people(d) -> bool:
    """Named after the people who met (박진-가미카와 요코 전화통화), not after the countries (한일 외교장관 …)."""
    from .clause import spec as clause_spec
    countries = set(clause_spec()["country_syllables"])
    return any("-" in n and not set(n.split("-")[0]) <= countries for n in d.names)


def shared_parties(a, b) -> bool:
    """Built from parties that overlap, unless both name two or more and differ (비건-강경화 / 비건-이도훈 면담)."""
    return bool(_parties(a) & _parties(b)) and not other_people(a, b)


def other_people(a, b) -> bool:
    """Built from two or more parties each and they differ, or from people with none in common
    (29일 강경화 장관과 면담을 가진 데 이어 이날 조명균 장관과 면담: two talks; not 한일 beside 시진핑)."""
    pa, pb = _parties(a), _parties(b)
    if len(pa) >= 2 and len(pb) >= 2 and pa != pb:
        return True
    return bool(pa and pb and not pa & pb and not any(_country_party(p) for p in pa | pb))


def _country_party(party: str) -> bool:
    from .clause import spec as clause_spec
    return set(re.sub(r"[·ㆍ\-]", "", party)) <= set(clause_spec()["country_syllables"])
