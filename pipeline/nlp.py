"""Kiwi inside spaCy: a tokenizer that makes spaCy ``Doc``s from Kiwi's morphemes.

``spacy.blank("ko")`` wants mecab-ko; we plug Kiwi in instead::

    nlp = spacy.blank("ko", config={"nlp": {"tokenizer": {"@tokenizers": "pipeline.KiwiTokenizer.v1"}}})

or simply ``pipeline.nlp.get_nlp()``, which caches one pipeline (and one Kiwi) per process.

Tokens tile the text exactly (``doc.text == text``): each Kiwi morpheme is a token, except
contracted morphemes whose characters overlap (만났다 → 만나 + 었 + 다), which are merged into
one token. ``token.tag_`` is the Kiwi tag (``VV+EP`` for merged tokens), ``token.pos_`` a
Universal POS mapped from it, ``token._.morphs`` the Kiwi ``(form, tag)`` pairs, and sentence
boundaries come from Kiwi's sentence splitter.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator

import numpy
import spacy
from spacy.attrs import POS, SENT_START, TAG
from spacy.symbols import IDS as POS_IDS
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from pipeline.lexicon import TEXT_KEY, TOKENS_KEY

TOKENIZER_NAME = "pipeline.KiwiTokenizer.v1"
SPACE_TAG = "_SP"
GAP_TAG = "SW"   # a non-space character Kiwi left out of every morpheme

# Kiwi (Sejong-style) tag prefix -> Universal POS, longest prefix first.
_UPOS = (
    ("NNP", "PROPN"), ("NNB", "NOUN"), ("NN", "NOUN"), ("NR", "NUM"), ("NP", "PRON"),
    ("VV", "VERB"), ("VA", "ADJ"), ("VX", "AUX"), ("VCP", "AUX"), ("VCN", "AUX"),
    ("MM", "DET"), ("MA", "ADV"), ("IC", "INTJ"), ("J", "ADP"), ("E", "PART"),
    ("XPN", "X"), ("XS", "PART"), ("XR", "NOUN"), ("SN", "NUM"), ("SL", "X"), ("SH", "X"),
    ("SW", "SYM"), ("SF", "PUNCT"), ("SP", "PUNCT"), ("SS", "PUNCT"), ("SE", "PUNCT"),
    ("SO", "PUNCT"), ("W_", "X"), ("_SP", "SPACE"), ("UN", "X"),
)

MORPHS_KEY = "kiwi_morphs"
SENT_STARTS_KEY = "sentence_starts"
_inline = False       # tokenise in the calling thread (worker processes: one busy thread per core)


def tokenize_inline(flag: bool = True) -> None:
    """Worker processes tokenise in their own thread; a lone process overlaps Kiwi's thread with Python."""
    global _inline
    _inline = flag


def _token_morphs(token: Token) -> tuple:
    morphs = token.doc.user_data.get(MORPHS_KEY)
    return morphs[token.i] if morphs else ()


if not Token.has_extension("morphs"):
    # a getter over one list in user_data: setting an attribute on every token is slow
    Token.set_extension("morphs", getter=_token_morphs)


@lru_cache(maxsize=4096)
def upos_for(tag: str) -> str:
    first = tag.split("+", 1)[0]
    for prefix, upos in _UPOS:
        if first.startswith(prefix):
            return upos
    return "X"


def merge_morphemes(tokens) -> list[list]:
    """Group Kiwi tokens whose character spans overlap (contractions) into pieces, each a list
    ``[start, end, tag, morphs, sentence]`` (a list, so that a contraction extends it in place)."""
    pieces: list[list] = []
    append = pieces.append
    last, last_end = None, -1
    for tok in tokens:
        start, n, tag = tok.start, tok.len, tok.tag
        if last is not None and (n <= 0 or start < last_end):
            # a zero-width morpheme (an elided ending) or a contraction: it joins the piece before
            if n > 0 and start + n > last_end:
                last[1] = last_end = start + n
            last[2] += "+" + tag
            last[3] += ((tok.form, tag),)
        elif n > 0:
            last_end = start + n
            last = [start, last_end, tag, ((tok.form, tag),), tok.sent_position]
            append(last)
    return pieces


