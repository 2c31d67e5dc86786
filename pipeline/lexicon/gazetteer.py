"""Gazetteer data and the text helpers the entity extractors share.

Data (rules as data, under ``pipeline/data/``):

- ``organizations.json``: ``{"canonical", "aliases", "abbreviation", "org_type", "country"}``
  (optional ``"role"``: the role of people holding a title there, when not implied by the
  type; optional ``"nomatch"``: surfaces that name the body but are too ambiguous to match).
- ``titles.json``: title words with roles, non-titles (bylines), name stop words, surnames.
- ``countries.json``, ``locations.json``: place names and the venue rule's words.
- ``entities_org_rules.json``: organisational heads for unseen names and their negatives.

Matching works on a *normalised view* of the text (:class:`NormText`): NFC per character
cluster, full-width Latin folded, whitespace runs as one space, ``에이아이`` read as ``AI``,
and a Latin gloss glued to Hangul dropped (``에스케이(SK)텔레콤`` reads ``에스케이텔레콤``).
Every normalised character keeps the span of original characters it came from, so matches
map back to exact offsets in ``doc.text``. :class:`PhraseIndex` finds gazetteer phrases in
that view: Latin is compared case-insensitively for names of four or more letters, spaces in
a phrase are optional in the text (``LG AI 연구원`` = ``LG AI연구원``), and a space in the text
is only skipped where some phrase has one or where the script changes (Hangul/Latin).

Speed: the extractors share one :class:`DocIndex` per Doc (:func:`doc_index`): the text, the
tokens as plain lists, the normalised view and the words are built once, not once per extractor.
"""
from __future__ import annotations

import json
import re
import unicodedata
import weakref
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy
from spacy.attrs import IDX, LENGTH, TAG

DATA = Path(__file__).parent / "data"


def _load(name: str, default):
    path = DATA / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default


@lru_cache(maxsize=1)
def organizations() -> list[dict]:
    return _load("organizations.json", [])


@lru_cache(maxsize=1)
def titles() -> dict:
    return _load("titles.json", {})


@lru_cache(maxsize=1)
def countries() -> dict:
    return _load("countries.json", {})


@lru_cache(maxsize=1)
def locations() -> dict:
    return _load("locations.json", {})


@lru_cache(maxsize=1)
def org_rules() -> dict:
    return _load("entities_org_rules.json", {})


def kiwi_user_words() -> list[tuple[str, str]]:
    """Single-word gazetteer names Kiwi must keep whole (행정안전부, not 행정 + 안전부)."""
    words = set()
    for org in organizations():
        for name in [org["canonical"], *org.get("aliases", [])]:
            name = unicodedata.normalize("NFC", name)
            # three or more characters: short aliases (토스, 메타) would split common words (토스트)
            # and no short university forms (국민대 would split 국민대표 into 국민대 + 표)
            if (" " not in name and len(name) >= 3 and has_hangul(name)
                    and not re.search(r"[()\[\]]", name) and not (name.endswith("대") and len(name) <= 5)):
                words.add(name)
    return [(w, "NNP") for w in sorted(words)]


# ---------------------------------------------------------------- characters

def is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def has_hangul(s: str) -> bool:
    return any(is_hangul(c) for c in s)


