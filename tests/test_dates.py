"""Date extractor: the example corpus (tests/corpus/dates.jsonl) and the gold sample articles."""
from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from pipeline.extract.dates import extract_dates

TESTS = Path(__file__).resolve().parent
PROJECT = TESTS.parent
CORPUS = [json.loads(line) for line in (TESTS / "corpus" / "dates.jsonl").read_text(encoding="utf-8").splitlines()
          if line.strip()]
GOLD = json.loads((TESTS / "gold" / "seeds.json").read_text(encoding="utf-8"))["articles"]

# reference dates the gold README implies for the sample articles (the first is the main one)
GOLD_REFERENCES = {
    "000": [date(2024, 5, 22)],
    "001": [None],
    "002": [date(2025, 11, 8), date(2025, 2, 11)],
    "003": [date(2025, 2, 11)],
    "004": [date(2024, 11, 12)],
}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _corpus_id(line: int, item: dict) -> str:
    """ASCII id (pytest escapes Hangul in ids): corpus line number and what is expected, e.g. line012-day+month."""
    expected = "+".join(e["grain"] for e in item["expect"]) or "none"
    return f"line{line:03d}-{expected}"


CORPUS_IDS = [_corpus_id(n, item) for n, item in enumerate(CORPUS, 1)]


@pytest.mark.parametrize("item", CORPUS, ids=CORPUS_IDS)
def test_corpus_example(item: dict) -> None:
    ref = date.fromisoformat(item["reference"]) if item["reference"] else None
    found = extract_dates(item["text"], ref)
    by_text = {m.text: m for m in found}
    for exp in item["expect"]:
        assert exp["text"] in by_text, f"{item['text']}: missing {exp['text']!r}; found {[m.text for m in found]}"
        m = by_text[exp["text"]]
        got = {"start": _iso(m.date_start), "end": _iso(m.date_end), "grain": m.grain, "timex": m.timex}
        want = {k: exp[k] for k in ("start", "end", "grain", "timex")}
        assert got == want, f"{exp['text']!r} ({m.rule})"
    extra = [m.text for m in found if m.text not in {e["text"] for e in item["expect"]}]
    assert not extra, f"{item['text']}: unexpected mentions {extra}"


@pytest.mark.parametrize("item", CORPUS, ids=CORPUS_IDS)
def test_mentions_are_consistent(item: dict) -> None:
    ref = date.fromisoformat(item["reference"]) if item["reference"] else None
    found = extract_dates(item["text"], ref)
    assert [m.start for m in found] == sorted(m.start for m in found)
    for a, b in zip(found, found[1:]):
        assert a.end <= b.start
    for m in found:
        assert item["text"][m.start:m.end] == m.text
        assert (m.date_start is None) == (m.date_end is None) == (m.resolution == "unresolved")


def _gold_cases(level: str) -> list[tuple[str, date | None, dict]]:
    cases = []
    for name, article in sorted(GOLD.items()):
        for ref in GOLD_REFERENCES[name[:3]]:
            for item in article.get("dates", {}).get(level, []):
                cases.append((name, ref, item))
    return cases


def _raw_text(name: str) -> str:
    return unicodedata.normalize("NFC", (PROJECT / "raw" / name).read_text(encoding="utf-8"))


def _matches(item: dict, mention) -> bool:
    if unicodedata.normalize("NFC", item["text"]).replace(" ", "") not in mention.text.replace(" ", ""):
        return False
    if item["start"] is None:
        return mention.date_start is None and mention.timex == item.get("timex")
    return _iso(mention.date_start) == item["start"] and _iso(mention.date_end) == item["end"]


def _gold_id(case) -> str:
    name, ref, item = case
    return f"{name[:3]}@{ref}:{item['text']}"


@pytest.mark.parametrize("case", _gold_cases("must"), ids=_gold_id)
def test_gold_must(case) -> None:
    name, ref, item = case
    found = extract_dates(_raw_text(name), ref)
    assert any(_matches(item, m) for m in found), [(m.text, _iso(m.date_start), m.timex) for m in found]


@pytest.mark.parametrize("case", _gold_cases("should"), ids=_gold_id)
def test_gold_should(case) -> None:
    name, ref, item = case
    found = extract_dates(_raw_text(name), ref)
    assert any(_matches(item, m) for m in found), [(m.text, _iso(m.date_start), m.timex) for m in found]


def test_no_reference_keeps_explicit_year_absolute() -> None:
    [m] = extract_dates("2023년 11월 회의", None)
    assert (m.resolution, m.timex, _iso(m.date_start), _iso(m.date_end)) == ("absolute", "2023-11", "2023-11-01",
                                                                              "2023-11-30")


def test_previous_date_anchor_is_not_chained() -> None:
    text = "행사는 22일 열렸다. 전날 회의에 이어 이날 성명이 채택됐다."
    found = {m.text: m for m in extract_dates(text, date(2024, 5, 22))}
    assert found["전날"].resolution == "relative_to_previous_date"
    assert _iso(found["전날"].date_start) == "2024-05-21"
    assert _iso(found["이날"].date_start) == "2024-05-22"


def test_article_speed() -> None:
    import time
    text = _raw_text("003_d2343a382aed7d1a.txt")[:10_000]
    extract_dates(text, date(2025, 2, 11))
    started = time.perf_counter()
    for _ in range(5):
        extract_dates(text, date(2025, 2, 11))
    assert (time.perf_counter() - started) / 5 < 0.05


def _real_texts() -> list[str]:
    """Every date corpus line and every page of the two real-news folders (raw, so markup and all)."""
    texts = [item["text"] for item in CORPUS]
    for folder in ("dev_corpus", "news_more"):
        for page in sorted((TESTS / "data" / folder / "pages").iterdir()):
            if not page.name.endswith(".meta.json"):
                texts.append(page.read_bytes().decode("utf-8", errors="replace"))
    return texts


def test_a_rule_is_skipped_only_when_it_cannot_match() -> None:
    """``requires`` in data/dates.json lets a rule skip texts without any of its words: every match of such a
    rule, over the corpus and the real pages, lies in a text holding one of them, and texts do get skipped."""
    from pipeline.extract.date_rules import COMPILED

    gated = [rule for rule in COMPILED if rule.requires]
    assert len(gated) >= 20
    skipped = 0
    for text in _real_texts():
        for rule in gated:
            if any(word in text for word in rule.requires):
                continue
            skipped += 1
            m = rule.regex.search(text)
            assert m is None, f"{rule.id} matches {m.group()!r} in a text without any of {rule.requires}"
    assert skipped > len(gated) * 50