_NON_SPACE_RUN = re.compile(r"\S+")


class _Parts:
    """The lists a Doc is made from, filled left to right over the text."""

    def __init__(self, text: str):
        self.text = text
        self.words: list[str] = []
        self.spaces: list[bool] = []
        self.tags: list[str] = []
        self.sents: list[int] = []
        self.morphs: list[tuple] = []
        self.offsets: list[int] = []

    def add(self, start: int, end: int, tag: str, sent: int, morphs: tuple) -> None:
        self.words.append(self.text[start:end]); self.spaces.append(False); self.tags.append(tag)
        self.sents.append(sent); self.morphs.append(morphs); self.offsets.append(start)

    def add_space(self, start: int, end: int, sent: int) -> None:
        """Whitespace: one space after a word is the word's trailing space, the rest a space token."""
        if start < end and self.text[start] == " " and self.words and not self.words[-1].isspace():
            self.spaces[-1] = True
            start += 1
        if start < end:
            self.add(start, end, SPACE_TAG, sent, ())

    def add_skipped(self, start: int, end: int, sent_before: int, sent_after: int) -> None:
        """Text Kiwi left out: its non-space runs become symbol tokens of the sentence before."""
        pos = start
        for m in _NON_SPACE_RUN.finditer(self.text, start, end):
            self.add_space(pos, m.start(), sent_before)
            self.add(m.start(), m.end(), GAP_TAG, sent_before, ((m.group(), GAP_TAG),))
            pos = m.end()
        self.add_space(pos, end, sent_after)


def doc_parts(text: str, pieces: list[list]) -> _Parts:
    """Pieces plus the text between them, tiling the text exactly."""
    parts = _Parts(text)
    words, spaces, tags, sents, morphs, offsets = (parts.words, parts.spaces, parts.tags, parts.sents,
                                                   parts.morphs, parts.offsets)
    pos, sent = 0, 0
    for start, end, tag, piece_morphs, piece_sent in pieces:
        if start < pos:                # Kiwi reported a span inside one already covered
            continue
        if start > pos:
            if start == pos + 1 and text[pos] == " " and words and tags[-1] != SPACE_TAG:
                spaces[-1] = True      # most gaps: one space after a word (add_space, inlined)
            elif text[pos:start].isspace():
                parts.add_space(pos, start, piece_sent)
            else:
                parts.add_skipped(pos, start, sent, piece_sent)
        # parts.add, inlined: it runs for every token of every article
        words.append(text[start:end]); spaces.append(False); tags.append(tag)
        sents.append(piece_sent); morphs.append(piece_morphs); offsets.append(start)
        pos, sent = end, piece_sent
    if pos < len(text):
        parts.add_skipped(pos, len(text), sent, sent)
    return parts


def _sentence_starts(words: list[str], tags: list[str], sent_ids: list[int]) -> list[bool]:
    """Kiwi's sentence splits, plus a hard break after every line break (paragraphs): a token starts a
    sentence when Kiwi's sentence number changes, or when the nearest token before it that is not a space
    on one line is a space holding a line break."""
    out = []
    after_break = False
    previous = None
    for word, tag, sid in zip(words, tags, sent_ids):
        if previous is None:
            out.append(True)
        elif tag == SPACE_TAG:
            out.append(False)
        else:
            out.append(sid != previous or after_break)
        if tag != SPACE_TAG:
            after_break = False
        elif "\n" in word:
            after_break = True
        previous = sid
    return out


@lru_cache(maxsize=4096)
def _tag_ids(vocab: Vocab, tag: str) -> tuple[int, int]:
    """A Kiwi tag's id in the vocabulary's strings and the id of its Universal POS."""
    return vocab.strings.add(tag), POS_IDS[upos_for(tag)]


