"""Organisation mentions: gazetteer names, unseen names by their heads, English names.

Three sources of candidates, then a longest-first non-overlapping selection:

1. ``gazetteer``: every alias in ``data/organizations.json`` found in the normalised view of
   the text (see :mod:`pipeline.gazetteer`), starting at a word start and ending where the
   word ends or only particles follow (메타 matches 메타는, never 메타버스). A glued gloss
   ``(KIST)`` is taken into the mention as its abbreviation.
2. ``head:<head>``: a word ending in an organisational head from
   ``data/entities_org_rules.json`` (개발국제협력부, 경기도시장상권진흥원, 스탠퍼드대), with a
   stem long and specific enough for that head (proper nouns for company and university
   heads, proper or public (국가, 한국 ...) stems for institutes), minus negatives (정부,
   대부분, 연령대, 사용처 ...). Standalone heads (기구, 위원회, 관계망 ...) take the bare nouns
   before them (국제 에너지 기구).
3. ``english:<head>``: capitalised English names ending in a head (International Energy
   Agency, University of Oxford).

An abbreviation given in parentheses is then looked up in the rest of the article
(``abbreviation``).
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from pipeline import lexicon as gz
from .mentions import OrganizationMention

_ACRONYM = re.compile(r"[A-Z][A-Za-z0-9&\-.]{1,11}")
_HANGUL_RUN = re.compile(r"[가-힣]+")
_PARTICLE_TAG = re.compile(r"^(J|E|VCP)")
_GLOSS = re.compile(r" ?\(([^()\n]{1,40})\)")
_PAREN_GROUP = re.compile(r"\([^()]*\)")
_NAME_CHARS = re.compile(r"[가-힣A-Za-z0-9·&]+")
_HAS_LETTER = re.compile(r"[가-힣A-Za-z]")
_HAS_LATIN = re.compile(r"[A-Za-z]")
_PART_TAGS = re.compile(r"^(NN|SL|SN|XPN|XSN|SSO|SSC|XR)")
_ADDRESS_UNIT = re.compile(r"[가-힣]{1,4}(구|군|동|읍|면)")
_NEXT_WORD = re.compile(r"\s+([가-힣]+)")
_COMPANY = re.compile(r"(?:\(주\)|㈜)\s*([가-힣A-Za-z0-9&]{2,20})|([가-힣A-Za-z0-9&]{2,20})\s*(?:\(주\)|㈜)")


@lru_cache(maxsize=1)
def _index() -> gz.PhraseIndex:
    idx = gz.PhraseIndex()
    for org in gz.organizations():
        skip = set(org.get("nomatch", []))
        for name in [org["canonical"], *org.get("aliases", [])]:
            if name not in skip:
                idx.add(name, org)
    return idx


@lru_cache(maxsize=1)
def _title_words() -> tuple[str, ...]:
    return tuple(sorted((t["title"] for t in gz.titles().get("titles", []) if " " not in t["title"]),
                        key=len, reverse=True))


@lru_cache(maxsize=1)
def _rules():
    r = gz.org_rules()
    heads = sorted(r.get("heads", []), key=lambda h: -len(h["head"]))
    return (heads, set(r.get("negative_words", [])), tuple(r.get("negative_suffixes", [])),
            tuple(r.get("public_prefixes", [])), set(r.get("generic_modifiers", [])))


@lru_cache(maxsize=1)
def _head_table() -> gz.SuffixTable:
    """Heads by ending; the longest head a word ends with is the one that decides."""
    return gz.SuffixTable((h["head"], h) for h in _rules()[0])


def _strip_parens(s: str) -> str:
    return _PAREN_GROUP.sub("", s) if "(" in s else s


def _names_of(org: dict) -> frozenset:
    """The normalised names (spaces removed) of a gazetteer entry."""
    if org is gz.org_entry(org["canonical"]):
        return _entry_names(org["canonical"])          # computed once per entry
    return frozenset(gz.norm_phrase(n).replace(" ", "") for n in [org["canonical"], *org.get("aliases", [])])


@lru_cache(maxsize=None)
def _entry_names(canonical: str) -> frozenset:
    org = gz.org_entry(canonical)
    return frozenset(gz.norm_phrase(n).replace(" ", "") for n in [canonical, *org.get("aliases", [])])


def _right_ok(text: str, tm: gz.TokenMap, s: int, e: int) -> bool:
    """The name ends the word, or only particles (or a title: 과기정통부장관) follow."""
    if e >= len(text):
        return True
    c = text[e]
    last = text[e - 1]
    if not c.isalnum():
        return True
    if (gz.is_latin(c) or c.isdigit()) and (gz.is_latin(last) or last.isdigit()):
        return False
    if gz.is_hangul(c):
        rest = _HANGUL_RUN.match(text, e).group(0)
        if gz.particle_tail_re().match(rest):
            return True
        tag = tm.tag_starting_at(e)
        if tag is None:
            return False
        if _PARTICLE_TAG.match(tag):
            return True
        return rest.startswith(_title_words()) and tag.startswith("NN")   # 과기정통부장관
    return True


def _extend_gloss(text: str, e: int, org: dict | None) -> tuple[int, str | None]:
    """Take a ``(KIST)`` right after the name into the mention; returns (new end, abbreviation).

    A glued gloss is taken when it is an acronym or another name of the same body; after a
    space only a name of the same body (Development (OECD)).
    """
    m = _GLOSS.match(text, e)
    if not m:
        return e, None
    content = m.group(1).strip()
    acronym = bool(_ACRONYM.fullmatch(content)) and sum(c.isupper() for c in content) >= 2
    known = False
    if org is not None:
        known = (gz.norm_phrase(content).replace(" ", "") in _names_of(org)
                 or content == org.get("abbreviation"))
    spaced = m.group(0).startswith(" ")
    if known or (acronym and not spaced):
        return m.end(), content if acronym else None
    return e, None


_PLATFORM_USE = re.compile(r"^\s*(에|에서|으로|로|을 통해|를 통해|계정|글|페이지|게시|라이브|에는|에도|을 통한|를 통한)")


def _skip_in_context(text, s, e, org, nt_text, nt_end) -> bool:
    """Gazetteer names that are something else here."""
    after = text[e:e + 12]
    # a social platform used as a medium: 페이스북에 올린 글
    if org.get("platform") and _PLATFORM_USE.match(after):
        return True
    # a city government in an address: 부산시 사하구
    if org["org_type"] == "government" and text[s:e] in gz.place_names():
        m = _NEXT_WORD.match(after)
        if m:
            nxt = m.group(1)
            if nxt in gz.place_names() or _ADDRESS_UNIT.fullmatch(nxt):
                return True
    # the name starts a title word: 국회의원, 국회의장
    m = _HANGUL_RUN.match(text, s)
    if m and len(m.group(0)) > e - s:
        word = m.group(0)
        if any(word.startswith(t) and len(t) > e - s for t in _title_words()):
            return True
    return False


def _gazetteer_candidates(di: gz.DocIndex):
    text, t = di.text, di.nt.text
    out = []
    for s, e, end, payloads in gz.first_hits(di, _index(), _right_ok):
        org = payloads[0]
        if _skip_in_context(text, s, e, org, t, end):
            continue
        e2, abbr = _extend_gloss(text, e, org)
        if abbr is None and text[s:e] == org.get("abbreviation"):
            abbr = text[s:e]
        out.append((s, e2, org["canonical"], abbr, org["org_type"], org.get("country"), "gazetteer"))
    return out


def _syllables(s: str) -> int:
    return sum(1 for c in s if gz.is_hangul(c) or gz.is_latin(c))


def _is_proper(stem: str, s: int, e: int, tm: gz.TokenMap, whole_tags: tuple) -> bool:
    if not stem:
        return False
    if _HAS_LATIN.search(stem):
        return True
    tags = tm.span_tags(s, e)
    if any(tag.startswith("NNP") or tag == "SL" for tag in tags):
        return True
    if len(whole_tags) == 1 and whole_tags[0] == "NNP":
        return True
    places = gz.place_names()
    countries = gz.country_names()
    aliases = gz.org_alias_map()
    for k in range(len(stem), 1, -1):
        if stem[:k] in places or stem[:k] in countries or stem[:k] in aliases:
            return True
    return False


_GLUED_PARTICLES = {"JX", "JKS", "JKO"}     # 은/는, 이/가, 을/를: a name never holds one inside


def _after_glued_particle(w: gz.Word) -> gz.Word:
    """A word with a missing space after a particle (카카오페이는주택도시보증공사): the part after it."""
    cut = max((i for i, tag in enumerate(w.tags[:-1]) if tag in _GLUED_PARTICLES and i > 0), default=None)
    if cut is None or "".join(w.pieces) != w.text:
        return w
    start = w.stem_start + sum(len(p) for p in w.pieces[:cut + 1])
    return replace(w, stem_start=start, text=w.text[start - w.stem_start:], tags=w.tags[cut + 1:],
                   pieces=w.pieces[cut + 1:])


def _head_candidate(w: gz.Word, text: str, tm: gz.TokenMap, words, wi):
    if not _head_table().may_end(_strip_parens(w.text)):
        return None                              # most words (a glued particle only cuts the word's start)
    w = _after_glued_particle(w)
    clean = _strip_parens(w.text)
    heads = _head_table().matches(clean)         # first: most words end in no head
    if not heads or not _NAME_CHARS.fullmatch(clean):
        return None
    if clean in gz.place_names() or clean in gz.country_names():
        return None
    return _head_rule(heads[0], clean, w, text, tm, words, wi)


def _head_rule(h: dict, clean: str, w: gz.Word, text: str, tm: gz.TokenMap, words, wi):
    """``clean`` (the word without paren groups) ends in the head ``h``: is it an organisation?"""
    _, neg_words, neg_suffixes, public, generic = _rules()
    head = h["head"]
    stem = clean[:-len(head)]
    if stem and (clean in neg_words or clean.endswith(neg_suffixes)):
        return None
    head_pos = w.stem_end - len(head)
    prev_country = None
    if wi > 0 and words[wi - 1].bare and not w.lead and stem:
        prev_country = gz.country_names().get(words[wi - 1].text)
    if (head in gz.org_rules().get("single_char_heads_need_own_token", []) and stem
            and not (prev_country and h["org_type"] == "government")):
        # 개발국제협력+부 (부 its own token) is a ministry; 위안부, 무승부, 연령대 are words
        tag = tm.tag_starting_at(head_pos)
        whole_nnp = len(w.tags) == 1 and w.tags[0].startswith("NNP")
        if not whole_nnp and (tag is None or not tag.startswith("NN")):
            return None
        if whole_nnp and len(clean) == 3 and clean[0] in gz.titles().get("surnames", []):
            return None          # a person's name: 송종국
    start = w.stem_start
    country = None
    if not stem:
        if not h.get("standalone"):
            return None
        # bare nouns before a standalone head: 국제 에너지 기구
        k = wi - 1
        parts = []
        while k >= 0 and wi - k <= 4:
            p = words[k]
            if not p.bare or words[k + 1].lead:
                break
            ptxt = _strip_parens(p.text)
            if (not ptxt or ptxt in generic or ptxt in gz.country_names()
                    or not all(_PART_TAGS.match(tg) for tg in p.tags)):
                break
            parts.insert(0, ptxt)
            start = p.stem_start
            k -= 1
            if p.lead:
                break
        if not parts:
            return None
        stem = "".join(parts)
        if stem + head in neg_words:
            return None
        if k >= 0 and words[k].bare and words[k].text in gz.country_names():
            country = gz.country_names()[words[k].text]
    min_stem = h.get("min_stem", 2)
    if prev_country and h["org_type"] == "government":
        min_stem = 2                      # 인도 상공부, 멕시코 경제부
    if _syllables(stem) < min_stem or not _HAS_LETTER.search(stem):
        return None
    if stem in generic:
        return None
    cls = h.get("stem", "any")
    if cls in ("public", "proper"):
        # a name glossed by its acronym, 주택도시보증공사(HUG), is a proper name whatever Kiwi read
        ok = _is_proper(stem, start, head_pos, tm, w.tags) or bool(w.paren and _ACRONYM.fullmatch(w.paren[2]))
        if not ok and cls == "public":
            ok = stem.startswith(public)
        if not ok:
            return None
    elif len(w.tags) == 1 and w.tags[0] == "NNG" and h["org_type"] not in ("government",) and not (stem and start < w.stem_start):
        return None          # one dictionary common noun: 국제기구, 데이터센터
    country = country or prev_country
    if country is None:
        for name, canon in gz.country_names().items():
            if len(name) > 1 and stem.startswith(name):
                country = canon
                break
    end = w.stem_end
    e2, abbr = _extend_gloss(text, end, None)
    canonical = re.sub(r"\s+", " ", re.sub(r"\([^()]*\)", "", text[start:end])).strip()
    rule = f"head:{head}" if start == w.stem_start else f"head:{head}+"
    return (start, e2, canonical, abbr, h["org_type"], country, rule)


def _country_body(w: gz.Word, words, wi):
    """한국 정부, 미국 정부, 한국 대표팀: a country's government or national team."""
    bodies = gz.org_rules().get("country_bodies", [])
    if w.text not in bodies or wi == 0:
        return None
    p = words[wi - 1]
    if not p.bare or w.lead:
        return None
    country = gz.country_names().get(p.text) or gz.countries().get("prefix_only", {}).get(p.text)
    if not country:
        return None
    typ = "government" if w.text == "정부" else "other"
    return (p.stem_start, w.stem_end, f"{country} {w.text}", None, typ, country, f"country:{w.text}")


