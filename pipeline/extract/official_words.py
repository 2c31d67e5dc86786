"""Word tests of the officials' parse (:mod:`pipeline.extract.officials`): may this word be part of a person's
name, a country, a body next to a name, a qualifier of a title? Kept apart so that the parse reads as a parse.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipeline import lexicon as gz
from .mentions import OrganizationMention

_HANGUL_NAME = re.compile(r"[가-힣]{1,7}")
_HANGUL_WEAK = re.compile(r"[가-힣]{1,5}")
_BAD_NAME_TAGS = re.compile(r"^(V|E|J|MM|MAJ|SN|NR|SF|SP|SS|SE|SO|SW|W_|XSV|XSA)")


@lru_cache(maxsize=1)
def _titles():
    data = gz.titles()
    single = {}
    multi = []
    for t in data.get("titles", []):
        if " " in t["title"]:
            multi.append(t)
        else:
            single[t["title"]] = t
    ordered = sorted(single, key=len, reverse=True)
    multi.sort(key=lambda t: -len(t["title"]))
    return (single, ordered, multi, tuple(data.get("not_titles", [])), set(data.get("modifiers", [])),
            set(data.get("name_stopwords", [])), set(data.get("surnames", [])),
            tuple(data.get("double_surnames", [])), data.get("default_role_by_org_type", {}),
            data.get("default_role_by_title_without_org", {}))


@lru_cache(maxsize=4096)
def _could_be_name(t: str) -> bool:
    """Kiwi read the word as one common noun; is a name among its next-best readings?"""
    if not _korean_shape(t):
        return False
    from pipeline.nlp import get_kiwi
    readings = get_kiwi().analyze(t, top_n=3)
    best = readings[0][1] if readings else 0.0
    # a whole-word proper-noun reading nearly as good as the best one (곽준호, not 유가족 or 사이인)
    return any(len(tokens) == 1 and tokens[0].tag == "NNP" and best - score <= 2.0
               for tokens, score in readings)


@lru_cache(maxsize=4096)
def _unknown_word(t: str) -> bool:
    """Kiwi reads the word alone as one noun it does not know (oov): a foreign name, not a dictionary word."""
    if len(t) < 2 or not _HANGUL_NAME.fullmatch(t):
        return False
    from pipeline.nlp import get_kiwi
    tokens = get_kiwi().analyze(t, top_n=1)[0][0]
    return len(tokens) == 1 and getattr(tokens[0], "oov", False)


@lru_cache(maxsize=1)
def _long_heads() -> tuple[str, ...]:
    heads = [h["head"] for h in gz.org_rules().get("heads", []) if len(h["head"]) >= 2]
    return tuple(heads + gz.org_rules().get("name_like_heads", []))


def _starts_with_country(t: str) -> bool:
    """A country name of two or more characters is a proper prefix of ``t`` (미국인, 한국계)."""
    countries = gz.country_names()
    return any(t[:k] in countries for k in range(2, len(t)))


def _place_prefix(prefix: str, suffixes=None) -> bool:
    """서울 (서울시장), 세종 (세종시장), 제주 (제주도지사), 유성 (유성구청장); ``suffixes``: the place endings a
    title allows (시장: a 시, so 성동시장 is a market)."""
    places = gz.place_names()
    return any(prefix + s in places for s in (suffixes or ("", "시", "도", "구", "군")))


def _overlaps_org(w: gz.Word, orgs) -> bool:
    return any(o.start < w.stem_end and w.stem_start < o.end for o in orgs)


def _korean_shape(t: str) -> bool:
    surnames, doubles = _titles()[6], _titles()[7]
    if t.startswith(doubles):
        return 3 <= len(t) <= 4
    return 2 <= len(t) <= 3 and t[0] in surnames


def _name_word(w: gz.Word, orgs, last: bool) -> bool:
    t = w.text
    stop = _titles()[5]
    if not _HANGUL_NAME.fullmatch(t):
        return False
    if (t in stop or t in _titles()[0] or t in gz.country_names() or t in gz.place_names()
            or gz.norm_phrase(t) in gz.org_alias_map() or _overlaps_org(w, orgs)):
        return False
    if t.endswith(_titles()[3]) or t.endswith(_long_heads()) or (len(t) >= 4 and t.endswith(_long_titles())):
        return False                       # 기자; 굿네이버스컴퍼니, 미국판매법인 are bodies; 성동시장 a market
    if _starts_with_country(t) or _not_a_name(w):
        return False
    if len(t) <= 4 and all(ch in gz.titles().get("country_syllables", "") for ch in t) and len(t) > 1:
        return False                       # 한중, 한미일: countries in short, not a name
    tags = w.tags
    if _korean_shape(t) and len(w.pieces) >= 2 and (w.pieces[0] == t[0] and (tags[0].startswith("NNP") and (
            len(t) == 3 or tags[1].startswith("MM")) or len(w.pieces) == 3 and not any(x[0] in "JEV" for x in tags))
            or len(t) == 3 and tags[0].startswith("NNP") and tags[-1].startswith(("MM", "NR"))):
        return True                        # 임+채+원, 조+현, 여+한+구, 이창+양: a surname, pieces Kiwi could not place
    if len(t) == 1:
        return last or any(tag.startswith("NNP") for tag in tags)
    if len(t) == 3 and _korean_shape(t) and (tags[0].startswith("MM") and len(w.pieces[0]) == 1
                                             or tags[0].startswith("J") and _could_be_name(t)):
        return True                        # '…했다.한성숙' (한 + 성숙), '(서울=연합뉴스) 이진규': a surname misread
    if any(_BAD_NAME_TAGS.match(tag) for tag in tags) or any(tag.startswith("MAG") for tag in tags):
        return False
    if len(tags) == 1 and tags[0].startswith("NNG"):
        return _could_be_name(t) or _unknown_word(t)   # one common noun (민주주의, 안보) or an unknown name
                                                       # (곽준호; 칼둔, 알팔레: words outside Kiwi's dictionary)
    if not any(tag.startswith("NNP") for tag in tags):
        if any(tag.startswith("XSN") for tag in tags):
            return False                   # 연구 + 계
        pieces = w.pieces
        if len(pieces) > 1 and all(len(p) >= 2 for p in pieces):
            return False                   # dictionary words in a row: 정상 + 회의
    if any(tag.startswith("NNP") for tag in tags):
        return True
    if not last:
        return len(t) <= 4                 # split unknown pieces: 리사 -> 리 + 사
    return _korean_shape(t) and not _noun_and_particle(t)    # 고학수 -> 고학 + 수; not 소속 + 과 (소속과 팀장)


def _title_role(base: str) -> str | None:
    spec = _titles()[0].get(base) or next((m for m in _titles()[2] if m["title"] == base), {})
    return spec.get("role")


def _not_a_name(w: gz.Word) -> bool:
    """One bound noun (만큼, 차례, 간: '두 차례 도널드 트럼프'), or a place with its 도/시/군/구 (전남도)."""
    t = w.text
    return (w.tags == ("NNB",) or len(t) >= 3 and t[-1] in "도시군구" and t[:-1] in gz.place_names())


def _weak_name(w: gz.Word, orgs) -> bool:
    """A word that may still be part of a foreign name though Kiwi reads it otherwise (팀 쿡, 장노엘 바로)."""
    t = w.text
    if w.tail or w.trail or not _HANGUL_WEAK.fullmatch(t):
        return False
    return not (t in _titles()[5] or t in _titles()[4] or t in _titles()[0] or t in gz.country_names()
                or _overlaps_org(w, orgs)
                or t in gz.place_names() or gz.norm_phrase(t) in gz.org_alias_map()
                or len(t) >= 3 and t.endswith(_long_heads())         # 조직위원회: a body's head, no name
                or _not_a_name(w)
                or len(t) >= 3 and w.tags == ("NNG",) and not _unknown_word(t)   # 공동체: a dictionary noun
                or any(tag.startswith(("J", "E", "V", "XS")) for tag in w.tags))


def _is_country(w: gz.Word) -> str | None:
    if w.trail or (w.tail and w.tail != "의"):
        return None
    c = gz.country_names().get(w.text)
    if c is None:
        short = gz.countries().get("prefix_only", {})
        c = short.get(w.text) if not w.tail else None
    return c


def _country_of_org(o: OrganizationMention) -> str | None:
    first = o.text.split(" ", 1)[0] if " " in o.text else ""
    return gz.country_names().get(first)


@lru_cache(maxsize=1)
def _title_qualifiers() -> tuple[str, ...]:
    return tuple(gz.titles().get("title_qualifier_suffixes", ()))


def _same_line(a: gz.Word, b: gz.Word, text: str) -> bool:
    """No line break between two words: a name or title never runs over a heading's end."""
    return "\n" not in text[a.end:b.start]


