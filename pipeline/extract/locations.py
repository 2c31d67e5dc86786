"""Location mentions: countries, cities, districts and venues.

- ``gazetteer``: names from ``data/countries.json`` and ``data/locations.json`` found at word
  starts, ending where the word ends or only particles follow (서울에서, 파리의; never the 서울
  of 서울대). Names that are also common words (인도 'sidewalk', 파리 'fly') count only where
  Kiwi reads them as proper nouns.
- ``suffix``: an unlisted proper noun ending in 군/구 (a Kiwi NNP that is not a person's
  name), or one ending in 동/읍/면/리 right after a city or district. (Not 시: foreign names
  end in it too.)
- ``venue``: the place before ``에서 열린/개최된/…`` (``venue_verbs``) when it is an
  organisation (한국과학기술연구원(KIST)에서 열린), a name ending in a venue head (호텔,
  센터, 공원 …) or a proper noun that is not an event (정상회의, 포럼 …); a Latin gloss after a
  city names the venue (샌프란시스코(Goldengate Club)에서 열리는).
- ``chain``: places written one after another from the general to the specific merge into one
  mention with ``parts`` (서울 성북구 → district, parts ('서울', '성북구')).
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipeline import lexicon as gz
from .mentions import LocationMention
from .organizations import extract_organizations

_RANK = {"country": 0, "city": 1, "district": 2, "venue": 3}
_HANGUL_RUN = re.compile(r"[가-힣]+")
_PARTICLE_TAG = re.compile(r"^(J|E|VCP)")
_PLACE_WORD = re.compile(r"[가-힣]{3,8}")


@lru_cache(maxsize=1)
def _index() -> gz.PhraseIndex:
    idx = gz.PhraseIndex()
    for c in gz.countries().get("countries", []):
        for name in [c["canonical"], *c.get("aliases", [])]:
            idx.add(name, ("country", c["canonical"]))
    for name, (canon, kind) in gz.place_names().items():
        idx.add(name, (kind, canon))
    return idx


@lru_cache(maxsize=1)
def _data():
    d = gz.locations()
    return (set(d.get("need_proper", [])), tuple(d.get("venue_heads", [])), set(d.get("venue_verbs", [])),
            tuple(d.get("event_words", [])))


def _right_ok(text: str, tm: gz.TokenMap, s: int, e: int) -> bool:
    if e >= len(text) or not text[e].isalnum():
        return True
    if e - s == 1 and not gz.is_hangul(text[s]):          # 美, 英 glued to the next word
        return True
    if not gz.is_hangul(text[e]):
        return gz.is_hangul(text[e - 1])
    if gz.particle_tail_re().match(_HANGUL_RUN.match(text, e).group(0)):
        return True
    tag = tm.tag_starting_at(e)
    return tag is not None and bool(_PARTICLE_TAG.match(tag))


def _gazetteer(di: gz.DocIndex):
    need_proper = _data()[0]
    text, tm = di.text, di.tm
    out = []
    for s, e, _, payloads in gz.first_hits(di, _index(), _right_ok):
        kind, canon = payloads[0]
        if (canon in need_proper or text[s:e] in need_proper) and not (tm.tag_starting_at(s) or "").startswith("NNP"):
            continue                   # an ambiguous place name counts only where Kiwi reads a proper noun
        out.append([s, e, kind, "gazetteer", (text[s:e],)])
    return out


def _suffix_places(words, found, text, orgs=()):
    out = []
    surnames = set(gz.titles().get("surnames", []))
    # a place found, or an organisation (세계보건기구 ends in 구 but is no district)
    covered = gz.Intervals([(f[0], f[1]) for f in found] + [(o.start, o.end) for o in orgs])
    # ends of the cities and districts found so far (a place right before a 동/읍/면/리)
    place_ends = {f[1] for f in found if f[2] in ("city", "district")}
    for k, w in enumerate(words):
        t = w.text
        if not _PLACE_WORD.fullmatch(t) or covered.overlaps(w.stem_start, w.stem_end):
            continue
        if t[-1] in "군구" and len(w.tags) == 1 and w.tags[0] == "NNP" and not (len(t) == 3 and t[0] in surnames):
            # (not 시: foreign names end in it too: 무르시, 후나코시)
            out.append([w.stem_start, w.stem_end, "city" if t[-1] == "군" else "district", "suffix", (t,)])
            place_ends.add(w.stem_end)
        elif (t[-1] in "동읍면리구" and k > 0 and words[k - 1].bare and words[k - 1].stem_end in place_ends
              and all(tag.startswith("NN") for tag in w.tags)):
            out.append([w.stem_start, w.stem_end, "district", "suffix", (t,)])
            place_ends.add(w.stem_end)
    return out


def _venues(text, words, orgs, found):
    _, heads, verbs, events = _data()
    out = []
    for k, w in enumerate(words[:-1]):
        if w.tail not in ("에서",) or w.trail or words[k + 1].text not in verbs and \
                text[words[k + 1].stem_start:words[k + 1].end].rstrip(".,") not in verbs:
            continue
        end = w.paren[1] if w.paren else w.stem_end
        org = next((o for o in orgs if o.end == end or o.end == w.stem_end), None)
        if org is not None:
            out.append([org.start, org.end, "venue", "venue:org", (org.text,)])
            continue
        place = next((f for f in found if f[1] == w.stem_end), None)
        if place is not None:
            if w.paren and re.search(r"[A-Za-z]", w.paren[2]):
                ps, pe, content = w.paren
                out.append([ps + 1, pe - 1, "venue", "venue:gloss", (content,)])
            continue
        stem = w.text
        if not stem or stem.endswith(events) or not re.search(r"[가-힣A-Za-z]", stem):
            continue
        proper = any(tag.startswith("NNP") or tag == "SL" for tag in w.tags)
        if re.search(r"\d", stem) or stem in heads or not (stem.endswith(heads) or proper):
            continue                                   # 18번홀(파5)에서, 센터에서
        start = w.stem_start
        j = k - 1
        while j >= 0 and words[j].bare and not words[j + 1].lead and any(
                tag.startswith("NNP") for tag in words[j].tags) and not any(f[1] == words[j].stem_end for f in found):
            start = words[j].stem_start
            j -= 1
        out.append([start, end, "venue", "venue:rule", (text[start:end],)])
    return out


def _chain(found, text):
    found.sort()
    merged = []
    for f in found:
        if merged:
            m = merged[-1]
            gap = text[m[1]:f[0]]
            if (gap.strip() == "" and 0 < len(gap) <= 2 and _RANK[f[2]] > _RANK[m[2]]
                    and not (m[2] == "country" and f[2] == "country")):
                merged[-1] = [m[0], f[1], f[2], "chain", m[4] + f[4]]
                continue
        merged.append(list(f))
    return merged


def extract_locations(doc, organizations: list | None = None) -> list[LocationMention]:
    """Places in ``doc``; pass the article's organisations if already extracted (venues use them)."""
    di = gz.doc_index(doc)
    text = di.text
    if not text.strip():
        return []
    words = di.words
    orgs = extract_organizations(doc) if organizations is None else organizations
    found = _gazetteer(di)
    found += _suffix_places(words, found, text, orgs)
    venues = _venues(text, words, orgs, found)
    # a venue wins over a place inside it; otherwise longest first, no overlaps
    chosen = []
    for f in sorted(venues + found, key=lambda f: (f[2] != "venue", -(f[1] - f[0]), f[0])):
        if all(f[1] <= c[0] or f[0] >= c[1] for c in chosen):
            chosen.append(f)
    chosen = _chain(chosen, text)
    return [LocationMention(start=s, end=e, text=text[s:e], kind=kind, rule=rule, parts=tuple(parts))
            for s, e, kind, rule, parts in chosen]
