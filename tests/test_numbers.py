"""Corpus and gold tests for the quantity extractor (pipeline.numbers).

* ``tests/corpus/numbers.jsonl``: one example a line, ``{"text", "expect": [...]}``.
  Every expected mention must be found (same surface text, and every field the
  example gives), and no other mention may be found.
* ``tests/gold/seeds.json``: the ``numbers.must`` / ``numbers.should`` items of the
  sample articles in ``raw/`` (matching rules in ``tests/gold/README.md``).
"""
from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from pathlib import Path

import pytest

from pipeline.extract.mentions import NumberMention
from pipeline.extract.numbers import extract_numbers

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CORPUS = TESTS / "corpus" / "numbers.jsonl"
GOLD = TESTS / "gold" / "seeds.json"
RAW = ROOT / "raw"

FIELDS = ("value", "value_max", "kind", "unit", "counted", "counted_noun", "qualifier")


def _load_corpus():
    out = []
    with open(CORPUS, encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            line = line.strip()
            if line:
                out.append((i, json.loads(line)))
    return out


CORPUS_ROWS = _load_corpus()


def _row_id(row) -> str:
    """ASCII id: line number, then the expected values (or the ASCII bits of a negative)."""
    i, ex = row
    if ex["expect"]:
        parts = []
        for e in ex["expect"]:
            p = f"{e.get('kind', '')}{float(e['value']):g}"
            if e.get("counted"):
                p += f"-{e['counted']}"
            if e.get("qualifier", "exact") != "exact":
                p += f"-{e['qualifier']}"
            parts.append(p)
        return f"L{i:03d}-" + "+".join(parts)
    ascii_bits = "_".join(re.findall(r"[A-Za-z0-9][A-Za-z0-9.:/\-]*", ex["text"]))[:40]
    return f"L{i:03d}-none-{ascii_bits or 'text'}"


def _same(field: str, got, want) -> bool:
    if field in ("value", "value_max") and got is not None and want is not None:
        return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12)
    return got == want


def test_corpus_size():
    positives = [ex for _, ex in CORPUS_ROWS if ex["expect"]]
    negatives = [ex for _, ex in CORPUS_ROWS if not ex["expect"]]
    assert len(CORPUS_ROWS) >= 130
    assert len(negatives) >= 30
    assert positives


@pytest.mark.parametrize("row", CORPUS_ROWS, ids=[_row_id(r) for r in CORPUS_ROWS])
def test_corpus_example(row):
    _, ex = row
    text = ex["text"]
    got = extract_numbers(text)
    by_text: dict[str, list[NumberMention]] = {}
    for m in got:
        by_text.setdefault(m.text, []).append(m)
    problems = []
    for exp in ex["expect"]:
        cands = by_text.get(exp["text"], [])
        if not cands:
            problems.append(f"missing {exp['text']!r}; got {[m.text for m in got]}")
            continue
        ok = False
        diffs = []
        for m in cands:
            d = [f"{f}={getattr(m, f)!r} (want {exp[f]!r})" for f in FIELDS
                 if f in exp and not _same(f, getattr(m, f), exp[f])]
            if not d:
                ok = True
                break
            diffs.append(", ".join(d))
        if not ok:
            problems.append(f"{exp['text']!r}: " + " | ".join(diffs))
    expected_texts = {e["text"] for e in ex["expect"]}
    for m in got:
        if m.text not in expected_texts:
            problems.append(f"unexpected {m.text!r} ({m.kind}, {m.value}, rule {m.rule})")
    assert not problems, "\n".join(problems)


def test_corpus_mentions_are_well_formed():
    for _, ex in CORPUS_ROWS:
        text = ex["text"]
        ms = extract_numbers(text)
        last_end = -1
        for m in ms:
            assert text[m.start:m.end] == m.text
            assert m.start >= last_end
            last_end = m.end


# --------------------------------------------------------------------------- gold
def _gold_items(level: str):
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    items = []
    for name, art in gold["articles"].items():
        for it in art.get("numbers", {}).get(level, []):
            items.append((name, it))
    return items


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _gold_match(name: str, item: dict) -> tuple[bool, list[str]]:
    text = (RAW / name).read_text(encoding="utf-8")
    want = _nfc(item["text"])
    near = []
    for m in extract_numbers(text):
        surf = _nfc(m.text)
        if want in surf or surf in want:
            near.append(f"{m.text!r} value={m.value} counted={m.counted} qualifier={m.qualifier}")
            if (math.isclose(m.value, float(item["value"]))
                    and m.counted == item["counted"] and m.qualifier == item["qualifier"]):
                return True, near
    return False, near


MUST = _gold_items("must")
SHOULD = _gold_items("should")


def _gold_id(name: str, item: dict) -> str:
    return f"{name[:3]}-{float(item['value']):g}-{item['counted']}-{item['qualifier']}"


@pytest.mark.parametrize("name,item", MUST, ids=[_gold_id(n, it) for n, it in MUST])
def test_gold_must(name, item):
    ok, near = _gold_match(name, item)
    assert ok, f"{name}: gold {item} not found; overlapping mentions: {near}"


@pytest.mark.parametrize("name,item", SHOULD, ids=[_gold_id(n, it) for n, it in SHOULD])
def test_gold_should(name, item):
    ok, near = _gold_match(name, item)
    assert ok, f"{name}: gold {item} not found; overlapping mentions: {near}"


def test_raw_articles_have_no_date_or_code_numbers():
    """Dates, codes and list markers of the sample articles never become quantities."""
    bad_units = {"년", "월", "일"}
    for path in sorted(RAW.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for m in extract_numbers(text):
            if m.kind != "duration":
                assert m.unit not in bad_units, (path.name, m)
            assert not m.text.startswith(("2024.", "2025.", "'24", "’24")), (path.name, m)
            assert m.text not in {"G7", "G20", "19", "30669"}, (path.name, m)


def test_fast_on_an_article():
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt")))[:10000]
    extract_numbers(text)
    t0 = time.perf_counter()
    for _ in range(5):
        extract_numbers(text)
    per_call = (time.perf_counter() - t0) / 5
    assert per_call < 0.1, per_call