@lru_cache(maxsize=1)
def _particles() -> str:
    return "|".join(sorted(map(re.escape, gz.titles().get("body_particles", ())), key=len, reverse=True))


def _used_before(w: gz.Word, text: str) -> bool:
    """The article wrote the word alone with a particle before this mention (니즈퍼샌드는 … 김남진 니즈퍼샌드 대표):
    a body. A foreign surname is written alone only after the full name (제이크 설리번 … 설리번은)."""
    if w.tail or w.trail or not re.fullmatch(r"[가-힣]{2,12}", w.text):
        return False
    pattern = rf"(?<![가-힣A-Za-z0-9]){re.escape(w.text)}(?:{_particles()})(?![가-힣])"
    return re.search(pattern, text[:w.stem_start]) is not None


@lru_cache(maxsize=4096)
def _noun_and_particle(t: str) -> bool:
    """Kiwi reads the word alone as a dictionary noun and a particle about as well as anything (소속 + 과): no name."""
    from pipeline.nlp import get_kiwi
    readings = get_kiwi().analyze(t, top_n=3)
    best = readings[0][1] if readings else 0.0
    return any(len(toks) == 2 and toks[0].tag == "NNG" and len(toks[0].form) >= 2 and toks[1].tag.startswith("J")
               and best - score <= 1.0 for toks, score in readings)


