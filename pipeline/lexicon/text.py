"""Character classes and the normalised text view (:class:`NormText`) that gazetteer matching works on.

Matching works on a *normalised view* of the text: NFC per character cluster, full-width Latin folded,
whitespace runs as one space, ``에이아이`` read as ``AI``, and a Latin gloss glued to Hangul dropped
(``에스케이(SK)텔레콤`` reads ``에스케이텔레콤``). Every normalised character keeps the span of original
characters it came from, so matches map back to exact offsets in ``doc.text``.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache



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

