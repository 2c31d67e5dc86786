"""Finding gazetteer phrases and words in a Doc.

:class:`PhraseIndex` finds gazetteer phrases in a :class:`~pipeline.lexicon.text.NormText`: Latin is compared
case-insensitively for names of four or more letters, spaces in a phrase are optional in the text
(``LG AI 연구원`` = ``LG AI연구원``), and a space in the text is only skipped where some phrase has one or
where the script changes (Hangul/Latin).

Speed: the extractors share one :class:`DocIndex` per Doc (:func:`doc_index`): the text, the tokens as
plain lists, the normalised view and the words are built once, not once per extractor.
"""
from __future__ import annotations

import re
import weakref
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy
from spacy.attrs import IDX, LENGTH, TAG


from .gazetteer import org_rules
from .text import NormText, has_hangul, is_latin, norm_phrase, script

@dataclass
class _Node:
    children: dict
    payloads: list
    space_ok: bool = False


def _same_initial_case(a: str, b: str) -> bool:
    """Long Latin names match case-insensitively, but not a lower-case common word (open AI)."""
    la = next((c for c in a if is_latin(c)), "")
    lb = next((c for c in b if is_latin(c)), "")
    return la.isupper() == lb.isupper()


class PhraseIndex:
    """A trie over normalised phrases (spaces removed) that walks a :class:`NormText`."""

    def __init__(self):
        self.root = _Node({}, [])

    def add(self, phrase: str, payload) -> None:
        norm = norm_phrase(phrase).strip()
        if not norm:
            return
        letters = sum(1 for c in norm if is_latin(c))
        case_sensitive = letters < 4
        node = self.root
        for ch in norm:
            if ch == " ":
                node.space_ok = True
                continue
            key = ch.lower()
            node = node.children.setdefault(key, _Node({}, []))
        node.payloads.append((norm.replace(" ", ""), case_sensitive, payload))

    def matches(self, nt: NormText, start: int) -> list[tuple[int, list]]:
        """All phrases starting at normalised index ``start``: [(end, payloads)], longest first."""
        text = nt.text
        n = len(text)
        node = self.root
        j = start
        out: list[tuple[int, list]] = []
        while j < n:
            ch = text[j]
            if ch == " ":
                prev = text[j - 1] if j > 0 else ""
                nxt = text[j + 1] if j + 1 < n else ""
                if node.space_ok or (script(prev) != script(nxt) and "O" not in (script(prev), script(nxt))):
                    j += 1
                    continue
                break
            child = node.children.get(ch.lower())
            if child is None:
                break
            node = child
            j += 1
            if node.payloads:
                got = text[start:j].replace(" ", "")      # only spaces are skipped
                keep = [p for surface, cs, p in node.payloads
                        if surface == got or (not cs and _same_initial_case(surface, got))]
                if keep:
                    out.append((j, keep))
        out.reverse()
        return out


# ---------------------------------------------------------------- Kiwi tokens

TEXT_KEY = "text"       # Doc.user_data: the text a Doc was built from (``doc.text`` makes a Token per token)
TOKENS_KEY = "word_tokens"  # Doc.user_data: (starts, ends, tags, texts) of the tokens but spaces, as lists


def doc_text(doc) -> str:
    """The Doc's text, read from ``user_data`` when the tokenizer left it there."""
    text = doc.user_data.get(TEXT_KEY)
    return doc.text if text is None else text


