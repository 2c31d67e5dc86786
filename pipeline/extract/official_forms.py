"""Less common forms of officials, beside the main leftward parse of :mod:`pipeline.extract.officials`:

- title-first appositions: ``창업자 마크 레이버트는``, ``(부장판사 이관형·최병률·유석동)는``;
- broadcast slash captions: ``구병삼/통일부 대변인``, ``이은희 / 인하대 소비자학 교수``.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .officials import _Cand, _Title, _country_of_org, _korean_shape, _name_word, _shared_names, _weak_name


def title_first(t: _Title, words, wi: int, orgs) -> list[_Cand] | _Cand | None:
    """Title-first appositions: '창업자 마크 레이버트는', '(부장판사 이관형·최병률·유석동)는': the name right
    after a bare title, ending at a particle or punctuation (a Korean name of three syllables Kiwi reads
    as a proper noun, a foreign name of two words, or Korean names joined by a middle dot)."""
    if not words[wi].bare or wi + 1 >= len(words) or words[wi + 1].lead:
        return None
    first = words[wi + 1]
    if first.text.endswith(")") and "(" not in first.text:       # '(부장판사 이관형·최병률)는': the bracket closes here
        first = replace(first, text=first.text[:-1], stem_end=first.stem_end - 1, trail=")")
    ends = lambda w: bool(w.tail or w.trail)
    if ends(first):
        shared = _shared_names(first, t.title, t, None, None, False)
        if shared:
            return shared
        if len(first.text) == 3 and _korean_shape(first.text) and first.tags[0].startswith("NNP") \
                and _name_word(first, orgs, last=True):
            return _Cand(t.start, first.stem_end, first.stem_start, first.stem_end, first.text, None, t.title,
                         t.base, None, None, "title_first")
        return None
    if wi + 2 >= len(words) or words[wi + 2].lead or not ends(words[wi + 2]):
        return None
    second = words[wi + 2]
    if (_korean_shape(first.text) and len(first.text) == 3) or not (_name_word(first, orgs, last=False)
                                                                     or _weak_name(first, orgs)):
        return None
    if not _name_word(second, orgs, last=True) or not any(x.tags[0].startswith("NNP") for x in (first, second)):
        return None
    return _Cand(t.start, second.stem_end, first.stem_start, second.stem_end, f"{first.text} {second.text}", None,
                 t.title, t.base, None, None, "title_first")


_SLASH = re.compile(r"([가-힣]{2,4})\s?/\s?([^/\n.,]{0,30})$")


def slash_caption(t: _Title, text: str, orgs) -> _Cand | None:
    """Broadcast captions: '구병삼/통일부 대변인', '이은희 / 인하대 소비자학 교수'."""
    start = max(0, t.start - 40)
    m = _SLASH.search(text, start, t.start)
    if m is None or not _korean_shape(m.group(1)) or (m.start() > 0 and re.match(r"[가-힣]", text[m.start() - 1])):
        return None
    org = next((o for o in orgs if m.start(2) <= o.start and o.end <= t.start), None)
    country = _country_of_org(org) if org else None
    return _Cand(m.start(1), t.end, m.start(1), m.end(1), m.group(1), None, t.title, t.base, org, country, "slash_caption")
