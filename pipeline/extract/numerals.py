"""The numeral grammar the quantity extractor reads: the tables of ``data/numbers.json`` (beside this module),
the regexes composed from them (Arabic, Sino-Korean and native numerals, units, qualifiers), and
parsing a numeral to its value.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

from .numeral_words import NATIVE_ORDINALS


_DATA_PATH = Path(__file__).resolve().parent / "data" / "numbers.json"
with open(_DATA_PATH, encoding="utf-8") as _fh:
    _D = json.load(_fh)

# --------------------------------------------------------------------------- tables
_SINO_DIGITS: dict[str, int] = _D["sino_digits"]
_SINO_SMALL: dict[str, int] = _D["sino_small_units"]
_BIG: dict[str, int] = _D["big_units"]

_NATIVE: dict[str, tuple[int, bool]] = {}          # word -> (value, approx)
for _t, _tv in _D["native_tens"].items():
    _NATIVE[_t] = (_tv, False)
    for _u, _uv in _D["native_units"].items():
        _NATIVE[_t + _u] = (_tv + _uv, False)
for _u, _uv in _D["native_units"].items():
    _NATIVE[_u] = (_uv, False)
for _w, _v in _D["native_special"].items():
    _NATIVE[_w] = (_v, False)
for _w, _v in _D["native_approx"].items():
    _NATIVE[_w] = (_v, True)
for _w, _v in _D["native_first"].items():
    _NATIVE[_w] = (_v, False)
_NATIVE_FIRST = set(_D["native_first"])
_NATIVE_FIRST_UNITS = set(_D["native_first_units"])

# units indexed by first character, longest first (a unit may have several
# entries, e.g. 분 = persons after a native numeral, minutes otherwise); a space
# inside a unit matches one optional space
_UNITS_BY_FIRST: dict[str, list[tuple[re.Pattern, dict]]] = {}
for _e in sorted(_D["units"], key=lambda e: len(e["u"]), reverse=True):
    _pat = re.compile("".join(r"[ \u00a0]?" if ch == " " else re.escape(ch) for ch in _e["u"]))
    _UNITS_BY_FIRST.setdefault(_e["u"][0], []).append((_pat, _e))

_PARTICLES = set(_D["particles_after_unit"])
_PARTICLE_EXC = {k: set(v) for k, v in _D["particle_exceptions"].items()}
_EXTRA_FOLLOW = {k: set(v) for k, v in _D["extra_follow"].items()}

_NOUNS: dict[str, str] = _D["generic_nouns"]
_GENERIC = {e["u"] for e in _D["units"] if e.get("generic")}
_DAE_WORDS = sorted(_D["ordinal_dae_words"], key=len, reverse=True)

_PREFIX_Q: dict[str, str] = _D["prefix_qualifiers"]
_SUFFIX_Q: dict[str, str] = _D["suffix_qualifiers"]
_EXCEED = sorted(_D["exceed_stems"], key=len, reverse=True)
_RANGE_Q: str = _D["range_qualifier"]

_EN_PREFIX: dict[str, str] = _D["english_prefix_qualifiers"]
_EN_MULT: dict[str, int] = _D["english_multipliers"]
_EN_NOUNS: dict[str, str] = _D["english_nouns"]
_EN_PERCENT: list[str] = _D["english_percent"]
_CURRENCY: dict[str, str] = _D["currency_symbols"]
_LABELLED: dict[str, str] = _D["labelled_numbers"]
_DURATION_CONTEXT: list[str] = _D["duration_context"]
_NATIVE_ORD: dict[str, int] = {**_D["native_ordinal_words"], **NATIVE_ORDINALS}
_SCORE_FOLLOW: list[str] = _D["score_follow"]
_AGE_BLOCK: list[str] = _D["age_block_before"]
_NATIVE_ATTACH_EXCLUDE = set(_D["native_attach_exclude"])
_NATIVE_NOUN_MIN: int = _D["native_noun_min"]
_DAE_COUNT_BEFORE: list[str] = _D["dae_count_nouns_before"]


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# --------------------------------------------------------------------------- regexes
_SP = r"[ \u00a0\u2009\u202f\u3000]"
_DIG = "0-9０-９"
_AR = rf"[{_DIG}]{{1,3}}(?:[,，][{_DIG}]{{3}})+(?:[.．][{_DIG}]+)?|[{_DIG}]+(?:[.．][{_DIG}]+)?"
_SMALL_C = "".join(_SINO_SMALL)
_BIG_C = "".join(_BIG)
_SDIG_C = "".join(_SINO_DIGITS)
# Arabic-led number with optional Korean units: 1조2000억, 2만5천, 1억 5천만, 3.5%
_ACORE = (rf"(?:{_AR})(?:[{_SMALL_C}]+(?:{_AR})?|[{_BIG_C}](?!각)(?:{_SP}?(?=[{_DIG}])(?:{_AR}))?)*")
# Sino-Korean number word: 삼십, 오백만, 천, 만 (validated in code)
_SSEC = rf"(?:[{_SDIG_C}]?[{_SMALL_C}])+[{_SDIG_C}]?"
_SCORE = (rf"(?:{_SSEC}|[{_SDIG_C}])?[{_BIG_C}](?:{_SP}?(?:{_SSEC}|[{_SDIG_C}])?[{_BIG_C}]?)*"
          rf"|{_SSEC}")
_VAGUE = rf"{re.escape(_D['vague_prefix'])}(?:[{_SMALL_C}{_BIG_C}])+"
_NATIVE_ALT = _alt(_NATIVE)

_HEAD_FIRST = _DIG + "".join(sorted(set("제" + _D["vague_prefix"][0] + _SDIG_C + _SMALL_C + _BIG_C + "".join(w[0] for w in _NATIVE))))
_HEAD_RE = re.compile(
    rf"(?=[{_HEAD_FIRST}])(?P<je>(?<![가-힣A-Za-z])제{_SP}?)?"
    rf"(?:(?<![A-Za-z{_DIG}._])(?<![{_DIG}],(?=[{_DIG}]{{3}}))(?<![A-Za-z]-)(?<![0-9][~∼〜～–])(?P<ar>{_ACORE})"
    rf"|(?<![가-힣{_DIG}])(?P<vague>{_VAGUE})"
    rf"|(?<![가-힣{_DIG}])(?P<native>{_NATIVE_ALT})(?={_SP}?[가-힣])"
    rf"|(?<![가-힣{_DIG}])(?P<sino>{_SCORE}))"
)
_RANGE_RE = re.compile(rf"{_SP}?[~∼〜～\-–]{_SP}?(?P<neg>[-−]|마이너스{_SP}?)?(?P<core>{_ACORE})")
_RANGE_NATIVE_RE = re.compile(rf"{_SP}?[~∼〜～\-–]{_SP}?(?P<core>{_NATIVE_ALT})")
_YEO_RE = re.compile(rf"{_SP}?여(?={_SP}?[가-힣])")
_TOKEN_RE = re.compile(rf"{_AR}|[{_SDIG_C}{_SMALL_C}{_BIG_C}]")
_NOUN_RE = re.compile(rf"(?:의)?{_SP}?(?P<noun>{_alt(_NOUNS)})(?:[·ㆍ,/]{_SP}?(?:{_alt(_NOUNS)}))*")
_NOUN_BEFORE_RE = re.compile(rf"(?P<noun>{_alt(_NOUNS)}){_SP}?$")
_DAE_COUNT_BEFORE_RE = re.compile(rf"(?:{_alt(_DAE_COUNT_BEFORE)}){_SP}?$")
_DAE_RE = re.compile(rf"{_SP}?(?:첫{_SP}?)?(?:{_alt(_DAE_WORDS)})")
_PREFIX_RE = re.compile(rf"(?<![가-힣])(?P<q>{_alt(_PREFIX_Q)}){_SP}?$")
_SUFFIX_RE = re.compile(rf"{_SP}?(?P<q>{_alt(_SUFFIX_Q)})")
_EXCEED_RE = re.compile(rf"(?:이|가|을|를|은|는)?{_SP}?(?P<q>{_alt(_EXCEED)})")
# ages: 김모(33)씨, A(44)씨, 최모 (41)씨, 박씨(45세), (본명 박재상·35), (22·여)
_AGE_RE = re.compile(
    rf"(?=\()(?:(?<=[가-힣A-Z])|(?<=[가-힣]{_SP}))\((?P<n>[0-9]{{1,3}})(?P<u>세|살)?(?=\)|[·,/]|{_SP})"
    rf"|(?=[0-9])(?:(?<=[가-힣一-鿿][·.,])|(?<=[가-힣一-鿿]{_SP}[·.,])|(?<=[가-힣一-鿿][·.,]{_SP}))"
    rf"(?P<n2>[0-9]{{1,3}})(?P<u2>세|살)?(?=\))")
_AGE_BLOCK_RE = re.compile(rf"(?:{_alt(_AGE_BLOCK)}){_SP}?$")
_SCORE_RE = re.compile(rf"(?<![A-Za-z0-9.,\-:])(?P<a>[0-9]{{1,3}})[-:](?P<b>[0-9]{{1,3}})(?![0-9\-:.,])(?=(?:{_alt(_SCORE_FOLLOW)}))")
_LABELLED_RE = re.compile(rf"(?<![가-힣])(?P<label>{_alt(_LABELLED)}){_SP}?(?P<num>{_AR})(?![0-9０-９A-Za-z])")
_LAW_BEFORE_RE = re.compile(rf"(?:{_alt(_D['numeral_words']['law_names'])}){_SP}?(?:제{_SP}?)?$")
_LAW_NOT_AFTER_RE = re.compile(rf"{_SP}?(?:{_alt(_D['numeral_words']['law_not_followed_by'])})")
_NEG_BEFORE_RE = re.compile(rf"(?<![0-9A-Za-z가-힣.,)\]~∼〜～\-−])(?:(?:{_alt(_D['numeral_words']['negative_words'])}){_SP}?|[-−])$")
_DURATION_CONTEXT_RE = re.compile(rf"(?:{_alt(_DURATION_CONTEXT)})(?:은|는|이|가|도)?{_SP}?$")   # 임기는 8년
# 첫째, 둘째 … as words (a comma, a particle or a non-Hangul character follows)
_NATIVE_ORD_RE = re.compile(
    rf"(?=[{''.join(sorted(set(w[0] for w in _NATIVE_ORD)))}])(?<![가-힣])"
    rf"(?:(?P<w>{_alt(_NATIVE_ORD)})(?![가-힣])|(?P<w2>{_alt(_NATIVE_ORD)})(?=[은는이가을를의로]))")
_FRACTION_RE = re.compile(rf"(?=[{_DIG}])(?<![A-Za-z{_DIG}.,])(?P<den>{_AR}){_SP}?분의{_SP}?(?P<num>{_AR})(?![{_DIG}])")

_CUR_ALT = _alt(_CURRENCY)
_EN_NUM = rf"[0-9]{{1,3}}(?:,[0-9]{{3}})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_EN_RE = re.compile(
    rf"(?=[A-Za-z0-9$€£¥₩])(?<![A-Za-z0-9$€£¥₩.,\-])(?:(?P<q>{_alt(_EN_PREFIX)})\s+)?"
    rf"(?:(?P<cur>{_CUR_ALT})\s?)?(?P<num>{_EN_NUM})(?![0-9])"
    rf"(?:\s?(?P<mult>{_alt(_EN_MULT)})\b)?"
    rf"(?:\s?(?P<pct>{_alt(_EN_PERCENT)})(?![A-Za-z])|\s+(?P<noun>{_alt(_EN_NOUNS)})\b)?",
    re.IGNORECASE,
)

# masks: nothing that overlaps these is emitted
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\[email[^\]]*\]")
_EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_MASK_RE = re.compile(
    r"(?=['’‘`0-9])(?:(?<![0-9])0\d{1,2}[-.)\s]\d{3,4}[-.\s]\d{4}(?![0-9])"          # phone numbers
    r"|(?<![0-9])1[5-9]\d{2}-\d{4}(?![0-9])"                           # 1588-xxxx
    r"|(?<![0-9])\d{4}[./-]\s?\d{1,2}[./-]\s?\d{1,2}\.?(?![0-9])"      # 2024.5.22
    r"|['’‘`]\d{2}[./]\d{1,2}(?:[./]\d{1,2})?\.?(?![0-9%]|\.[0-9])"  # '24.11.12.
    r"|(?<![0-9.])\d{1,2}\.\d{1,2}\.?\s?[~∼\-]\s?\d{1,2}\.?(?![0-9%]|\.[0-9])"  # 11.20~21.
    r"|(?<![0-9])\d{1,2}:\d{2}(?::\d{2})?(?![0-9]))"                     # 14:30
)

_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


# --------------------------------------------------------------------------- helpers
def _is_hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


def _is_latin_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _num(s: str) -> float:
    s = s.translate(_FULLWIDTH).replace(",", "").replace("，", "")
    if len(s) > 40:
        return math.inf
    return float(s)


def _parse_core(s: str) -> float:
    """Value of an Arabic/Sino-Korean number: 1조2000억 -> 1.2e12, 2만5천 -> 25000."""
    total = 0.0
    section = 0.0
    current: float | None = None
    for tok in _TOKEN_RE.findall(s):
        if tok in _SINO_DIGITS:
            current = float(_SINO_DIGITS[tok])
        elif tok in _SINO_SMALL:
            section += (current if current is not None else 1.0) * _SINO_SMALL[tok]
            current = None
        elif tok in _BIG:
            section += current if current is not None else 0.0
            total += (section if section else 1.0) * _BIG[tok]
            section = 0.0
            current = None
        else:
            if current is not None:
                section += current
            current = _num(tok)
    total += section + (current if current is not None else 0.0)
    return total


def _largest_big(s: str) -> int:
    best = 0
    for ch in s:
        if ch in _BIG and _BIG[ch] > best:
            best = _BIG[ch]
    return best


def _match_unit(text: str, pos: int, native: bool, attached_native: bool, je: bool):
    """Longest acceptable unit starting at pos (after one optional space).

    Returns (unit_entry, end) or (None, pos)."""
    n = len(text)
    start = pos
    spaced = False
    if pos < n and text[pos] in " \u00a0\u3000":
        spaced = True
        pos += 1
    if pos >= n:
        return None, start
    for pat, entry in _UNITS_BY_FIRST.get(text[pos], ()):
        m = pat.match(text, pos)
        if not m:
            continue
        u = entry["u"]
        end = m.end()
        if entry.get("latin1") and spaced:
            continue
        if native:
            if not entry.get("native") and not (u in _NATIVE_FIRST_UNITS):
                continue
            if attached_native and not spaced and not entry.get("native_attach"):
                continue
        elif entry.get("native_only"):
            continue
        if entry.get("je_only") and not je:
            continue
        nxt = text[end] if end < n else ""
        if nxt:
            if _is_latin_alnum(nxt) and (u[-1].isascii() and u[-1].isalnum()):
                continue                                   # 5Gb, 10mx
            if _is_hangul(u[-1]) and _is_hangul(nxt):
                allowed = (nxt in _PARTICLES or nxt in _EXTRA_FOLLOW.get(u, ()))
                if nxt in _PARTICLE_EXC.get(u, ()):
                    allowed = False
                if not allowed:
                    continue
        return entry, end
    return None, start


def _qualifier_suffix(text: str, pos: int):
    """Suffix qualifier right after pos: (qualifier, end) or (None, pos)."""
    m = _EXCEED_RE.match(text, pos)
    if m and not (m.group("q") == "넘어" and text[m.end("q"):m.end("q") + 1] in ("지", "져", "졌")):
        return "more_than", m.end("q")                    # (not 넘어지다, to fall over)
    m = _SUFFIX_RE.match(text, pos)
    if m:
        q = m.group("q")
        end = m.end()
        if q == "여" or q == "쯤" or q == "정도":
            # must end a word: 여 + particle/space (1년여 만에), not 여성/여부
            nxt = text[end] if end < len(text) else ""
            if _is_hangul(nxt) and nxt not in _PARTICLES:
                return None, pos
            if q == "여" and pos < len(text) and text[pos] != "여":
                return None, pos                          # '여' must touch the unit
        return _SUFFIX_Q[q], end
    return None, pos