class TokenMap:
    """The Doc's tokens (spaces left out) as plain lists, with lookups by character offset.

    Tokens are sorted, non-empty and never overlap, so both ``starts`` and ``ends`` are sorted
    and the tokens over a stretch of text are a contiguous range found by bisection.
    """

    def __init__(self, doc, text: str | None = None):
        text = doc_text(doc) if text is None else text
        self.n = len(text)
        kept = doc.user_data.get(TOKENS_KEY)
        if kept is not None and len(text) == len(doc_text(doc)):
            self.starts, self.ends, self.tags, self.texts = kept
        else:
            self.starts, self.ends, self.tags = _token_lists(doc)
            self.texts = [text[a:b] for a, b in zip(self.starts, self.ends)]
        self._tag_from = dict(zip(self.starts, self.tags))

    def span(self, start: int, end: int) -> range:
        """Indices of the tokens overlapping ``[start, end)``."""
        start, end = max(0, start), min(end, self.n)
        if end <= start:
            return range(0)
        lo = bisect_right(self.starts, start) - 1
        if lo < 0 or self.ends[lo] <= start:
            lo += 1
        return range(lo, bisect_left(self.starts, end))

    def span_tags(self, start: int, end: int) -> list[str]:
        r = self.span(start, end)
        return self.tags[r.start:r.stop]

    def tag_starting_at(self, pos: int) -> str | None:
        """The tag of the token starting exactly at ``pos``, or None."""
        return self._tag_from.get(pos)


def _token_lists(doc) -> tuple[list[int], list[int], list[str]]:
    """Starts, ends and tags of the tokens but spaces, read as one array (no spaCy Token
    objects are made: iterating a Doc costs more than the rest of the extraction)."""
    if len(doc) == 0:
        return [], [], []
    rows = doc.to_array([IDX, LENGTH, TAG])
    hashes, which = numpy.unique(rows[:, 2], return_inverse=True)
    names = [doc.vocab.strings[h] for h in hashes.tolist()]
    keep = rows[:, 1] > 0
    if "_SP" in names:
        keep &= rows[:, 2] != hashes[names.index("_SP")]
    rows = rows[keep]
    starts = rows[:, 0].tolist()
    ends = (rows[:, 0] + rows[:, 1]).tolist()
    return starts, ends, [names[k] for k in which[keep].tolist()]


@lru_cache(maxsize=1)
def particle_tail_re() -> re.Pattern:
    """Particles and copula endings that may follow a name inside one word (은, 의, 이다 ...)."""
    words = sorted(set(org_rules().get("particles", [])), key=len, reverse=True)
    if not words:
        return re.compile("^$")
    return re.compile("^(?:" + "|".join(map(re.escape, words)) + ")+$")


# ---------------------------------------------------------------- words

OPEN_PUNCT = "([{'\"‘“「『<《〈【▲△▶▷►●○■□◆◇•※☞-–—"      # list markers (▲조현 외교부 1차관) open a word too
CLOSE_PUNCT = ")]}'\"’”」』>》〉】,.;:!?…·|/="
_STEM_TAIL_TAGS = ("J", "E", "VCP", "VCN")


@dataclass(slots=True)
class Word:
    """One whitespace-delimited chunk of the text, split into punctuation, stem, gloss, particles."""
    start: int                 # chunk
    end: int
    core_start: int            # chunk without leading/trailing punctuation
    core_end: int
    stem_start: int            # core without a trailing paren gloss and particles
    stem_end: int
    paren: tuple | None        # (start, end, content) of a paren group glued after the stem
    tail: str                  # particles after the stem (은, 의, 에서 ...)
    lead: str                  # punctuation before the core
    trail: str                 # punctuation after the core
    text: str                  # the stem's text
    tags: tuple                # Kiwi tags of the stem's tokens
    pieces: tuple = ()         # the texts of those tokens

    @property
    def bare(self) -> bool:
        """No particle and no punctuation after it: it can run on into a longer name."""
        return not self.tail and not self.trail


def _match_paren(s: str, close: int) -> int:
    depth = 0
    for k in range(close, -1, -1):
        if s[k] == ")":
            depth += 1
        elif s[k] == "(":
            depth -= 1
            if depth == 0:
                return k
    return -1


_NON_SPACE = re.compile(r"\S+?(?=\s|$|(?<=[가-힣]\.)[가-힣])")   # '회사다.백상엽': a sentence glued to the next


