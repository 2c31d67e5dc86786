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

from functools import lru_cache
from typing import Iterable, Iterator, NamedTuple

import spacy
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

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


class Piece(NamedTuple):
    """A stretch of text that becomes one spaCy token (a tuple: millions are made per run)."""
    start: int
    end: int
    tag: str
    morphs: tuple[tuple[str, str], ...]
    sent: int


def merge_morphemes(tokens) -> list[Piece]:
    """Group Kiwi tokens whose character spans overlap (contractions) into pieces."""
    pieces: list[Piece] = []
    append, make = pieces.append, Piece._make
    last = None
    for tok in tokens:
        start = tok.start
        end = start + tok.len
        tag = tok.tag
        if last is not None and (end <= start or start < last[1]):
            # a zero-width morpheme (an elided ending) or a contraction: it joins the piece before
            pieces[-1] = last = make((last[0], max(last[1], end) if end > start else last[1], f"{last[2]}+{tag}",
                                      last[3] + ((tok.form, tag),), last[4]))
        elif end > start:
            last = make((start, end, tag, ((tok.form, tag),), tok.sent_position))
            append(last)
    return pieces


def _gap_pieces(text: str, start: int, end: int, sent: int) -> Iterator[Piece]:
    """Non-space runs Kiwi skipped become symbol tokens; whitespace stays as gaps."""
    i = start
    while i < end:
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < end and not text[j].isspace():
            j += 1
        yield Piece(i, j, GAP_TAG, ((text[i:j], GAP_TAG),), sent)
        i = j


def tile(text: str, pieces: list[Piece]) -> list[Piece]:
    """Fill the characters between pieces so that the pieces plus whitespace cover the text."""
    out: list[Piece] = []
    pos, sent = 0, 0
    for piece in pieces:
        if piece.start < pos:          # Kiwi reported a span inside one already covered
            continue
        out.extend(_gap_pieces(text, pos, piece.start, sent))
        out.append(piece)
        pos, sent = piece.end, piece.sent
    out.extend(_gap_pieces(text, pos, len(text), sent))
    return out


def build_doc(vocab: Vocab, text: str, pieces: list[Piece]) -> Doc:
    words: list[str] = []
    spaces: list[bool] = []
    tags: list[str] = []
    sent_ids: list[int] = []
    morphs: list[tuple] = []
    pos = 0

    def add(word: str, tag: str, sent: int, morph: tuple) -> None:
        words.append(word); spaces.append(False); tags.append(tag)
        sent_ids.append(sent); morphs.append(morph)

    def add_gap(gap: str, sent: int) -> None:
        if not gap:
            return
        if words and gap[0] == " " and not words[-1].isspace():
            spaces[-1] = True
            gap = gap[1:]
        if gap:
            add(gap, SPACE_TAG, sent, ())

    for piece in tile(text, pieces):
        add_gap(text[pos:piece.start], piece.sent)
        add(text[piece.start:piece.end], piece.tag, piece.sent, piece.morphs)
        pos = piece.end
    add_gap(text[pos:], sent_ids[-1] if sent_ids else 0)

    sent_starts = [_starts_sentence(i, words, tags, sent_ids) for i in range(len(words))]
    doc = Doc(vocab, words=words, spaces=spaces, tags=tags,
              pos=[upos_for(t) for t in tags], sent_starts=sent_starts or None)
    doc.user_data[MORPHS_KEY] = morphs
    return doc


def _starts_sentence(i: int, words: list[str], tags: list[str], sent_ids: list[int]) -> bool:
    """Kiwi's sentence splits, plus a hard break after every line break (paragraphs)."""
    if i == 0:
        return True
    if tags[i] == SPACE_TAG:
        return False
    prev = i - 1
    while prev > 0 and tags[prev] == SPACE_TAG and "\n" not in words[prev]:
        prev -= 1
    return sent_ids[i] != sent_ids[i - 1] or (tags[prev] == SPACE_TAG and "\n" in words[prev])


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