def _generic_body(w: gz.Word):
    """경찰은, 검찰이, 정부는, 방역당국은: an institution named by its common noun alone."""
    typ = gz.org_rules().get("generic_bodies", {}).get(w.text)
    if typ is None or w.lead or not all(tag.startswith("NN") for tag in w.tags):
        return None
    return (w.stem_start, w.stem_end, w.text, None, typ, None, "generic")


def _company_marker(w: gz.Word, text: str):
    end = w.paren[1] if w.paren else w.stem_end
    core = text[w.core_start:end]
    m = _COMPANY.fullmatch(core) if "주)" in core or "㈜" in core else None
    if not m:
        return None
    name = m.group(1) or m.group(2)
    return (w.core_start, end, name, None, "company", None, "marker:(주)")


_EN_HEAD_RE = None


def _english_candidates(text: str):
    global _EN_HEAD_RE
    heads = gz.org_rules().get("english_heads", {})
    if not heads:
        return []
    if _EN_HEAD_RE is None:
        head = "|".join(map(re.escape, sorted(heads, key=len, reverse=True)))
        cap = r"[A-Z][A-Za-z&'\-]*"
        conn = r"(?:of|for|and|the|on|&)"
        _EN_HEAD_RE = re.compile(
            rf"(?<![A-Za-z])((?:{cap}\s+(?:{conn}\s+)*){{1,6}}(?:{head})(?![A-Za-z])"
            rf"|(?:{head})\s+(?:of|for|on)\s+(?:the\s+)?{cap}(?:\s+{cap}){{0,3}})")
    out = []
    for m in _EN_HEAD_RE.finditer(text):
        s, e = m.span(1)
        phrase = m.group(1)
        if phrase.startswith("The "):
            s += 4
            phrase = phrase[4:]
        words = phrase.split()
        if len(words) < 2:
            continue
        head = next((w for w in reversed(words) if w in heads), None) or next(w for w in words if w in heads)
        out.append((s, e, phrase, None, heads[head], None, f"english:{head}"))
    return out


