"""Less common forms of officials, beside the main leftward parse of :mod:`pipeline.extract.officials`:

- title-first appositions: ``창업자 마크 레이버트는``, ``(부장판사 이관형·최병률·유석동)는``, ``보좌관인 필립 레인스를``;
- broadcast slash captions: ``구병삼/통일부 대변인``, ``이은희 / 인하대 소비자학 교수``;
- a Korean name before bodies the gazetteer lacks: ``김승평 조선대 원자력공학과 교수``, ``신우현 경북 성동시장
  상인회장`` (at most two body words and a place between name and title);
- names glossed in Latin letters: ``또 럼(To Lam) 서기장``: the gloss's words count the Hangul name's words,
  whatever Kiwi reads them as (또 is an adverb, 럼 a noun);
- the last word of a foreign full name found in the article, before a title, though Kiwi reads it as a common
  noun (비건 특별대표 after 스티븐 비건 …, 비건 = vegan): resolved to the full name;
- a body's head in brackets after its name, as press releases write it: ``예스퓨처(대표 이현재)가``,
  ``한국보훈복지의료공단(이사장 윤종진)은``: the word before the bracket is the organisation.
"""
from __future__ import annotations

import re
from dataclasses import replace

from pipeline import lexicon as gz
from .mentions import OrganizationMention
from .official_words import (_body_endings, _could_be_name, _country_of_org, _korean_shape, _long_heads,
                             _long_titles, _name_word, _noun_and_particle, _titles, _weak_name)
from .officials import _Cand, _Title, _shared_names


def title_first(t: _Title, words, wi: int, orgs) -> list[_Cand] | _Cand | None:
    """Title-first appositions: '창업자 마크 레이버트는', '(부장판사 이관형·최병률·유석동)는': the name right
    after a bare title, ending at a particle or punctuation (a Korean name of three syllables Kiwi reads
    as a proper noun, a foreign name of two words, or Korean names joined by a middle dot)."""
    if not (words[wi].bare or words[wi].tail == "인") or wi + 1 >= len(words) or words[wi + 1].lead:
        return None
    first = words[wi + 1]
    if first.text.endswith(")") and "(" not in first.text:       # '(부장판사 이관형·최병률)는': the bracket closes here
        first = replace(first, text=first.text[:-1], stem_end=first.stem_end - 1, trail=")")
    def ends(w, k: int) -> bool:         # a particle or punctuation, or the next item of a list (▲주 니카라과 대사 최영삼 ▲…)
        return bool(w.tail or w.trail) or k + 1 == len(words) or bool(words[k + 1].lead)

    if ends(first, wi + 1):
        shared = _shared_names(first, t.title, t, None, None, False)
        if shared:
            return shared
        listed = wi + 2 < len(words) and bool(words[wi + 2].lead) and not (first.tail or first.trail)
        if len(first.text) == 3 and _korean_shape(first.text) and (first.tags[0].startswith("NNP") or listed) \
                and _name_word(first, orgs, last=True):       # listed: ▲주 케냐 대사 박정민 ▲… (Kiwi: 박정 + 민)
            return _Cand(t.start, first.stem_end, first.stem_start, first.stem_end, first.text, None, t.title,
                         t.base, None, None, "title_first")
        return None
    if wi + 2 >= len(words) or words[wi + 2].lead or not ends(words[wi + 2], wi + 2):
        return None
    second = words[wi + 2]
    if (_korean_shape(first.text) and len(first.text) == 3) or not (_name_word(first, orgs, last=False)
                                                                     or _weak_name(first, orgs)):
        return None
    if not _name_word(second, orgs, last=True) or not any(x.tags[0].startswith("NNP") for x in (first, second)):
        return None
    return _Cand(t.start, second.stem_end, first.stem_start, second.stem_end, f"{first.text} {second.text}", None,
                 t.title, t.base, None, None, "title_first")


_SLASH = re.compile(r"([가-힣]{2,4})\s?/\s?([^/\n.,<>\"“”‘’']{0,30})$")     # no quote or caption end inside


def slash_caption(t: _Title, text: str, orgs) -> _Cand | None:
    """Broadcast captions: '구병삼/통일부 대변인', '이은희 / 인하대 소비자학 교수'."""
    start = max(0, t.start - 40)
    m = _SLASH.search(text, start, t.start)
    if m is None or not _korean_shape(m.group(1)) or (m.start() > 0 and re.match(r"[가-힣]", text[m.start() - 1])):
        return None
    org = next((o for o in orgs if m.start(2) <= o.start and o.end <= t.start), None)
    country = _country_of_org(org) if org else None
    return _Cand(m.start(1), t.end, m.start(1), m.end(1), m.group(1), None, t.title, t.base, org, country, "slash_caption")