def is_latin(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def script(ch: str) -> str:
    if is_hangul(ch):
        return "H"
    if is_latin(ch):
        return "L"
    if ch.isdigit():
        return "D"
    return "O"


_JAMO_CONT = re.compile(r"[\u1160-\u11ff\ud7b0-\ud7ff]")
_MIDDOTS = {"ㆍ": "·", "・": "·", "‧": "·", "∙": "·", "•": "·"}


@lru_cache(maxsize=16384)
def norm_phrase(s: str) -> str:
    """Normalise a gazetteer phrase the way :class:`NormText` normalises text."""
    return NormText(s).text


def _joins_previous(ch: str) -> bool:
    """``ch`` belongs to the character cluster before it (a combining mark, a medial/final jamo)."""
    return bool(unicodedata.combining(ch) or _JAMO_CONT.match(ch))


def _norm_cluster(cluster: str) -> str:
    """What :class:`NormText` writes for one character cluster."""
    if len(cluster) > 1 or not cluster.isascii():
        cluster = unicodedata.normalize("NFC", cluster)
        cluster = _MIDDOTS.get(cluster, cluster)
        if len(cluster) == 1 and "\uff01" <= cluster <= "\uff5e":
            cluster = chr(ord(cluster) - 0xFEE0)
    return cluster


def _plain_runs() -> re.Pattern:
    """Runs NormText may copy as they are: characters (of the common blocks) that are their own
    normalisation, with single spaces between them. Not "(", which may open a gloss to drop;
    a run's last character is given back when a combining mark or jamo follows it."""
    blocks = [(0x21, 0x7E), (0xA1, 0xFF), (0x2010, 0x205E), (0x2100, 0x27BF), (0x3001, 0x303F),
              (0x3131, 0x318E), (0x3200, 0x32FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3)]
    keep = [c for a, b in blocks for c in range(a, b + 1)
            if chr(c) != "(" and not chr(c).isspace() and not _joins_previous(chr(c))
            and _norm_cluster(chr(c)) == chr(c)]
    ranges = []
    for c in keep:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    cls = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[{cls}]+(?: [{cls}]+)*")


_PLAIN = _plain_runs()


class NormText:
    """A normalised view of a text with a map back to original offsets.

    ``text[i]`` came from ``orig[starts[i]:ends[i]]``.
    """

    _GLOSS = re.compile(r"\([A-Za-z][A-Za-z0-9 .&+\-]{0,30}\)")

    def __init__(self, orig: str):
        self.orig = orig
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        n = len(orig)
        i = 0
        while i < n:
            m = _PLAIN.match(orig, i)
            if m:
                j = m.end()
                if j < n and _joins_previous(orig[j]):
                    j -= 1              # the run's last character starts a cluster
                if j > i:
                    chars.extend(orig[i:j])
                    starts.extend(range(i, j))
                    ends.extend(range(i + 1, j + 1))
                    i = j
                    continue
            ch = orig[i]
            if ch.isspace():
                j = i
                while j < n and orig[j].isspace():
                    j += 1
                if chars and chars[-1] != " ":
                    chars.append(" ")
                    starts.append(i)
                    ends.append(j)
                i = j
                continue
            # a Latin gloss glued to Hangul: 에스케이(SK)텔레콤, 인공지능(AI) 안전연구소
            if ch == "(" and chars and is_hangul(chars[-1]):
                m = self._GLOSS.match(orig, i)
                if m:
                    i = m.end()
                    continue
            j = i + 1
            while j < n and _joins_previous(orig[j]):
                j += 1
            cluster = _norm_cluster(orig[i:j])
            for c in cluster:
                chars.append(c)
                starts.append(i)
                ends.append(j)
            i = j
        # 에이아이 -> AI (inside names: 서울 에이아이 기업 서약, 엘지 에이아이 연구원)
        text = "".join(chars)
        k = text.find("에이아이")
        while k >= 0:
            chars[k:k + 4] = ["A", "I"]
            starts[k:k + 4] = [starts[k], starts[k + 2]]
            ends[k:k + 4] = [ends[k + 1], ends[k + 3]]
            text = "".join(chars)
            k = text.find("에이아이", k + 2)
        self.text = text
        self.starts = starts
        self.ends = ends

    def __len__(self) -> int:
        return len(self.text)

    def orig_span(self, i: int, j: int) -> tuple[int, int]:
        """Original offsets of normalised ``text[i:j]`` (j exclusive, j > i)."""
        return self.starts[i], self.ends[j - 1]

    def norm_index(self, orig_pos: int) -> int:
        """First normalised index whose original span starts at or after ``orig_pos``."""
        return bisect_left(self.starts, orig_pos)


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

class TokenMap:
    """The Doc's tokens (spaces left out) as plain lists, with lookups by character offset.

    Tokens are sorted, non-empty and never overlap, so both ``starts`` and ``ends`` are sorted
    and the tokens over a stretch of text are a contiguous range found by bisection.
    """

    def __init__(self, doc, text: str | None = None):
        text = doc.text if text is None else text
        self.n = len(text)
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

OPEN_PUNCT = "([{'\"‘“「『<《〈【"
CLOSE_PUNCT = ")]}'\"’”」』>》〉】,.;:!?…·|/="
_STEM_TAIL_TAGS = re.compile(r"^(J|E|VCP|VCN)")


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


_NON_SPACE = re.compile(r"\S+")


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
        cs, ce = _core(text, s, e)
        # particles: trailing Kiwi tokens tagged J*/E*/VCP (or 들) among those inside the core
        first = bisect_left(starts, cs)
        k = bisect_right(ends, ce) - 1
        stem_end = ce
        while k > first and (_STEM_TAIL_TAGS.match(tags[k]) or (tags[k] == "XSN" and texts[k] == "들")):
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


# ---------------------------------------------------------------- name sets

@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Every written form of a country -> canonical name (not the prefix-only short forms)."""
    out = {}
    for c in countries().get("countries", []):
        for name in [c["canonical"], *c.get("aliases", [])]:
            out[unicodedata.normalize("NFC", name)] = c["canonical"]
    return out


@lru_cache(maxsize=1)
def place_names() -> dict[str, tuple[str, str]]:
    """Every written form of a listed place -> (canonical, kind)."""
    out = {}
    data = locations()
    for key, kind in (("cities", "city"), ("districts", "district"), ("venues", "venue")):
        for c in data.get(key, []):
            for name in [c["canonical"], *c.get("aliases", [])]:
                out.setdefault(unicodedata.normalize("NFC", name), (c["canonical"], kind))
    return out


@lru_cache(maxsize=1)
def org_alias_map() -> dict[str, dict]:
    """Normalised surface (spaces removed) -> organisation entry."""
    out = {}
    for org in organizations():
        for name in [org["canonical"], *org.get("aliases", [])]:
            out.setdefault(norm_phrase(name).replace(" ", ""), org)
    return out


def org_entry(canonical: str) -> dict | None:
    return _org_by_canonical().get(canonical)


@lru_cache(maxsize=1)
def _org_by_canonical() -> dict[str, dict]:
    out = {}
    for org in organizations():
        out.setdefault(org["canonical"], org)      # the first entry wins, as a scan would
    return out


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
        self.text = doc.text
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