def build_doc(vocab: Vocab, text: str, pieces: list[list]) -> Doc:
    p = doc_parts(text, pieces)
    words, tags, offsets = p.words, p.tags, p.offsets
    sent_starts = _sentence_starts(words, tags, p.sents)
    doc = Doc(vocab, words=words, spaces=p.spaces)
    if words:
        # tags, parts of speech and sentence starts as one array: Doc(tags=, pos=, sent_starts=) takes twice as long
        ids = [_tag_ids(vocab, t) for t in tags]
        rows = numpy.empty((len(words), 3), dtype="uint64")
        rows[:, 0] = [tag for tag, _ in ids]
        rows[:, 1] = [pos for _, pos in ids]
        rows[:, 2] = numpy.where(sent_starts, 1, -1).astype("int64").astype("uint64")
        doc.from_array([TAG, POS, SENT_START], rows)
    doc.user_data[MORPHS_KEY] = p.morphs
    # what the extractors read, kept as plain values: doc.text and doc.sents make a Token per token
    doc.user_data[TEXT_KEY] = text
    doc.user_data[SENT_STARTS_KEY] = [at for at, first in zip(offsets, sent_starts) if first]
    words_only = [i for i, tag in enumerate(tags) if tag != SPACE_TAG]
    starts = [offsets[i] for i in words_only]
    doc.user_data[TOKENS_KEY] = (starts, [a + len(words[i]) for a, i in zip(starts, words_only)],
                                 [tags[i] for i in words_only], [words[i] for i in words_only])
    return doc


def sentence_starts(doc: Doc) -> list[int]:
    """Character offsets where the Doc's sentences start."""
    starts = doc.user_data.get(SENT_STARTS_KEY)
    return [s.start_char for s in doc.sents] if starts is None else starts


class KiwiTokenizer:
    """spaCy tokenizer backed by one Kiwi instance (created lazily, never pickled)."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        return build_doc(self.vocab, text, merge_morphemes(get_kiwi().tokenize(text)))

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
        """Kiwi tokenises a batch in its own thread, ahead of the Docs being consumed."""
        kiwi = get_kiwi()
        if _inline:
            for text in texts:
                yield build_doc(self.vocab, text, merge_morphemes(kiwi.tokenize(text)))
            return
        texts = list(texts)
        for text, tokens in zip(texts, kiwi.tokenize(texts)):
            yield build_doc(self.vocab, text, merge_morphemes(tokens))

    def __reduce__(self):      # workers rebuild their own Kiwi
        return KiwiTokenizer, (self.vocab,)

    # spaCy calls these when saving/loading a pipeline; the tokenizer has no state of its own.
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "KiwiTokenizer":
        return self

    def to_disk(self, path, **kwargs) -> None:
        pass

    def from_disk(self, path, **kwargs) -> "KiwiTokenizer":
        return self


@spacy.registry.tokenizers(TOKENIZER_NAME)
def create_kiwi_tokenizer():
    def make(nlp) -> KiwiTokenizer:
        return KiwiTokenizer(nlp.vocab)
    return make


@lru_cache(maxsize=1)
def get_kiwi():
    """One Kiwi per process, with the gazetteer's names in its user dictionary."""
    return new_kiwi(1)          # one thread: we parallelise with processes


def new_kiwi(threads: int):
    """A Kiwi with the gazetteer's names in its user dictionary, tokenising batches on ``threads`` threads."""
    from kiwipiepy import Kiwi
    from pipeline.lexicon import kiwi_user_words

    # Kiwi's multi-word dictionary (252,000 Wikidata names) is half of its load time, but without it
    # foreign names whose last part is a common word split (스티븐 + 비 + 건): the officials need it
    kiwi = Kiwi(num_workers=threads)
    for word, tag in kiwi_user_words():
        kiwi.add_user_word(word, tag, 0.0)
    kiwi.tokenize("")          # warm-up: Kiwi initialises lazily on the first call
    return kiwi


@lru_cache(maxsize=1)
def get_nlp():
    """The project's Korean spaCy pipeline (tokenizer only; extractors run over its Docs)."""
    return spacy.blank("ko", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})


def make_docs(texts: Iterable[str]) -> Iterator[Doc]:
    """Stream Docs, tokenising the texts as one Kiwi batch."""
    return get_nlp().tokenizer.pipe(texts)
