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
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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


def norm_phrase(s: str) -> str:
    """Normalise a gazetteer phrase the way :class:`NormText` normalises text."""
    return NormText(s).text


class NormText:
    """A normalised view of a text with a map back to original offsets.

    ``text[i]`` came from ``orig[spans[i][0]:spans[i][1]]``.
    """

    _GLOSS = re.compile(r"\([A-Za-z][A-Za-z0-9 .&+\-]{0,30}\)")

    def __init__(self, orig: str):
        self.orig = orig
        chars: list[str] = []
        spans: list[tuple[int, int]] = []
        n = len(orig)
        i = 0
        while i < n:
            ch = orig[i]
            if ch.isspace():
                j = i
                while j < n and orig[j].isspace():
                    j += 1
                if chars and chars[-1] != " ":
                    chars.append(" ")
                    spans.append((i, j))
                i = j
                continue
            # a Latin gloss glued to Hangul: 에스케이(SK)텔레콤, 인공지능(AI) 안전연구소
            if ch == "(" and chars and is_hangul(chars[-1]):
                m = self._GLOSS.match(orig, i)
                if m:
                    i = m.end()
                    continue
            j = i + 1
            while j < n and (unicodedata.combining(orig[j]) or _JAMO_CONT.match(orig[j])):
                j += 1
            cluster = orig[i:j]
            if len(cluster) > 1 or not cluster.isascii():
                cluster = unicodedata.normalize("NFC", cluster)
                cluster = _MIDDOTS.get(cluster, cluster)
                if len(cluster) == 1 and "\uff01" <= cluster <= "\uff5e":
                    cluster = chr(ord(cluster) - 0xFEE0)
            for c in cluster:
                chars.append(c)
                spans.append((i, j))
            i = j
        # 에이아이 -> AI (inside names: 서울 에이아이 기업 서약, 엘지 에이아이 연구원)
        text = "".join(chars)
        k = text.find("에이아이")
        while k >= 0:
            chars[k:k + 4] = ["A", "I"]
            spans[k:k + 4] = [(spans[k][0], spans[k + 1][1]), (spans[k + 2][0], spans[k + 3][1])]
            text = "".join(chars)
            k = text.find("에이아이", k + 2)
        self.text = text
        self.spans = spans

    def __len__(self) -> int:
        return len(self.text)

    def orig_span(self, i: int, j: int) -> tuple[int, int]:
        """Original offsets of normalised ``text[i:j]`` (j exclusive, j > i)."""
        return self.spans[i][0], self.spans[j - 1][1]

    def norm_index(self, orig_pos: int) -> int:
        """First normalised index whose original span starts at or after ``orig_pos``."""
        lo, hi = 0, len(self.spans)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.spans[mid][0] < orig_pos:
                lo = mid + 1
            else:
                hi = mid
        return lo


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
        compact: list[str] = []
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
            compact.append(ch)
            j += 1
            if node.payloads:
                got = "".join(compact)
                keep = [p for surface, cs, p in node.payloads
                        if surface == got or (not cs and _same_initial_case(surface, got))]
                if keep:
                    out.append((j, keep))
        out.reverse()
        return out


# ---------------------------------------------------------------- Kiwi tokens

class TokenMap:
    """Per-character token lookup for one Doc (built once per extraction)."""

    def __init__(self, doc):
        self.doc = doc
        n = len(doc.text)
        self.tok_at = [None] * (n + 1)
        self.starts = set()
        self.ends = set()
        self.tokens = [t for t in doc if t.tag_ != "_SP"]
        for k, tok in enumerate(self.tokens):
            t0, t1 = tok.idx, tok.idx + len(tok.text)
            self.starts.add(t0)
            self.ends.add(t1)
            for p in range(t0, min(t1, n)):
                self.tok_at[p] = k

    def span_tokens(self, start: int, end: int) -> list:
        seen = []
        for p in range(max(0, start), min(end, len(self.tok_at) - 1)):
            k = self.tok_at[p]
            if k is not None and (not seen or seen[-1] != k):
                seen.append(k)
        return [self.tokens[k] for k in seen]

    def tag_at(self, pos: int) -> str:
        if 0 <= pos < len(self.tok_at) and self.tok_at[pos] is not None:
            return self.tokens[self.tok_at[pos]].tag_
        return ""

    def token_start_at(self, pos: int):
        """The token starting exactly at ``pos``, or None."""
        if 0 <= pos < len(self.tok_at) and self.tok_at[pos] is not None:
            tok = self.tokens[self.tok_at[pos]]
            if tok.idx == pos:
                return tok
        return None


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


@dataclass
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


def _chunks(text: str):
    """Whitespace-delimited chunks, except that a Latin gloss glued to a word keeps its spaces
    (``파커(Lynne Parker)`` is one chunk) and a parenthesis opened inside a chunk and closed
    in a later one starts a chunk of its own (``연구(우사이먼성일 성균관대 교수)``)."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    i = 0
    while i < len(spans):
        s, e = spans[i]
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


def doc_words(doc, tm: TokenMap) -> list[Word]:
    text = doc.text
    out: list[Word] = []
    for s, e in _chunks(text):
        cs, ce = s, e
        while cs < ce and text[cs] in OPEN_PUNCT:
            cs += 1
        while ce > cs and text[ce - 1] in CLOSE_PUNCT:
            if text[ce - 1] == ")":
                k = _match_paren(text[cs:ce], ce - 1 - cs)
                if k > 0:          # a gloss glued to the word: keep it in the core
                    break
            ce -= 1
        # particles: trailing Kiwi tokens tagged J*/E*/VCP (the tokens must lie inside the core)
        toks = [t for t in tm.span_tokens(cs, ce) if t.idx >= cs and t.idx + len(t.text) <= ce]
        stem_end = ce
        k = len(toks) - 1
        while k > 0 and (_STEM_TAIL_TAGS.match(toks[k].tag_) or (toks[k].tag_ == "XSN" and toks[k].text in ("들",))):
            stem_end = toks[k].idx
            k -= 1
        tail = text[stem_end:ce]
        if tail and not particle_tail_re().match(tail) and not re.fullmatch(r"[가-힣]{1,4}", tail):
            stem_end, tail = ce, ""
        paren = None
        if stem_end > cs and text[stem_end - 1] == ")":
            p = _match_paren(text[cs:stem_end], stem_end - 1 - cs)
            if p > 0:
                p += cs
                paren = (p, stem_end, text[p + 1:stem_end - 1])
                stem_end = p
        stem_start = cs
        stoks = tm.span_tokens(stem_start, stem_end)
        out.append(Word(s, e, cs, ce, stem_start, stem_end, paren, tail,
                        text[s:cs], text[ce:e], text[stem_start:stem_end],
                        tuple(t.tag_ for t in stoks), tuple(t.text for t in stoks)))
    return out


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
    for org in organizations():
        if org["canonical"] == canonical:
            return org
    return None