def _unknown_body(w: gz.Word) -> bool:
    """A long proper noun between a Korean name and a title: a company or team (카카오엔터프라이즈)."""
    return len(w.text) >= 6 and bool(re.fullmatch(r"[가-힣A-Za-z0-9]+", w.text)) and w.tags[0].startswith(("NNP", "SL"))


def _adverb_like(p: gz.Word) -> bool:
    """A word of two or more syllables Kiwi reads as one adverb or conjunction (그만큼, 다만)."""
    return len(p.text) >= 2 and len(p.tags) == 1 and p.tags[0].startswith(("MAG", "MAJ"))


def _after_determiner(p: gz.Word, words, i: int) -> bool:
    """A common noun right after a determiner (두 차례, 여러 나라, 그 자리): a phrase, not a name's first word."""
    return (p.tags == ("NNG",) and i > 0 and words[i - 1].bare and len(words[i - 1].tags) == 1
            and words[i - 1].tags[0] == "MM")


def _body_after_name(first: str, second: str) -> bool:
    """'조원진 우리공화당', '공성배 용인대', '홍남기 경제부총리': a Korean full name, then a body's name (ending
    in an organisation head, or in 당/처/청/부/대) or a title, not the second half of a foreign name (하야시 요시마사)."""
    if not (len(first) == 3 and _korean_shape(first)) or not _HANGUL_NAME.fullmatch(second):
        return False
    return (second.endswith(_long_heads() + _body_endings() + _long_titles())   # … 홍남기 경제부총리 겸 …
            or (len(second) >= 3 and second[-1] in "당처청부대"))


@lru_cache(maxsize=1)
def _long_titles() -> tuple[str, ...]:
    return tuple(t for t in _titles()[1] if len(t) >= 2)


def _body_endings() -> tuple[str, ...]:
    """Endings of company and media names (카카오페이, 제일기획, 이앤엠필름): a word ending in one is no name."""
    return tuple(gz.titles().get("body_endings", ()))