def glossed_start(words, k: int, name_latin: str | None) -> int | None:
    """Index of the first word of a name whose last word ``words[k]`` carries a Latin gloss of as many
    words (또 럼(To Lam)), when those words are bare Hangul words of one to four syllables; else None."""
    n = len(name_latin.split()) if name_latin else 0
    if n < 2 or k - n + 1 < 0:
        return None
    run = words[k - n + 1:k]
    if all(w.bare and not w.lead and re.fullmatch(r"[가-힣]{1,4}", w.text) for w in run) and not words[k].lead:
        return k - n + 1
    return None


def name_before_bodies(t: _Title, words, wi: int, orgs) -> _Cand | None:
    """'김승평 조선대 원자력공학과 교수': a Korean full name (three syllables, a surname Kiwi reads as a proper
    noun) before at most two body words (ending in an organisation head, a body ending, 대/과/단, or a
    title: 성동시장) and a place, all bare, then the title."""
    k, bodies = t.first_word - 1, 0
    while k >= 0 and words[k].bare and not words[k + 1].lead:
        text = words[k].text
        if text in gz.place_names() or gz.country_names().get(text):
            k -= 1
            continue
        body = len(text) >= 3 and re.fullmatch(r"[가-힣A-Za-z0-9]+", text) and (
            text.endswith(_long_heads() + _body_endings() + _long_titles()) or text[-1] in "대과단")
        if not body or bodies == 2:
            break
        bodies, k = bodies + 1, k - 1
    if bodies == 0 or k < 0 or not words[k].bare or (k + 1 < len(words) and words[k + 1].lead):
        return None
    w = words[k]
    if not (len(w.text) == 3 and _korean_shape(w.text) and w.tags[0].startswith("NNP") and len(w.pieces[0]) <= 3
            and _name_word(w, orgs, last=True)):
        return None
    if k > 0 and words[k - 1].bare and not w.lead and _name_word(words[k - 1], orgs, last=False):
        return None                                # part of a longer name: not this form
    return _Cand(w.stem_start, t.end, w.stem_start, w.stem_end, w.text, None, t.title, t.base, None, None,
                 "name_before_bodies")


_BRACKET_HEAD = re.compile(r"\s?([가-힣]{2,4})\)")
_BODY_WORD = re.compile(r"([가-힣A-Za-z0-9&·]{2,20})$")


def bracket_head(t: _Title, text: str, orgs) -> _Cand | None:
    """'예스퓨처(대표 이현재)가': ORG(TITLE NAME) — the title opens a bracket right after a body's name, a Korean
    full name closes it; the body is the organisation (the gazetteer's, else the word itself)."""
    if t.start < 2 or text[t.start - 1] != "(" or t.org is not None:
        return None
    m = _BRACKET_HEAD.match(text, t.end)
    body = _BODY_WORD.search(text, max(0, t.start - 21), t.start - 1)
    if m is None or body is None or not _bracket_name(m.group(1)):
        return None
    org = next((o for o in orgs if o.end == t.start - 1), None) or OrganizationMention(
        body.start(), body.end(), body.group(1), body.group(1), None, "company", None, "body")
    return _Cand(org.start, m.end(1), m.start(1), m.end(1), m.group(1), None, t.title, t.base, org,
                 _country_of_org(org) if org.rule != "body" else None, "bracket_head")


def _bracket_name(t: str) -> bool:
    """A Korean full name (김철수; a two-syllable one only when Kiwi could read it as a name: 조현, not 선수)."""
    if not _korean_shape(t) or t in _titles()[5] or _noun_and_particle(t):
        return False
    return len(t) >= 3 or _could_be_name(t)


def last_word_mentions(unparsed: list[_Title], words, cands: list[_Cand]) -> list[_Cand]:
    """Titles no form parsed whose word before is the last word of a foreign full name of the article (the
    resolver then gives them that name)."""
    last = {c.name.split()[-1] for c in cands if " " in c.name and not c.surname_only}
    out = []
    for t in unparsed:
        k = t.first_word - 1
        if k < 0 or words[k].trail or words[k + 1].lead:
            continue
        w = words[k]
        surface = w.text + (w.tail or "")          # Kiwi may split it: 비 + 건
        if surface not in last:
            continue
        end = w.stem_start + len(surface)
        out.append(_Cand(w.stem_start, t.end, w.stem_start, end, surface, None, t.title, t.base, t.org, None, "title"))
    return out

