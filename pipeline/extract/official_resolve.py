"""Officials, last step: resolve surname-only and last-word mentions to full names, group spellings of one name,
share an organisation and country across a person's mentions, and give each person a ``person_id``
(the mentions come from :mod:`pipeline.extract.officials`)."""
from __future__ import annotations

from dataclasses import replace

from .mentions import OfficialMention
from pipeline import lexicon as gz
from .officials import _Cand, _person_id, _role, _similar

_ATTENDANT_TITLES = frozenset(gz.titles().get("attendant_titles", ()))


def resolve(cands: list[_Cand], text: str) -> list[OfficialMention]:
    longest: dict[tuple[int, int], _Cand] = {}
    for c in cands:                   # 김철수 법무부 장관 후보자: one mention, the longer title
        key = (c.name_start, c.name_end)
        if key not in longest or c.end > longest[key].end:
            longest[key] = c
    cands = [c for c in cands if longest[(c.name_start, c.name_end)] is c]
    full = [c for c in cands if not c.surname_only]
    out: list[_Cand] = []
    for c in cands:
        if c.surname_only:
            pool = [f for f in full if " " not in f.name and f.name.startswith(c.name) and len(f.name) >= 2
                    and (f.base == c.base or f.title.endswith(c.base) or c.title.endswith(f.base))]
            if not pool:
                continue
            before = [f for f in pool if f.start < c.start]
            ref = before[-1] if before else pool[0]
            out.append(replace(c, name=ref.name, rule="backref"))
            continue
        if " " not in c.name:
            # the last word of a foreign name: 도넬란 장관 -> 미셸 도넬란
            pool = [f for f in full if " " in f.name and (f.name.split()[-1] == c.name or (
                f.name.split()[0] == c.name and len(c.name) >= 2 and f.base == c.base))]   # 이시바 (시게루) 총리
            if pool:
                fitting = [f for f in pool if _compatible(f, c)]
                if not fitting and (c.base in _ATTENDANT_TITLES or c.title in _ATTENDANT_TITLES):
                    continue                     # 트럼프 선거본부장: Trump's campaign manager, not Trump
                before = [f for f in fitting or pool if f.start < c.start]
                ref = before[-1] if before else (fitting or pool)[0]
                out.append(replace(c, name=ref.name, rule="backref"))
                continue
        out.append(c)
    # one spelling per person: 미셸 더넬란 / 미셸 도넬란
    canon: dict[str, str] = {}
    for c in out:
        if c.name in canon:
            continue
        rep = next((r for r in canon.values() if _similar(r, c.name)
                    and any(x.name in (r, c.name) and (x.base == c.base or (x.org and c.org and x.org.canonical == c.org.canonical))
                            for x in out if x is not c)), None)
        canon[c.name] = rep or c.name
    # share the organisation across mentions of one name
    orgs_of: dict[str, dict] = {}
    for c in out:
        if c.org is not None:
            orgs_of.setdefault(canon[c.name], {})[c.org.canonical] = c.org
    result = []
    for c in out:
        key = canon[c.name]
        org = c.org
        if org is None and len(orgs_of.get(key, {})) == 1:
            org = next(iter(orgs_of[key].values()))
        country = c.country
        if country is None:
            countries = {x.country for x in out if canon[x.name] == key and x.country}
            if len(countries) == 1:
                country = countries.pop()
        country = country or gz.leader_countries().get(c.name)   # 시진핑 주석: the text need not say 중국
        result.append(OfficialMention(
            start=c.start, end=c.end, name_start=c.name_start, name_end=c.name_end, name=c.name,
            name_latin=c.name_latin, title=c.title, organization=org.canonical if org else None,
            country=country, role=_role(c.base, org), rule=c.rule, text=text[c.start:c.end],
            person_id=_person_id(key, org.canonical if org else None), former=c.former))
    result.sort(key=lambda m: (m.start, m.end))
    return result


def _compatible(f: _Cand, c: _Cand) -> bool:
    return f.base == c.base or f.title.endswith(c.base) or c.title.endswith(f.base)

