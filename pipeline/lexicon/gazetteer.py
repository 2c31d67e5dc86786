"""Gazetteer data: the name lists the tokeniser and the entity extractors share.

Data (rules as data, under ``pipeline/lexicon/data/``):

- ``organizations.json``: ``{"canonical", "aliases", "abbreviation", "org_type", "country"}``
  (optional ``"role"``: the role of people holding a title there, when not implied by the
  type; optional ``"nomatch"``: surfaces that name the body but are too ambiguous to match).
- ``titles.json``: title words with roles, non-titles (bylines), name stop words, surnames.
- ``countries.json``, ``locations.json``: place names and the venue rule's words.
- ``leaders.json``: leaders' names -> country, for mentions whose article does not state it.
- ``entities_org_rules.json``: organisational heads for unseen names and their negatives.

The user dictionary for Kiwi (:func:`kiwi_user_words`) comes from the same lists, so
``행정안전부`` stays one token.
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path



from .text import has_hangul, norm_phrase
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
def leader_countries() -> dict[str, str]:
    """Leaders news names without their country (시진핑 주석): name as written -> canonical country."""
    return {unicodedata.normalize("NFC", k): v for k, v in _load("leaders.json", {}).get("leaders", {}).items()}


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
    for key, kind in (("cities", "city"), ("districts", "district"), ("venues", "venue"), ("regions", "region")):
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