def _select(cands):
    chosen = []
    prio = {"gazetteer": 0}
    gaz = [c for c in cands if c[6] == "gazetteer"]
    # an English phrase never swallows gazetteer names (council of Europe and European Union)
    cands = [c for c in cands if not c[6].startswith("english:")
             or all(c[1] <= d[0] or c[0] >= d[1] for d in gaz)]
    # bare nouns before a standalone head don't start with a known name (WTO 분쟁 해결 기구)
    starts = {d[0] for d in gaz}
    cands = [c for c in cands if not (c[6].endswith("+") and c[0] in starts)]
    for c in sorted(cands, key=lambda c: (-(c[1] - c[0]), prio.get(c[6], 1), c[0])):
        if all(c[1] <= d[0] or c[0] >= d[1] for d in chosen):
            chosen.append(c)
    return sorted(chosen)


def _abbreviation_mentions(text, chosen):
    """An abbreviation introduced in parentheses names the body again later in the article."""
    out = []
    for c in chosen:
        abbr = c[3]
        if not abbr or len(abbr) < 2:
            continue
        for m in re.finditer(re.escape(abbr), text):
            s, e = m.span()
            if (s > 0 and text[s - 1].isalnum()) or (e < len(text) and (gz.is_latin(text[e]) or text[e].isdigit())):
                continue
            out.append((s, e, c[2], abbr, c[4], c[5], "abbreviation"))
    return out


def extract_organizations(doc) -> list[OrganizationMention]:
    di = gz.doc_index(doc)
    text = di.text
    if not text.strip():
        return []
    tm, words = di.tm, di.words
    cands = _gazetteer_candidates(di)
    for wi, w in enumerate(words):
        if w.stem_end <= w.stem_start:
            continue
        c = (_company_marker(w, text) or _country_body(w, words, wi) or _generic_body(w)
             or _head_candidate(w, text, tm, words, wi))
        if c:
            cands.append(c)
    cands += _english_candidates(text)
    chosen = _select(cands)
    extra = [c for c in _abbreviation_mentions(text, chosen)
             if all(c[1] <= d[0] or c[0] >= d[1] for d in chosen)]
    chosen = _select(chosen + extra)
    return [OrganizationMention(start=s, end=e, text=text[s:e], canonical=can, abbreviation=abbr,
                                org_type=typ, country=country, rule=rule)
            for s, e, can, abbr, typ, country, rule in chosen]