def _chunks(text: str):
    """Whitespace-delimited chunks, except that a Latin gloss glued to a word keeps its spaces
    (``파커(Lynne Parker)`` is one chunk) and a parenthesis opened inside a chunk and closed
    in a later one starts a chunk of its own (``연구(우사이먼성일 성균관대 교수)``)."""
    spans = [m.span() for m in _NON_SPACE.finditer(text)]
    i = 0
    while i < len(spans):
        s, e = spans[i]
        if text.find("(", s + 1, e) < 0:        # most chunks: no parenthesis after their start
            yield s, e
            i += 1
            continue
        chunk = text[s:e]
        k = chunk.rfind("(")
        if k > 0 and chunk.count("(") > chunk.count(")"):
            j = i + 1
            close = None
            while j < len(spans) and j <= i + 4 and spans[j][1] - s <= 60:
                part = text[spans[j][0]:spans[j][1]]
                if part.count(")") > part.count("("):
                    close = j
                    break
                j += 1
            inner = text[s + k:spans[close][1]] if close is not None else ""
            inner = inner[:inner.rfind(")") + 1]
            if close is not None and chunk[k - 1] not in OPEN_PUNCT and not has_hangul(inner):
                yield s, spans[close][1]
                i = close + 1
                continue
            if chunk[k - 1] not in OPEN_PUNCT:
                yield s, s + k
                yield s + k, e
                i += 1
                continue
        yield s, e
        i += 1


_HANGUL_TAIL = re.compile(r"[가-힣]{1,4}")


def doc_words(text: str, tm: TokenMap) -> list[Word]:
    # one loop with the token lists in locals: it runs for every word of every article
    starts, ends, tags, texts = tm.starts, tm.ends, tm.tags, tm.texts
    tail_ok = particle_tail_re().match
    out: list[Word] = []
    for s, e in _chunks(text):
        if text[s] in OPEN_PUNCT or text[e - 1] in CLOSE_PUNCT:
            cs, ce = _core(text, s, e)
        else:
            cs, ce = s, e                  # most words: no punctuation around them
        # particles: trailing Kiwi tokens tagged J*/E*/VCP (or 들) among those inside the core
        first = bisect_left(starts, cs)
        k = bisect_right(ends, ce) - 1
        stem_end = ce
        while k > first and (tags[k].startswith(_STEM_TAIL_TAGS) or (tags[k] == "XSN" and texts[k] == "들")):
            stem_end = starts[k]
            k -= 1
        tail = text[stem_end:ce]
        if tail and not tail_ok(tail) and not _HANGUL_TAIL.fullmatch(tail):
            stem_end, tail = ce, ""
        paren = None
        if stem_end > cs and text[stem_end - 1] == ")":
            p = _match_paren(text[cs:stem_end], stem_end - 1 - cs)
            if p > 0:
                p += cs
                paren = (p, stem_end, text[p + 1:stem_end - 1])
                stem_end = p
        # the stem's tokens: those overlapping [cs, stem_end)
        a = b = 0
        if stem_end > cs:
            a = bisect_right(starts, cs) - 1
            if a < 0 or ends[a] <= cs:
                a += 1
            b = bisect_left(starts, stem_end)
        out.append(Word(s, e, cs, ce, cs, stem_end, paren, tail, text[s:cs], text[ce:e], text[cs:stem_end],
                        tuple(tags[a:b]), tuple(texts[a:b])))
    return out


def _core(text: str, s: int, e: int) -> tuple[int, int]:
    """The chunk ``text[s:e]`` without leading and trailing punctuation (a glued gloss stays)."""
    cs, ce = s, e
    while cs < ce and text[cs] in OPEN_PUNCT:
        cs += 1
    while ce > cs and text[ce - 1] in CLOSE_PUNCT:
        if text[ce - 1] == ")":
            k = _match_paren(text[cs:ce], ce - 1 - cs)
            if k > 0:          # a gloss glued to the word: keep it in the core
                break
        ce -= 1
    return cs, ce


def word_index_at(words: list[Word], pos: int) -> int:
    """Index of the word containing char ``pos`` (or -1)."""
    lo, hi = 0, len(words)
    while lo < hi:
        mid = (lo + hi) // 2
        if words[mid].end <= pos:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(words) and words[lo].start <= pos < words[lo].end else -1


# ---------------------------------------------------------------- lookups

