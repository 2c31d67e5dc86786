"""Property tests: the extractors accept any text and return well-formed, ordered mentions."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract.entities import extract_locations, extract_officials, extract_organizations
from pipeline.nlp import get_nlp

# Korean-news-like pieces mixed with arbitrary Unicode, so the rules actually fire.
PIECES = st.sampled_from([
    "이종호", " 과학기술정보통신부", " 장관", "은 ", "이 장관", "(KIST)", "에서 열린", " 미국", " 국무부",
    "J. D.", " 밴스", "(Lynne Parker)", "에스케이(SK)텔레콤", "에이아이", " 위원회", "기구", "부", "대",
    "서울 성북구", "파리", "(", ")", "‘", "’", ",", ".", "\n", "  ", "기자", "㈜", "OECD", "국제 에너지",
])
TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=25).map("".join),
)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(text, mentions):
    starts = [m.start for m in mentions]
    assert starts == sorted(starts)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert m.text == text[m.start:m.end]


@SETTINGS
@given(TEXT)
def test_extractors_never_raise_and_offsets_are_valid(text):
    doc = get_nlp()(text)
    assert doc.text == text
    orgs = extract_organizations(doc)
    _check(text, orgs)
    for a, b in zip(orgs, orgs[1:]):
        assert a.end <= b.start                      # organisations never overlap
    officials = extract_officials(doc, orgs)
    _check(text, officials)
    for o in officials:
        assert o.start <= o.name_start < o.name_end <= o.end
        assert o.name and o.title and o.person_id
        assert o.role in {"government", "corporate", "academic", "other"}
    places = extract_locations(doc)
    _check(text, places)
    for p in places:
        assert p.kind in {"country", "city", "district", "venue"}
