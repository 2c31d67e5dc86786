"""Entity extractors: example corpora (one test per line), the gold sample articles, person grouping.

The corpora in ``tests/corpus/`` are sentences written for these tests; the gold expectations
are ``tests/gold/seeds.json`` run on the raw pages in ``raw/`` (bylines and menus included).
"""
from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest

from pipeline import lexicon as gazetteer
from pipeline.extract.entities import extract_locations, extract_officials, extract_organizations
from pipeline.nlp import get_nlp

TESTS = Path(__file__).parent
ROOT = TESTS.parent
CORPUS = TESTS / "corpus"
GOLD = json.loads((TESTS / "gold" / "seeds.json").read_text(encoding="utf-8"))
RAW = ROOT / "raw"


def _lines(name: str) -> list[dict]:
    return [json.loads(line) for line in (CORPUS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _id(name: str, i: int, row: dict) -> str:
    """``officials.jsonl:12+2-1``: the file's line number, expected and excluded items (pytest
    escapes Hangul in ids, so the sentence itself is shown in the assertion message)."""
    return f"{name}:{i + 1}+{len(row['expect'])}-{len(row['expect_not'])}"


def _nospace(s: str) -> str:
    return "".join(unicodedata.normalize("NFC", s or "").split())


@lru_cache(maxsize=None)
def _analyse(text: str):
    doc = get_nlp()(text)
    orgs = extract_organizations(doc)
    return doc, orgs, extract_officials(doc, orgs)


def _org_names(canonical: str | None) -> set[str]:
    if canonical is None:
        return set()
    entry = gazetteer.org_entry(canonical)
    names = [canonical, *(entry.get("aliases", []) if entry else [])]
    return {_nospace(n) for n in names}


def official_matches(exp: dict, o) -> bool:
    """The gold README's rule for officials."""
    names = {_nospace(exp["name"]), *(_nospace(a) for a in exp.get("aliases", []))}
    if _nospace(o.name) not in names:
        return False
    if "title" in exp and not (o.title == exp["title"] or o.title.endswith(exp["title"])):
        return False
    if "organization" in exp and _nospace(exp["organization"]) not in _org_names(o.organization):
        return False
    return all(getattr(o, k) == exp[k] for k in ("country", "role", "former") if k in exp)


def org_matches(name: str, orgs) -> bool:
    target = _nospace(name)
    return any(target == _nospace(o.text) or target in _org_names(o.canonical) for o in orgs)


# ---------------------------------------------------------------- corpora

OFFICIALS = _lines("officials.jsonl")
ORGANIZATIONS = _lines("organizations.jsonl")


@pytest.mark.parametrize("row", OFFICIALS, ids=[_id("officials.jsonl", i, r) for i, r in enumerate(OFFICIALS)])
def test_officials_corpus(row):
    _, _, officials = _analyse(row["text"])
    got = [(o.name, o.title, o.organization, o.country, o.role) for o in officials]
    for exp in row["expect"]:
        assert any(official_matches(exp, o) for o in officials), f"{row['text']}\nmissing {exp}; got {got}"
    for name in row["expect_not"]:
        assert all(o.name != name for o in officials), f"{row['text']}\n{name!r} is not an official; got {got}"


@pytest.mark.parametrize("row", ORGANIZATIONS, ids=[_id("organizations.jsonl", i, r) for i, r in enumerate(ORGANIZATIONS)])
def test_organizations_corpus(row):
    _, orgs, _ = _analyse(row["text"])
    got = [(o.text, o.canonical, o.org_type) for o in orgs]
    for exp in row["expect"]:
        assert any(o.text == exp["text"] and o.canonical == exp["canonical"]
                   and o.org_type == exp.get("org_type", o.org_type) for o in orgs), \
            f"{row['text']}\nmissing {exp}; got {got}"
    for surface in row["expect_not"]:
        assert all(o.text != surface and o.canonical != surface for o in orgs), \
            f"{row['text']}\n{surface!r} is no organisation; got {got}"


def test_corpus_sizes():
    assert sum(len(r["expect"]) for r in OFFICIALS) >= 120
    assert sum(len(r["expect_not"]) for r in OFFICIALS) >= 25
    assert sum(len(r["expect"]) for r in ORGANIZATIONS) >= 120
    assert sum(len(r["expect_not"]) for r in ORGANIZATIONS) >= 25


# ---------------------------------------------------------------- gold samples

ARTICLES = sorted(GOLD["articles"])


@lru_cache(maxsize=None)
def _article(name: str):
    return _analyse((RAW / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ARTICLES)
def test_gold_officials_must(name):
    _, _, officials = _article(name)
    spec = GOLD["articles"][name].get("officials", {})
    got = [(o.name, o.title, o.organization, o.country, o.role) for o in officials]
    for exp in spec.get("must", []):
        assert any(official_matches(exp, o) for o in officials), f"missing {exp}; got {got}"
    for item in spec.get("must_not", []):
        assert all(_nospace(o.name) != _nospace(item["name"]) for o in officials), item


@pytest.mark.parametrize("name", ARTICLES)
def test_gold_organizations_must(name):
    _, orgs, _ = _article(name)
    for org in GOLD["articles"][name].get("organizations", {}).get("must", []):
        assert org_matches(org, orgs), f"missing {org}; got {sorted({o.text for o in orgs})}"


def test_gold_should_score(capsys):
    hits, misses = 0, []
    for name in ARTICLES:
        _, orgs, officials = _article(name)
        spec = GOLD["articles"][name]
        for exp in spec.get("officials", {}).get("should", []):
            ok = any(official_matches(exp, o) for o in officials)
            hits += ok
            if not ok:
                misses.append((name, "official", exp["name"]))
        for org in spec.get("organizations", {}).get("should", []):
            ok = org_matches(org, orgs)
            hits += ok
            if not ok:
                misses.append((name, "organization", org))
    total = hits + len(misses)
    with capsys.disabled():
        print(f"\n[gold should] {hits}/{total} = {hits / total:.2f}; misses: {misses}")
    assert hits / total >= 0.8


# ---------------------------------------------------------------- Kiwi dictionary, person grouping

def test_kiwi_keeps_ministry_names_whole():
    assert ("행정안전부", "NNP") in gazetteer.kiwi_user_words()
    doc = get_nlp()("행정안전부는 과학기술정보통신부와 협의했다.")
    words = [t.text for t in doc]
    assert "행정안전부" in words and "과학기술정보통신부" in words


def test_person_id_groups_one_person():
    text = ("이종호 과학기술정보통신부 장관이 개회사를 했다. 이 장관은 협력을 강조했다. "
            "이종호 장관은 브리핑에서 성과를 설명했다.")
    _, _, officials = _analyse(text)
    lee = [o for o in officials if o.name == "이종호"]
    assert len(lee) == 3
    assert len({o.person_id for o in lee}) == 1
    assert all(o.organization == "과학기술정보통신부" for o in lee)
    back = next(o for o in lee if o.rule == "backref")
    assert text[back.name_start:back.name_end] == "이"


def test_person_id_is_stable_across_articles():
    a = _analyse("이종호 과학기술정보통신부 장관이 말했다.")[2][0]
    b = _analyse("지난달 이종호 과기정통부 장관은 기자들과 만났다.")[2][0]
    assert a.person_id == b.person_id


def test_two_spellings_of_one_foreign_name():
    text = ("영국 과학혁신기술부 미셸 더넬란 장관이 참석했다. "
            "미셸 도넬란 영국 과학혁신기술부 장관은 연설했다. 도넬란 장관은 서울을 떠났다.")
    _, _, officials = _analyse(text)
    assert {o.name for o in officials} == {"미셸 더넬란", "미셸 도넬란"}
    assert len({o.person_id for o in officials}) == 1


def test_unresolved_surname_is_dropped():
    _, _, officials = _analyse("이 장관은 답변하지 않았다.")
    assert officials == []


def test_official_offsets_and_latin_name():
    text = "유상임 장관은 미국 린 파커(Lynne Parker) 백악관 과학기술정책실(OSTP) 수석부실장을 만났다."
    _, _, officials = _analyse(text)
    parker = next(o for o in officials if o.name == "린 파커")
    assert parker.name_latin == "Lynne Parker"
    assert parker.country == "미국" and parker.title == "수석부실장"
    assert parker.organization == "백악관 과학기술정책실"
    assert text[parker.start:parker.end] == parker.text
    assert text[parker.name_start:parker.name_end] == "린 파커"


# ---------------------------------------------------------------- locations

def _places(text):
    return [(m.text, m.kind) for m in extract_locations(get_nlp()(text))]


def test_locations_chain_and_venue():
    got = _places("22일 서울 성북구 한국과학기술연구원(KIST)에서 열린 회의")
    assert got == [("서울 성북구 한국과학기술연구원(KIST)", "venue")]
    m = extract_locations(get_nlp()("22일 서울 성북구 한국과학기술연구원(KIST)에서 열린 회의"))[0]
    assert m.parts == ("서울", "성북구", "한국과학기술연구원(KIST)")


def test_locations_countries_cities_districts():
    got = _places("정상들은 파리에서 만났고, 6개월 전 영국 블레츨리 공원에 모였다. 서울 성북구 주민과 샌프란시스코 시민")
    assert ("파리", "city") in got
    assert ("영국 블레츨리 공원", "venue") in got
    assert ("서울 성북구", "district") in got
    assert ("샌프란시스코", "city") in got


def test_locations_gloss_venue_and_not_inside_names():
    got = _places("미국 샌프란시스코(Goldengate Club)에서 열리는 행사. 서울대와 한국과학기술연구원")
    assert ("미국 샌프란시스코", "city") in got
    assert ("Goldengate Club", "venue") in got
    assert all(text != "서울" for text, _ in got)


def test_locations_no_district_inside_an_organisation():
    """A body ending in 기구 is no 구 (district); a real district still is one."""
    got = _places("국제해사기구와 세계보건기구(WHO) 대표단이 부산 해운대구와 전남 신안군을 찾았다.")
    assert all(not text.endswith("기구") for text, _ in got), got
    assert ("부산 해운대구", "district") in got and ("신안군", "city") in got


def test_locations_regions_and_not_inside_a_body():
    got = _places("장관은 중동과 동남아 순방을 마치고 유럽연합(EU) 대표와 남중국해 문제를 논의했다.")
    assert ("중동", "region") in got and ("동남아", "region") in got and ("남중국해", "region") in got
    assert all(text != "유럽" for text, _ in got), got          # 유럽연합 is an organisation


def test_locations_skip_common_words():
    got = _places("인도와 도로 사이에 파리가 날아다녔다.")
    assert got == []


def test_locations_every_un_member_and_no_common_word_as_a_country():
    """The country list holds every UN member (CLDR's Korean names); names that are also common words
    (수단 'means', 오만 'arrogance') count only before a title, never as a place in running text."""
    got = _places("장관은 가이아나와 자메이카, 트리니다드토바고를 잇달아 방문했다.")
    assert {("가이아나", "country"), ("자메이카", "country"), ("트리니다드토바고", "country")} <= set(got), got
    assert _places("정부는 마땅한 수단이 없다며 오만한 태도를 비판했다.") == []


def test_title_first_and_shared_names_keep_spans_in_order():
    """A title before its names (부장판사 이관형·최병률) still gives start <= name_start < name_end <= end."""
    _, _, officials = _analyse("서울중앙지법 형사항소5-3부(부장판사 이관형·최병률·유석동)는 원심을 유지했다.")
    assert [o.name for o in officials] == ["이관형", "최병률", "유석동"]
    assert all(o.start <= o.name_start < o.name_end <= o.end for o in officials)
