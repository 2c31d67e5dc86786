"""Officials: titled people (이종호 과학기술정보통신부 장관, 리사 수 AMD 최고경영자).

Every word ending in a title from ``data/titles.json`` (longest first: 선임 국무장관 >
국무장관 > 장관; compounds such as 정보통신정책실장 or AI신뢰성정책팀장 where the title
allows a glued prefix) anchors a leftward parse over the words before it::

    [COUNTRY(의)] [ORG] NAME[(Latin)] [COUNTRY] [ORG] [qualifier…] [modifier] TITLE

which covers 이종호 과학기술정보통신부 장관, 미셸 도넬란 영국 과학혁신기술부 장관,
과기정통부 송상훈 정보통신정책실장, 영국 과학혁신기술부 미셸 더넬란 장관, 프랑스의
엠마뉘엘 마크롱 대통령, J. D. 밴스 미국 부통령, 미국 린 파커(Lynne Parker) 백악관
과학기술정책실(OSTP) 수석부실장, 마이크로소프트 인공지능 최고책임자 and 윤석열 대통령.
Organisations come from :func:`pipeline.organizations.extract_organizations`.

Names: the word right before the (country/organisation/)title must look like a name: Hangul
only, not a stop word, country, place, organisation or title, and not one dictionary common
noun (Kiwi NNG: 민주주의, 안보); a Korean name is 2–4 syllables from a surname, anything else is
read as a foreign name and extended leftwards over further name-like words and initials
(크리술라 자카로풀루, 앤드루 응, J. D. 밴스). A word with a particle, a punctuation mark, a
verb form (석학인) or a common noun ends the name. Without a name there is no official
(인도 총리는, 싱가포르 디지털개발정보부 장관 등). Bylines (기자, 특파원, 앵커, 논설위원) are
not titles.

Back-references: a surname alone (이 장관) or the last word of a foreign name (도넬란 장관)
is resolved to a full name with that surname/last word and a compatible title elsewhere in
the article (nearest before, else after); unresolved ones are dropped. Mentions of one name
share the organisation found on any of them, and ``person_id`` hashes (name, organisation).

Known limits:
- Two spellings of one foreign name (미셸 더넬란 / 미셸 도넬란) are grouped (one person_id)
  only when all words but the last are equal and the last words have the same length and
  differ in one syllable, with a compatible title or organisation; other transliteration
  variants (앤트로픽/앤스로픽-style changes of length) are not grouped.
- 겸 chains (부총리 겸 기획재정부 장관) are not parsed; a Korean name that Kiwi reads as one common
  noun (조국) is missed.

Boundaries: no adverb (그만큼, 다만), time word or stop word (저녁, 기간) inside a name; a body after a
Korean full name (조원진 우리공화당, 공성배 용인대) or between name and title (백상엽 카카오엔터프라이즈
대표) is not part of it but the official's organisation, and so is a word next to a Korean full name that the article
wrote alone with a particle before (니즈퍼샌드는 … 김남진 니즈퍼샌드 대표; 엘앤에프가 … 엘앤에프 허제홍 대표: a foreign
surname is written alone only after its full name); a one-word "name" of seven syllables or more is a body
(우사이먼성일 is six); a word Kiwi reads as a noun and a particle (소속과) is no name.
Names joined by a middle dot share one title (유명환ㆍ김성환 전 외교부 장관); 전/前 before the title (or
before its organisation or country) sets ``former``. Title-first appositions, slash captions and bracketed heads (예스퓨처(대표 이현재)): :mod:`.official_forms`.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from pipeline import lexicon as gz
from .mentions import OfficialMention, OrganizationMention
from .official_words import (_titles, _could_be_name, _unknown_word, _place_prefix, _korean_shape, _name_word,
                             _title_role, _weak_name, _is_country, _country_of_org, _title_qualifiers,
                             _same_line, _used_before, _unknown_body, _adverb_like, _after_determiner,
                             _body_after_name, _long_titles, _body_endings, _HANGUL_NAME)

_INITIAL = re.compile(r"[A-Z]\.?")
_INITIAL_WORD = re.compile(r"[A-Z]\.")
_TITLE_CHARS = re.compile(r"[가-힣A-Za-z0-9·]+")
_QUALIFIER = re.compile(r"[가-힣A-Za-z·]+")
_HAS_LATIN = re.compile(r"[A-Za-z]")
_HAS_HANGUL = re.compile(r"[가-힣]")


@lru_cache(maxsize=1)
def _title_table() -> gz.SuffixTable:
    """Single-word titles by ending (longest first: 국무장관 before 장관)."""
    return gz.SuffixTable((t, t) for t in _titles()[1])


@dataclass
class _Title:
    start: int
    end: int
    title: str          # as written (compound)
    base: str           # the titles.json entry
    org: OrganizationMention | None
    first_word: int     # index of the title's first word


@dataclass
class _Cand:
    start: int
    end: int
    name_start: int
    name_end: int
    name: str
    name_latin: str | None
    title: str
    base: str
    org: OrganizationMention | None
    country: str | None
    rule: str
    surname_only: bool = False
    former: bool = False


def _title_in_word(w: gz.Word, words, wi, org_end: dict, text: str) -> _Title | None:
    if not _title_table().may_end(w.text) and not w.text.endswith(tuple(gz.titles().get("team_suffixes", ()))):
        return None                      # most words
    single, _ordered, multi, not_titles, *_rest = _titles()
    stem = w.text
    if w.tail.startswith("들"):
        return None                      # 대표들, 장관들: a group, not one person
    for suffix in gz.titles().get("team_suffixes", ()):
        if stem.endswith(suffix) and len(stem) > len(suffix) + 1:
            stem = stem[:-len(suffix)]   # 홍태경 교수팀: the professor's team names the professor
            break
    if not stem or not _TITLE_CHARS.fullmatch(stem):
        return None
    if stem.endswith(not_titles):
        return None
    for t in _title_table().matches(stem):
        spec = single[t]
        if (spec.get("not_after_suffix") and stem == t and wi > 0 and words[wi - 1].bare
                and words[wi - 1].text.endswith(tuple(spec["not_after_suffix"]))):
            continue                     # 장관상 수상: an award received
        prefix = stem[:-len(t)]
        org = None
        if prefix:
            o = org_end.get(w.stem_start + len(prefix))
            placed = _place_prefix(prefix, spec.get("place_suffixes"))
            if o is not None and o.start >= w.stem_start and not (spec["compound"] == "location" and placed):
                org, prefix = o, ""
            elif spec["compound"] == "none":
                continue
            elif spec["compound"] == "location" and not placed:
                continue
            elif len(prefix) > 14 or (len(prefix) == 1 and gz.is_hangul(prefix)):
                continue                 # 유+상무 is a name glued to a title, not a compound
        title = prefix + t
        if spec.get("requires") and spec["requires"] not in title:
            # 최고 개인정보보호 책임자: the required word may stand in an earlier word
            k = wi - 1
            found = None
            while k >= 0 and wi - k <= 3 and words[k].bare and not words[k + 1].lead:
                if words[k].text.startswith(spec["requires"]):
                    found = k
                    break
                k -= 1
            if found is None or org is not None:
                continue
            return _Title(words[found].stem_start, w.stem_end, text[words[found].stem_start:w.stem_end],
                          t, None, found)
        # multi-word titles ending in this word: 선임 국무장관
        for m in multi:
            parts = m["title"].split()
            if parts[-1] != title or len(parts) - 1 > wi:
                continue
            prev = words[wi - len(parts) + 1:wi]
            if (all(p.bare for p in prev) and not any(x.lead for x in words[wi - len(parts) + 2:wi + 1])
                    and [p.text for p in prev] == parts[:-1]):
                return _Title(prev[0].stem_start, w.stem_end, m["title"], m["title"], None, wi - len(parts) + 1)
        start = w.stem_start + (len(stem) - len(title))
        return _Title(start, w.stem_end, title, t, org, wi)
    return None


def _is_initial(w: gz.Word, text: str) -> bool:
    return w.end - w.start == 2 and bool(_INITIAL_WORD.fullmatch(text, w.start, w.end))


def _parse(t: _Title, words, orgs, org_end, text) -> _Cand | None:
    k = t.first_word - 1
    title = t.title
    org1 = t.org
    country = None
    placed = False

    def joinable(i):    # words[i] runs on into words[i + 1] with only spaces between, on one line
        return i >= 0 and words[i].bare and not words[i + 1].lead and _same_line(words[i], words[i + 1], text)

    # a qualifier of the title: 안와르 가르가쉬 외교담당 특임장관 (not part of the name)
    if joinable(k) and org1 is None and len(words[k].text) > 2 and (
            words[k].text.endswith(_title_qualifiers())
            or t.base in gz.titles().get("posting_titles", ()) and words[k].text.startswith("주")):
        title, k = text[words[k].stem_start:t.end], k - 1   # … 주폴란드 대사: the post, not the name
    # modifier: 이명박 전 대통령 (전/前: a former holder)
    former = False
    if joinable(k) and words[k].text in _titles()[4]:
        former = words[k].text in gz.titles().get("former_modifiers", ())
        k -= 1
    # organisation right before the title, possibly with qualifiers (마이크로소프트 인공지능 최고책임자)
    if org1 is None:
        for q in range(0, 3):
            i = k - q
            if not joinable(i):
                break
            o = org_end.get(words[i].end)
            if o is not None and o.start >= 0:
                if q and not all(_QUALIFIER.fullmatch(words[j].text) and not _name_word(words[j], orgs, True)
                                 for j in range(i + 1, k + 1)):
                    break
                if q:
                    title = text[words[i + 1].stem_start:t.end]
                org1 = o
                k = gz.word_index_at(words, o.start) - 1
                break
    if org1 is None:                              # 스티븐 비건 미국 대북정책 특별대표: qualifiers after a country
        for i in (k - 1, k - 2):
            if (joinable(i) and _is_country(words[i]) and not words[i].tail
                    and all(joinable(j) and _QUALIFIER.fullmatch(words[j].text) and not _name_word(words[j], orgs, True)
                            and all(tag.startswith("NNG") for tag in words[j].tags) for j in range(i + 1, k + 1))):
                title, k = text[words[i + 1].stem_start:t.end], i
                break
    if org1 is not None:
        country = _country_of_org(org1)
    if (org1 is not None and joinable(k) and joinable(k - 1) and _is_country(words[k - 1])
            and all(tag.startswith("NNG") for tag in words[k].tags) and not _name_word(words[k], orgs, True)):
        k -= 1                                    # 사우디아라비아 에너지산업 광물자원부 장관: part of the body's name
    if joinable(k) and _is_country(words[k]) and not words[k].tail:
        country = _is_country(words[k])
        k -= 1
    elif joinable(k) and joinable(k - 1) and not words[k].tail and (words[k - 1].text + words[k].text) in gz.country_names():
        country = gz.country_names()[words[k - 1].text + words[k].text]
        k -= 2                                    # 세인트빈센트 그레나딘 외교장관, 트리니다드 토바고 총리
    if country is not None and k >= 0 and words[k].text == "주" and t.base in gz.titles().get("posting_titles", ()):
        title, country = text[words[k].stem_start:t.end], None
        k -= 1                                    # 주 니카라과 대사: the post (the country hosts, it does not send)
    elif (org1 is None and country is None and joinable(k - 1) and words[k - 1].text == "주"
          and t.base in gz.titles().get("posting_titles", ())):
        title, k = text[words[k - 1].stem_start:t.end], k - 2     # 주 뭄바이 총영사
    elif joinable(k) and org1 is None and words[k].text in gz.place_names():
        k -= 1                                    # a place: 이민호 대전 유성구청장
        placed = True
    if joinable(k) and words[k].text in _titles()[4] and (org1 is not None or country is not None or placed):
        former = former or words[k].text in gz.titles().get("former_modifiers", ())
        k -= 1                                    # 김성환 전 외교부 장관
    if country is None:
        prefix = title[:-len(t.base)] if title.endswith(t.base) else ""
        country = gz.country_names().get(prefix)  # 주한 미국대사
    # the name
    if (k >= 0 and words[k].tail == "인" and not words[k].trail and not words[k + 1].lead
            and _could_be_name(words[k].text + "인")):
        words = list(words)                                      # 송다 + 인 (Kiwi read a copula)
        words[k] = replace(words[k], text=words[k].text + "인", stem_end=words[k].stem_end + 1, tail="")
    if not joinable(k) and not (k >= 0 and words[k].paren and not words[k].tail and not words[k].trail
                                and not words[k + 1].lead):
        return None
    body = None                                   # a company next to the name: the official's organisation
    if (org1 is None and joinable(k - 1) and _korean_shape(words[k - 1].text) and words[k - 1].tags[0].startswith("NNP")
            and _title_role(t.base) != "government"      # 도널드 트럼프 대통령: no company
            and (_unknown_body(words[k]) or len(words[k - 1].text) == 3 and _used_before(words[k], text))):
        body = words[k]
        k -= 1                                    # 백상엽 카카오엔터프라이즈 대표, 김남진 니즈퍼샌드 대표 (니즈퍼샌드는 …)
    w = words[k]
    shared = _shared_names(w, title, t, org1, country, former)
    if shared:
        return shared
    strong_last = _name_word(w, orgs, last=True)
    if not strong_last:
        if not _weak_name(w, orgs):
            return None
    name_latin = None
    if w.paren and _HAS_LATIN.search(w.paren[2]) and not _HAS_HANGUL.search(w.paren[2]):
        name_latin = w.paren[2].strip()
    from .official_forms import glossed_start          # 또 럼(To Lam): the gloss counts the name's words
    glossed = glossed_start(words, k, name_latin)
    first = k if glossed is None else glossed
    extended = {k: w}
    strong_prev = glossed is not None
    while glossed is None and first - 1 >= 0 and first - k > -4 and not words[first].lead:
        p = words[first - 1]
        if _is_initial(p, text):
            first -= 1
            continue
        if p.trail or not _same_line(p, words[first], text):
            break
        if p.tail:
            # Kiwi reads the end of some foreign names as a particle: 크리스티 + 나, 가미카 + 와
            if not (p.tail in ("나", "아", "야") and any(tag.startswith("NNP") for tag in p.tags)
                    or p.tail in ("와", "과") and _unknown_word(p.text + p.tail)):
                break
            p = replace(p, text=p.text + p.tail, stem_end=p.stem_end + len(p.tail), tail="")
            extended[first - 1] = p
        if _adverb_like(p) or _after_determiner(p, words, first - 1):
            break                                 # 반면 트럼프, 그만큼 트럼프: no adverb inside a name
        if (len(p.text) >= 4 and _HANGUL_NAME.fullmatch(p.text) and p.text.endswith(_body_endings())
                or strong_last and len(w.text) == 3 and _korean_shape(w.text) and _used_before(p, text)):
            body = body or p                      # 한화시스템 김경한, 엘앤에프 허제홍 (엘앤에프가 …): a company before
            break
        strong = _name_word(p, orgs, last=False)
        if strong or (_weak_name(p, orgs) and len(p.text) <= 3 and not _korean_shape(w.text) and strong_last
                      and not (len(w.text) == 1 and w.text in _titles()[6])):   # 뒤 김 위원장: a bare surname
            strong_prev = strong_prev or strong
            first -= 1
            if p.lead:
                break
            continue
        break
    if not strong_last and not strong_prev:
        return None
    name_words = [text[words[i].stem_start:words[i].end if _is_initial(words[i], text)
                       else extended.get(i, words[i]).stem_end] for i in range(first, k + 1)]
    if len(name_words) == 2 and _body_after_name(*name_words):
        if not name_words[1].endswith(_long_titles()):
            body = body or words[k]
        name_words, w = name_words[:1], words[k - 1]     # 류영준 카카오페이 대표: the body is no name
    if len(name_words) == 1 and _HAS_HANGUL.search(name_words[0]) and (
            len(name_words[0]) >= 7 or (len(name_words[0]) >= 4 and name_words[0].endswith(_body_endings()))):
        return None                               # 네이버파이낸셜 대표, 제일기획 대표: a body, not a one-word name
    if len(name_words) == 1 and len(name_words[0]) == 1:
        if name_words[0] not in _titles()[6]:
            return None
        surname_only = True
    else:
        surname_only = False
    name_start, name_end = words[first].stem_start, w.stem_end
    mstart = name_start
    # organisation and country before the name: 과기정통부 송상훈 …, 프랑스의 엠마뉘엘 마크롱 …
    j = first - 1
    if j >= 0 and not words[first].lead and not surname_only:
        if org1 is None and words[j].bare:
            o = org_end.get(words[j].end)
            if o is not None:
                org1 = o
                mstart = o.start
                country = country or _country_of_org(o)
                j = gz.word_index_at(words, o.start) - 1
        if j >= 0 and not words[j + 1].lead and words[j].start < mstart and not words[j].trail:
            c = _is_country(words[j])
            if c:
                country = country or c
                mstart = words[j].stem_start
    if org1 is None and country is None and body is None and (_titles()[0].get(t.base) or {}).get("needs_body"):
        return None                               # 부상, 고문 alone: an injury, torture
    if org1 is None and body is not None and not surname_only:
        org1 = OrganizationMention(body.stem_start, body.stem_end, body.text, body.text, None, "company", None, "body")
        mstart = min(mstart, body.stem_start)
    return _Cand(mstart, t.end, name_start, name_end, " ".join(name_words), name_latin, title, t.base,
                 org1, country, "title" if not surname_only else "surname", surname_only, former)


_SHARED = re.compile(r"[가-힣]{2,4}(?:[ㆍ·・][가-힣]{2,4})+")


def _shared_names(w: gz.Word, title: str, t: _Title, org, country, former) -> list[_Cand] | None:
    """'유명환ㆍ김성환 전 외교부 장관': Korean names joined by a middle dot share one title."""
    if not _SHARED.fullmatch(w.text):
        return None
    parts = re.split(r"[ㆍ·・]", w.text)
    if not all(_korean_shape(p) for p in parts):
        return None
    out, pos = [], w.stem_start
    for part in parts:
        out.append(_Cand(min(pos, t.start), max(t.end, pos + len(part)), pos, pos + len(part), part, None, title,
                         t.base, org, country, "shared_title", former=former))
        pos += len(part) + 1
    return out


def _role(base: str, org: OrganizationMention | None) -> str:
    single, _, multi, *_rest = _titles()
    spec = single.get(base) or next((m for m in multi if m["title"] == base), None) or {}
    role = spec.get("role", "other")
    by_type, no_org = _titles()[8], _titles()[9]
    if role != "org":
        return role
    if org is None:
        return no_org.get(base, "other")
    entry = gz.org_entry(org.canonical)
    if entry and entry.get("role"):
        return entry["role"]
    return by_type.get(org.org_type, "other")


def _similar(a: str, b: str) -> bool:
    wa, wb = a.split(), b.split()
    if len(wa) < 2 or len(wa) != len(wb) or wa[:-1] != wb[:-1]:
        return False
    x, y = wa[-1], wb[-1]
    return len(x) == len(y) and sum(1 for p, q in zip(x, y) if p != q) == 1


def _person_id(name: str, org: str | None) -> str:
    return hashlib.sha1(f"{name}|{org or ''}".encode("utf-8")).hexdigest()[:16]


def extract_officials(doc, organizations: list[OrganizationMention]) -> list[OfficialMention]:
    di = gz.doc_index(doc)
    text = di.text
    if not text.strip():
        return []
    words = di.words
    orgs = sorted(organizations, key=lambda o: o.start)
    in_org = gz.Intervals((o.start, o.end) for o in orgs)
    org_end = {}
    for o in orgs:
        org_end[o.end] = o
        if o.text.endswith(")"):                       # also reachable without its gloss
            k = o.text.rfind("(")
            if k > 0:
                org_end.setdefault(o.start + len(o.text[:k].rstrip()), o)
    from .official_forms import bracket_head, last_word_mentions, name_before_bodies, slash_caption, title_first

    cands: list[_Cand] = []
    unparsed: list[_Title] = []
    for wi, w in enumerate(words):
        if in_org.contains(w.stem_start, w.stem_end):
            continue                                   # inside an organisation's name
        t = _title_in_word(w, words, wi, org_end, text)
        if t is None:
            continue
        c = (slash_caption(t, text, orgs) or bracket_head(t, text, orgs) or _parse(t, words, orgs, org_end, text)
             or title_first(t, words, wi, orgs)
             or name_before_bodies(t, words, wi, orgs))
        if isinstance(c, list):
            cands += c
        elif c is not None:
            cands.append(c)
        else:
            unparsed.append(t)
    cands += last_word_mentions(unparsed, words, cands)        # 비건 특별대표 after 스티븐 비건 …
    from .official_resolve import resolve
    return resolve(cands, text)