class SuffixTable:
    """Which of a set of words a string ends with, longest first.

    One dictionary look-up per distinct word length instead of one ``endswith`` per word;
    of two entries with the same word the first wins.
    """

    def __init__(self, items):
        self._by_len: dict[int, dict] = {}
        for word, payload in items:
            self._by_len.setdefault(len(word), {}).setdefault(word, payload)
        self._lengths = sorted(self._by_len, reverse=True)
        # the last characters of the words: most strings end in none of them (no empty word)
        self._last = None if 0 in self._by_len else {w[-1] for table in self._by_len.values() for w in table}

    def may_end(self, s: str) -> bool:
        """Whether ``s`` ends with a character some word ends with (false for most strings)."""
        return self._last is None or (bool(s) and s[-1] in self._last)

    def matches(self, s: str) -> list:
        """Payloads of the words ``s`` ends with, longest word first."""
        if self._last is not None and (not s or s[-1] not in self._last):
            return []
        n = len(s)
        out = []
        for k in self._lengths:
            if k <= n:
                hit = self._by_len[k].get(s[n - k:])
                if hit is not None:
                    out.append(hit)
        return out


class Intervals:
    """Containment and overlap tests against a fixed set of ``(start, end)`` intervals."""

    def __init__(self, spans):
        spans = sorted(spans)
        self._starts = [a for a, _ in spans]
        self._max_end = []              # the largest end among the first k + 1 intervals
        top = None
        for _, b in spans:
            top = b if top is None or b > top else top
            self._max_end.append(top)

    def contains(self, start: int, end: int) -> bool:
        """Some interval ``(a, b)`` has ``a <= start and end <= b``."""
        k = bisect_right(self._starts, start)
        return k > 0 and self._max_end[k - 1] >= end

    def overlaps(self, start: int, end: int) -> bool:
        """Some interval ``(a, b)`` has ``a < end and start < b``."""
        k = bisect_left(self._starts, end)
        return k > 0 and self._max_end[k - 1] > start


# ---------------------------------------------------------------- one Doc

# Runs in which only the first character can start a name (one script, all alphanumeric),
# or any other single character.
_RUNS = re.compile(r"[가-힣]+|[A-Za-z]+|[0-9]+|[^가-힣A-Za-z0-9]")


class DocIndex:
    """What the extractors derive from one Doc, each part built on first use."""

    def __init__(self, doc):
        self.n_tokens = len(doc)
        self.text = doc_text(doc)
        self.tm = TokenMap(doc, self.text)

    @cached_property
    def nt(self) -> NormText:
        return NormText(self.text)

    @cached_property
    def words(self) -> list[Word]:
        return doc_words(self.text, self.tm)

    @cached_property
    def name_starts(self) -> list[int]:
        """Normalised indices where a gazetteer name may start: not a space and not inside a
        run of one script (a letter after a letter, a digit after a digit)."""
        t = self.nt.text
        out = []
        for m in _RUNS.finditer(t):
            i = m.start()
            ch = t[i]
            if ch == " " or (i > 0 and t[i - 1].isalnum() and script(t[i - 1]) == script(ch)):
                continue
            out.append(i)
        return out


# Doc -> DocIndex while the Doc lives (a DocIndex holds no reference to its Doc).
_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def doc_index(doc) -> DocIndex:
    """The shared :class:`DocIndex` of ``doc``: the three extractors of one article build it once."""
    try:
        di = _INDEXES.get(doc)
    except TypeError:                              # not a Doc that can be weakly referenced
        return DocIndex(doc)
    if di is None or di.n_tokens != len(doc):      # rebuilt if the Doc was retokenised
        di = _INDEXES[doc] = DocIndex(doc)
    return di


def first_hits(di: "DocIndex", idx: "PhraseIndex", right_ok):
    """Gazetteer hits in a document: for each place a name can start, the first (longest) match that
    ``right_ok(text, tm, start, end)`` accepts, as (start, end, normalised end, payloads)."""
    first = idx.root.children          # most starts fail on their first character
    t = di.nt.text
    for i in di.name_starts:
        if t[i].lower() not in first:
            continue
        for end, payloads in idx.matches(di.nt, i):
            s, e = di.nt.orig_span(i, end)
            if right_ok(di.text, di.tm, s, e):
                yield s, e, end, payloads
                break
