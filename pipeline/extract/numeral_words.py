"""The word-numeral grammar, from the tables of ``data/numbers.json``: ``parse_numeral`` reads any numeral the
extractors meet — Arabic (commas, decimals, full-width digits), Sino-Korean words in any mix with Arabic digits
and the myriad units 만/억/조/경 (``삼천이백``, ``3천2백``, ``1조2000억``), decimals in words (``이백점 영삼`` =
200.03), native numerals 1–99 (``스물다섯``, ``쉰두``, ``하나``), a leading minus (``마이너스``, ``−``, ``-``) —
and returns its value, or ``None`` for anything that is not one well-formed numeral (``일이``, ``십십``).
Ordinal words (``첫째`` … ``스물다섯째``, ``열한째``) are built from the tens and units tables.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

_D = json.loads((Path(__file__).resolve().parent / "data" / "numbers.json").read_text(encoding="utf-8"))
_W = _D["numeral_words"]

SINO_DIGITS: dict[str, int] = {**_D["sino_digits"], **{z: 0 for z in _W["sino_zero"]}}
SINO_SMALL: dict[str, int] = _D["sino_small_units"]
BIG: dict[str, int] = {**_D["big_units"], **_W["word_big_units"]}
POINT: str = _W["decimal_point"]
NEGATIVE_WORDS: list[str] = _W["negative_words"]

NATIVE_UNITS: dict[str, int] = {**_D["native_units"], **_W["native_standalone"]}
NATIVE_TENS: dict[str, int] = {**_D["native_tens"], **_D["native_special"]}


def _native_table() -> dict[str, int]:
    """Every native numeral 1–99 as written: units, tens, tens + unit (``열한``, ``스물다섯``, ``서른둘``)."""
    table = dict(NATIVE_UNITS)
    for tens, tv in NATIVE_TENS.items():
        table[tens] = tv
        if tens != "스무":
            table.update({tens + unit: tv + uv for unit, uv in NATIVE_UNITS.items()})
    return table


def _ordinal_table() -> dict[str, int]:
    """첫째 … 아홉째, 열째, 열한째, 스무째, 스물다섯째 …: tens + unit + 째 (a unit alone: 첫째, 둘째 …)."""
    units, tens = _W["native_ordinal_units"], _W["native_ordinal_tens"]
    table = {"첫째": 1, **{u + "째": v for u, v in units.items() if v > 1}}
    for t, tv in tens.items():
        if t != "스물":
            table[t + "째"] = tv
        if t != "스무":
            table.update({t + u + "째": tv + uv for u, uv in units.items()})
    return table


NATIVE: dict[str, int] = _native_table()
NATIVE_ORDINALS: dict[str, int] = _ordinal_table()

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
_ARABIC = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?")
_SIGN = re.compile(rf"^(?:{'|'.join(map(re.escape, NEGATIVE_WORDS))})\s?|^[-−–]\s?")


def alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SD = "".join(d for d in SINO_DIGITS if SINO_DIGITS[d] > 0)
_SS = "".join(SINO_SMALL)
_SB = "".join(BIG)
_ZD = "".join(SINO_DIGITS)
# a Sino-Korean word numeral (validated by parse_numeral): 삼천이백, 오백만, 이백점 영삼, 3천2백
SINO_WORD = (rf"(?:(?:[{_SD}0-9]?[{_SS}]|[{_SD}0-9]*[{_SB}])(?:[{_SD}0-9]?[{_SS}{_SB}])*[{_SD}0-9]?"
             rf"(?:{POINT} ?[{_ZD}]+)?|[{_ZD}]{POINT} ?[{_ZD}]+)")
NATIVE_WORD = alternation(NATIVE)


def _sino_section(text: str) -> int | None:
    """Value below 10,000 of e.g. 삼천이백, 3천2백, 천, 오십, 7: digits and 십/백/천 in falling order."""
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    value, last_unit, digit = 0, 10 ** 9, None
    for ch in re.findall(r"[0-9]+|.", text):
        if ch in SINO_SMALL:
            unit = SINO_SMALL[ch]
            if unit >= last_unit:
                return None
            value += (digit if digit is not None else 1) * unit
            last_unit, digit = unit, None
        elif ch in SINO_DIGITS or ch.isdigit():
            if digit is not None:
                return None
            digit = int(ch) if ch.isdigit() else SINO_DIGITS[ch]
        else:
            return None
    return value + (digit or 0)


def _sino(text: str) -> float | None:
    """Sino-Korean (and Arabic-mixed) integer with myriad units: 1조2000억, 삼천이백, 오백만."""
    total, last_big = 0, 10 ** 30
    parts = re.split(rf"([{''.join(BIG)}])", text.replace(" ", ""))
    for section, big in zip(parts[0::2], parts[1::2] + [""]):
        if big:
            unit = BIG[big]
            if unit >= last_big:
                return None
            value = _sino_section(section.replace(",", ""))
            if value is None:
                return None
            total += (value or 1) * unit
            last_big = unit
        else:
            value = _sino_section(section.replace(",", ""))
            if value is None:
                return None
            total += value
    return float(total)


def _decimal_digits(text: str) -> str | None:
    if not text or any(ch not in SINO_DIGITS for ch in text):
        return None
    return "".join(str(SINO_DIGITS[ch]) for ch in text)


def parse_numeral(text: str) -> float | None:
    """Value of one numeral as written, or None."""
    s = text.strip().translate(_FULLWIDTH)
    sign = 1.0
    m = _SIGN.match(s)
    if m:
        sign, s = -1.0, s[m.end():]
    if not s:
        return None
    if _ARABIC.fullmatch(s):
        return sign * float(s.replace(",", ""))
    if s in NATIVE:
        return sign * NATIVE[s]
    whole, _, decimals = s.partition(POINT)
    if decimals:
        digits = _decimal_digits(decimals.strip())
        base = parse_numeral(whole) if whole else None
        if digits is None or base is None:
            return None
        return sign * (base + float("0." + digits))
    if re.search(r"[0-9]", s) and not re.search(rf"[{''.join(BIG)}{''.join(SINO_SMALL)}]", s):
        return None
    if not re.fullmatch(rf"[0-9,{''.join(SINO_DIGITS)}{''.join(SINO_SMALL)}{''.join(BIG)}]+", s.replace(" ", "")):
        return None
    if re.fullmatch(rf"[{''.join(SINO_DIGITS)}]", s):
        return sign * SINO_DIGITS[s]
    value = _sino(s)
    return None if value is None else sign * value
