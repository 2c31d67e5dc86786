"""Korean boilerplate rules: the line corpus, whole-page cleaning, and the gold sample pages.

- tests/corpus/boilerplate.jsonl: one line of page text per item, with the rule that must classify it
  (``match``: ``first_match`` returns that rule) or must leave it alone (``no_match``: ordinary article
  text that the rule does not match and that no dropping rule removes).
- tests/corpus/cleaning.jsonl: small multi-line pages run through ``clean_lines``.
- tests/gold/seeds.json: the ``clean.must_include`` / ``clean.must_exclude`` items of the raw samples.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from pipeline.clean.boilerplate import BULLETS, DATA_FILE, rulebook
from pipeline.clean.cleaner import clean_lines

TESTS = Path(__file__).resolve().parent
PROJECT = TESTS.parent
RAW = PROJECT / "raw"
MIN_POSITIVE, MIN_NEGATIVE = 4, 2


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _squash(text: str) -> str:
    """Compare as the gold README says: Unicode NFC, all whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


SPEC = json.loads(DATA_FILE.read_text(encoding="utf-8"))
RULE_IDS = [r["id"] for r in SPEC["rules"]]
LINES = _jsonl(TESTS / "corpus" / "boilerplate.jsonl")
PAGES = _jsonl(TESTS / "corpus" / "cleaning.jsonl")
GOLD = json.loads((TESTS / "gold" / "seeds.json").read_text(encoding="utf-8"))["articles"]


def _line_ids(items: list[dict]) -> list[str]:
    """Readable ASCII ids: rule id, expectation, running number within that pair (weather.source-match-3)."""
    seen: Counter = Counter()
    ids = []
    for item in items:
        key = (item["rule"], item["expect"])
        seen[key] += 1
        ids.append(f"{item['rule']}-{item['expect']}-{seen[key]}")
    return ids


# ---------------------------------------------------------------- line corpus

@pytest.mark.parametrize("item", LINES, ids=_line_ids(LINES))
def test_line_example(item: dict) -> None:
    book = rulebook()
    line = item["line"]
    assert "\n" not in line, "a corpus item is one line of page text"
    hit = book.first_match(line)
    got = hit[0].id if hit else None
    if item["expect"] == "match":
        assert got == item["rule"], f"{line!r}: first rule is {got}, expected {item['rule']}"
    else:
        assert item["expect"] == "no_match", item
        own = book.rule(item["rule"]).search(line.strip(BULLETS))
        assert own is None, f"{item['rule']} matches article text {line!r} at {own.group(0)!r}"
        assert hit is None or hit[0].action == "caption", \
            f"article text {line!r} would be removed by {got} ({hit[0].action}): {hit[1].group(0)!r}"


def test_every_rule_has_examples() -> None:
    positives = Counter(i["rule"] for i in LINES if i["expect"] == "match")
    negatives = Counter(i["rule"] for i in LINES if i["expect"] == "no_match")
    short = {rid: (positives[rid], negatives[rid]) for rid in RULE_IDS
             if positives[rid] < MIN_POSITIVE or negatives[rid] < MIN_NEGATIVE}
    assert not short, f"rules with fewer than {MIN_POSITIVE} positive / {MIN_NEGATIVE} negative examples: {short}"


def test_corpus_names_only_known_rules() -> None:
    unknown = {i["rule"] for i in LINES} - set(RULE_IDS)
    assert not unknown, f"corpus names rules that boilerplate.json does not have: {unknown}"
    assert {i["expect"] for i in LINES} <= {"match", "no_match"}


def test_rule_file_is_well_formed() -> None:
    assert len(RULE_IDS) == len(set(RULE_IDS)), "rule ids must be unique"
    for rule in SPEC["rules"]:
        assert rule["action"] in ("drop", "strip", "caption", "tail", "block"), rule["id"]
        assert rule["category"] and rule["pattern"], rule["id"]
    labels = SPEC["section_labels"]
    assert len(labels) == len(set(labels)), "duplicate section labels"
    names = [p["name"] for p in SPEC["publishers"]]
    assert len(names) == len(set(names)), "duplicate publishers"
    assert [r.id for r in rulebook().rules] == RULE_IDS


# ---------------------------------------------------------------- whole pages

@pytest.mark.parametrize("case", PAGES, ids=[p["name"] for p in PAGES])
def test_cleaning_page(case: dict) -> None:
    cleaned = clean_lines(case["page"])
    text = _squash(cleaned.text)
    missing = [k for k in case["must_keep"] if _squash(k) not in text]
    assert not missing, f"dropped article text {missing}; removed: {[(r.rule, r.line) for r in cleaned.removed]}"
    left = [k for k in case["must_drop"] if _squash(k) in text]
    assert not left, f"boilerplate left in the text: {left}"
    assert cleaned.publisher == case["publisher"]
    assert list(cleaned.authors) == case["authors"]
    captions = [_squash(p.text) for p in cleaned.paragraphs if p.is_caption]
    for want in case.get("captions", []):
        assert any(_squash(want) in c for c in captions), f"not kept as a caption: {want!r}"
    for want in case.get("not_captions", []):
        assert not any(_squash(want) in c for c in captions), f"body text marked as a caption: {want!r}"
    if "title" in case:
        assert cleaned.title == case["title"]
    if "page_date" in case:
        assert cleaned.page_date == case["page_date"]
    if "n_removed" in case:
        assert len(cleaned.removed) == case["n_removed"], [(r.rule, r.line) for r in cleaned.removed]


def test_cleaning_corpus_covers_page_behaviours() -> None:
    assert len(PAGES) >= 12
    rules_seen = {r.rule for p in PAGES for r in clean_lines(p["page"]).removed}
    for needed in ("menu.tail_block", "headline_list.header", "headline_list.rows", "image.credit_tail"):
        assert needed in rules_seen, needed
    assert any(p.get("n_removed") == 0 for p in PAGES), "a page without boilerplate"


# ---------------------------------------------------------------- gold sample pages

GOLD_ITEMS = [(name, kind, i, text)
              for name, article in sorted(GOLD.items())
              for kind in ("must_include", "must_exclude")
              for i, text in enumerate(article.get("clean", {}).get(kind, []), 1)]


@pytest.fixture(scope="module")
def cleaned_samples() -> dict:
    return {name: clean_lines((RAW / name).read_text(encoding="utf-8")) for name in GOLD}


@pytest.mark.parametrize("name,kind,number,text", GOLD_ITEMS,
                         ids=[f"{n[:3]}-{k.removeprefix('must_')}-{i}" for n, k, i, _ in GOLD_ITEMS])
def test_gold_clean_item(name: str, kind: str, number: int, text: str, cleaned_samples: dict) -> None:
    body = _squash(cleaned_samples[name].text)
    if kind == "must_include":
        assert _squash(text) in body, f"{name}: lost {text!r}"
    else:
        assert _squash(text) not in body, f"{name}: kept boilerplate {text!r}"


def test_gold_samples_present() -> None:
    assert GOLD_ITEMS
    missing = [name for name in GOLD if not (RAW / name).is_file()]
    assert not missing, missing
