"""Kiwi inside spaCy: Docs that tile the text, Kiwi tags on tokens, Matcher and displaCy over them."""
from __future__ import annotations

import pickle

import spacy
from hypothesis import given, settings, strategies as st
from spacy import displacy
from spacy.matcher import Matcher

from pipeline.lexicon import TOKENS_KEY, doc_text
from pipeline.lexicon.index import _token_lists
from pipeline.nlp import TOKENIZER_NAME, get_nlp, sentence_starts

KOREAN = st.text(alphabet=st.sampled_from(list("가나다라마바사아자차카타파하이종호장관은는이가을를의에서 \n.,'’()~-0123456789년월일AIK")),
                 max_size=120)


def test_blank_korean_with_kiwi_tokenizer_needs_no_mecab():
    nlp = spacy.blank("ko", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    doc = nlp("이종호 장관이 만났다.")
    assert doc.text == "이종호 장관이 만났다."
    assert [t.text for t in doc] == ["이종호", "장관", "이", "만났", "다", "."]
    assert doc[3].tag_ == "VV+EP" and doc[0].pos_ == "PROPN"
    assert [m[1] for m in doc[3]._.morphs] == ["VV", "EP"]


def test_sentences_and_line_breaks():
    doc = get_nlp()("첫 문장이다. 둘째 문장이다\n셋째 줄")
    assert [s.text.strip() for s in doc.sents] == ["첫 문장이다.", "둘째 문장이다", "셋째 줄"]


def test_matcher_over_kiwi_tags_and_displacy():
    nlp = get_nlp()
    doc = nlp("전 세계 87개 국가에서 참여했다.")
    matcher = Matcher(nlp.vocab)
    matcher.add("COUNT", [[{"TAG": "SN"}, {"TAG": "NNB"}]])
    spans = [doc[s:e].text for _, s, e in matcher(doc)]
    assert spans == ["87개"]
    doc.ents = [doc.char_span(5, 11, label="QT")]
    html = displacy.render(doc, style="ent", page=False)
    assert "<mark" in html and "87개 국가" in html and "QT" in html


def test_gazetteer_names_stay_whole():
    doc = get_nlp()("행정안전부는 과학기술정보통신부와 협의했다.")
    assert "행정안전부" in [t.text for t in doc] and "과학기술정보통신부" in [t.text for t in doc]


def test_tokenizer_pickles_without_kiwi():
    tokenizer = pickle.loads(pickle.dumps(get_nlp().tokenizer))
    assert tokenizer("서울에서").text == "서울에서"


@settings(max_examples=150, deadline=None)
@given(st.one_of(KOREAN, st.text(max_size=80)))
def test_docs_tile_any_text(text):
    doc = get_nlp()(text)
    assert doc.text == text
    assert all(t.text for t in doc)
    for token in doc:
        assert text[token.idx:token.idx + len(token.text)] == token.text


@settings(max_examples=150, deadline=None)
@given(st.one_of(KOREAN, st.text(alphabet=st.sampled_from(list("가나 \t\n\u3000\u00a0☆.!?")), max_size=60)))
def test_kept_text_and_sentence_starts_equal_spacys(text):
    """The values the extractors read from user_data (to avoid making a Token per token) are spaCy's own."""
    doc = get_nlp()(text)
    assert doc_text(doc) == doc.text == text
    assert sentence_starts(doc) == [s.start_char for s in doc.sents]
    starts, ends, tags = _token_lists(doc)
    assert doc.user_data[TOKENS_KEY] == (starts, ends, tags, [text[a:b] for a, b in zip(starts, ends)])
