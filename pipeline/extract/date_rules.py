"""The date rules as data (``data/dates.json`` beside this module): regex fragments composed into patterns and
compiled once, and the word tables the resolvers look words up in.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path


# ---------------------------------------------------------------------------
# rule data
# ---------------------------------------------------------------------------


def _load_rules() -> dict:
    return json.loads((Path(__file__).parent / "data" / "dates.json").read_text(encoding="utf-8"))


RULES = _load_rules()
SETTINGS = RULES["settings"]
_SPACES = re.compile(r"[ \t\u00a0]+")
_FLEX_SPACE = r"[ \t\u00a0]?"


def word_key(word: str) -> str:
    """Lookup key of a table word: spaces removed (tables match with optional spaces)."""
    return _SPACES.sub("", word)


def _alternation(words, guards: dict | None = None, strict_end: str = "") -> str:
    """Longest-first regex alternation of words; a space in a word matches optional space."""
    items = []
    for word in sorted(words, key=lambda w: (-len(w), w)):
        body = re.escape(word).replace(r"\ ", _FLEX_SPACE)
        guard = (guards or {}).get(word)
        items.append(body + (f"(?!{guard})" if guard else "") + strict_end)
    return "|".join(items)


def _relative_tables(rules: dict) -> dict[str, dict[str, dict]]:
    """Relative words split into the tables the patterns use."""
    rel = rules["relative_words"]
    prefix = {w: e for w, e in rel.items() if e.get("prefix", True) and "part" not in e}
    return {
        "all": rel,
        "standalone_year": {w: e for w, e in rel.items() if e["grain"] == "year" and not e.get("prefix", True)},
        "year_prefix": {**{w: e for w, e in prefix.items() if e["grain"] == "year"}, **rules["year_prefix_only"]},
        "month_prefix": {w: e for w, e in prefix.items() if e["grain"] == "month"},
        "week_prefix": {w: e for w, e in prefix.items() if e["grain"] == "week"},
    }


TABLES = _relative_tables(RULES)
LOOKUP = {
    "rw": {word_key(w): e for w, e in TABLES["all"].items()},
    "yw": {word_key(w): e for w, e in TABLES["year_prefix"].items()},
    "mw": {word_key(w): e for w, e in TABLES["month_prefix"].items()},
    "ww": {word_key(w): e for w, e in TABLES["week_prefix"].items()},
    "cw": {word_key(w): v for w, v in RULES["count_words"].items()},
    "hol": {word_key(w): v for w, v in RULES["holidays"].items()},
    "mn": {w.lower(): v for w, v in RULES["month_names"].items()},
    "lunar": {word_key(w): v for w, v in RULES["lunar_holidays"].items()},
    "season": {word_key(w): v for w, v in RULES["seasons"].items()},
    "quarter": {word_key(w): v for w, v in RULES["quarter_words"].items()},
    "part": RULES["parts"],
}


def _generated_fragments(rules: dict) -> dict[str, str]:
    """Fragments built from the word tables."""
    frags = rules["fragments"]
    guards = {w: e["not_followed_by"] for w, e in rules["relative_words"].items() if "not_followed_by" in e}
    stops = rules["day_stop"]
    attached = "|".join(map(re.escape, stops["attached"]))
    spaced = "|".join(re.escape(s).replace(r"\ ", " ") for s in stops["spaced"])
    units = _alternation(rules["count_units"])
    return {
        "YW": f"(?P<yw>{_alternation(TABLES['year_prefix'])})",
        "MW": f"(?P<mw>{_alternation(TABLES['month_prefix'])})",
        "WW": f"(?P<ww>{_alternation(TABLES['week_prefix'])})",
        "RW": f"(?P<rw>{_alternation(TABLES['all'], guards, frags['WORDEND'])})",
        "COUNTWORDS": _alternation(rules["count_words"]),
        "PARTWORDS": _alternation(rules["parts"]),
        "HALFWORDS": _alternation(rules["halves"]),
        "QUARTERWORDS": _alternation(rules["quarter_words"]),
        "HOLIDAYS": _alternation(rules["holidays"]),
        "MONTHNAMES": _alternation(rules["month_names"]),
        "LUNARWORDS": _alternation([w for w, e in rules["lunar_holidays"].items() if not e.get("needs_suffix")]),
        "LUNARSUFFIXED": _alternation([w for w, e in rules["lunar_holidays"].items() if e.get("needs_suffix")]),
        "SEASONWORDS": _alternation(rules["seasons"]),
        "WEEKORDINALS": _alternation(rules["week_ordinals"]),
        "EVENTNOUNS": _alternation(rules["event_nouns"]),
        "UNITWORDS": f"(?:{units}){frags['WORDEND']}",
        "DSTOP": f"(?!(?:{attached})|{_FLEX_SPACE}(?:{spaced}))",
        "DAYPRE": _not_preceded_by(rules["day_not_preceded_by"]),
        "WITHINWORDS": _alternation(rules["within_words"]),
        "WITHINPRE": _not_preceded_by(rules["within_not_preceded_by"]),
        "FROMNOW": "|".join(f"(?<={re.escape(w).replace(chr(92) + ' ', ' ')})" for w in rules["within_from_now"]),
        "RULECLAUSE": r"[^.!?\n]{0,40}?(?:" + _alternation(rules["within_rule_clause"]) + ")",
        "MPRE": _not_preceded_by(rules["month_not_preceded_by"]),
    }


def _first_chars(rules: dict, start: str) -> str:
    """Lookahead on the characters a pattern's match can start with (the pattern's "start" class in the
    data: the digits plus the initials of the listed word tables): lets the regex engine skip fast."""
    spec = rules["start_classes"][start]
    words = [w for table in spec["tables"] for w in (TABLES.get(table) or rules[table])]
    chars = sorted({w[0] for w in words} | set(spec["chars"]))
    return "(?=[" + "".join(re.escape(c) for c in chars) + "])"


def _not_preceded_by(words) -> str:
    """Chain of fixed-width negative lookbehinds, one per word."""
    return "".join(f"(?<!{re.escape(w).replace(chr(92) + ' ', ' ')})" for w in words)


_PLACEHOLDER = re.compile(r"\{\{(\w+)(?::(\w+))?\}\}")
_GROUP = re.compile(r"\(\?P([<=])(\w+)")


def _expand(regex: str, frags: dict[str, str], depth: int = 0) -> str:
    """Replace {{NAME}} by its fragment; {{NAME:b}} also renames its groups to name_b."""
    if depth > 20:
        raise ValueError("fragment recursion too deep")

    def substitute(m: re.Match) -> str:
        body = _expand(frags[m.group(1)], frags, depth + 1)
        suffix = m.group(2)
        if suffix:
            body = _GROUP.sub(lambda g: f"(?P{g.group(1)}{g.group(2)}_{suffix}", body)
        return body

    return _PLACEHOLDER.sub(substitute, regex)


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    regex: re.Pattern
    consecutive: bool = False    # a conjunction rule: both parts must be adjacent days/years
    max_month_span: int = 12     # how many months a range's end may lie after its start
    requires: tuple = ()         # a text without any of these strings has no match: the rule is not scanned


def _compile_rules(rules: dict) -> tuple[Rule, ...]:
    frags = {**rules["fragments"], **_generated_fragments(rules)}
    return tuple(Rule(p["id"], p["kind"],
                       re.compile(_first_chars(rules, p.get("start", "korean")) + _expand(p["regex"], frags)),
                       p.get("consecutive", False), p.get("max_month_span", 12), tuple(p.get("requires", ())))
                 for p in rules["patterns"])


COMPILED = _compile_rules(RULES)

# ---------------------------------------------------------------------------
# matching and selection
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    order: int
    rule: Rule
    groups: dict

