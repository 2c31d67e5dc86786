"""``make coverage``: what the date and number extractors leave uncovered in all the text the project has.

Runs :func:`~pipeline.extract.dates.extract_dates` and :func:`~pipeline.extract.numbers.extract_numbers` over
the samples (``raw/``), the dev corpus (``tests/data/dev_corpus/pages``) and the development half of the KLUE
news sentences (the held-out half stays unseen, see :mod:`~pipeline.quality.evaluate`), then lists every digit
run, numeral word and date-like word (``일``/``월``/``년``/``주`` after a number, weekdays, ``분기``, holiday
names, day words) that no mention covers (stock codes such as ``000880`` and record ids of ten digits or more are not counted), counted by *pattern*: the token with its numeral replaced by ``N``
and at most two following characters kept (``N개월``, ``N에``, ``스물N``). Rules are written from this list.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.extract.numeral_words import NATIVE

ROOT = Path(__file__).resolve().parents[2]
DEV_PAGES = ROOT / "tests" / "data" / "dev_corpus" / "pages"

_NATIVE_WORDS = tuple(w for w in NATIVE if len(w) > 1) + ("둘", "셋", "넷", "열", "쉰", "서너", "두세", "대여섯")
_NATIVE_SHORT = ("한", "두", "세", "네")
_COUNTERS = ("명", "개", "곳", "번", "차례", "가지", "달", "해", "주", "살", "사람", "건", "마리", "대", "개국")
_HOLIDAYS = ("설날", "설 연휴", "추석", "한가위", "부처님오신날", "석가탄신일", "광복절", "성탄절", "크리스마스",
             "어린이날", "어버이날", "한글날", "삼일절", "3·1절", "현충일", "제헌절", "개천절", "정월대보름")
_DAY_WORDS = ("모레", "글피", "그저께", "그끄저께", "그제", "내일", "어제", "오늘", "주말", "세기", "분기")

_FOLLOW = "(?=[ ,.·)]|$|[명개곳원번년월일주분초시의에은는이가을를도만째차회위배%])"
_TOKEN = re.compile(
    r"(?<![0-9A-Za-z_/&=:#.\-])(?P<num>[-−]?[0-9０-９][0-9０-９,.]*)(?![0-9A-Za-z_/&=:#\-])"
    rf"|(?<![가-힣])(?P<sino>(?:[일이삼사오육칠팔구]?[십백천])+[일이삼사오육칠팔구]?[만억조경]?"
    rf"|[일이삼사오육칠팔구][만억조]){_FOLLOW}"
    rf"|(?<![가-힣])(?P<native>{'|'.join(sorted(_NATIVE_WORDS, key=len, reverse=True))}){_FOLLOW}"
    rf"|(?<![가-힣])(?P<short>{'|'.join(_NATIVE_SHORT)}) (?=(?:{'|'.join(_COUNTERS)})(?![가-힣]|[은는이가을를의에도]))"
    r"|(?P<weekday>[월화수목금토일]요일)"
    rf"|(?P<word>{'|'.join(sorted(_HOLIDAYS + _DAY_WORDS, key=len, reverse=True))})")
_CODE = re.compile(r"0[0-9]{3,}|[0-9]{10,}")        # stock codes (000880), record ids (202101061240006158)
_SUFFIX = re.compile(r"[ ]?[^\s\"'“”‘’(),.\[\]]{0,2}")


@dataclass
class Text:
    source: str
    text: str
    reference: date | None


def _dev_pages() -> list[Text]:
    out = []
    for path in sorted(DEV_PAGES.glob("*.txt")):
        meta = path.with_suffix(".meta.json")
        published = json.loads(meta.read_text(encoding="utf-8")).get("published") if meta.exists() else None
        out.append(Text("dev_corpus", path.read_text(encoding="utf-8"),
                        date.fromisoformat(published[:10]) if published else None))
    return out


def all_texts() -> list[Text]:
    """The samples, the dev corpus and the development half of the KLUE news sentences."""
    from .evaluate import klue_records

    from pipeline.clean.cleaner import clean_lines

    texts = [Text("raw", clean_lines(p.read_text(encoding="utf-8")).text, None)
             for p in sorted((ROOT / "raw").glob("*.txt"))]
    texts += _dev_pages()
    texts += [Text("klue_dev", r["text"], None) for r in klue_records("dev")]
    return texts


def _pattern(text: str, m: re.Match) -> str:
    kind = m.lastgroup
    if kind in ("weekday", "word"):
        return m.group(0)
    head = "N" if kind == "num" else f"{kind}:N"
    return head + _SUFFIX.match(text, m.end()).group(0)


def uncovered(texts: list[Text]) -> dict:
    """Counts of numeral and date-like tokens covered / not covered, and the uncovered ones by pattern."""
    from pipeline.extract.dates import extract_dates
    from pipeline.extract.numbers import extract_numbers

    totals: Counter = Counter()
    patterns: Counter = Counter()
    examples: dict[str, str] = {}
    by_source: dict[str, Counter] = defaultdict(Counter)
    for item in texts:
        spans = [(m.start, m.end) for m in extract_dates(item.text, item.reference)]
        spans += [(m.start, m.end) for m in extract_numbers(item.text)]
        for m in _TOKEN.finditer(item.text):
            if m.lastgroup == "num" and _CODE.fullmatch(m.group(0).rstrip(",.")):
                continue                                   # 000880: a stock code, not a numeral; or an id
            kind = "date_word" if m.lastgroup in ("weekday", "word") else "numeral"
            covered = any(s < m.end() and m.start() < e for s, e in spans)
            totals[(kind, covered)] += 1
            by_source[item.source][covered] += 1
            if not covered:
                key = _pattern(item.text, m)
                patterns[key] += 1
                examples.setdefault(key, item.text[max(0, m.start() - 15):m.end() + 15].replace("\n", " "))
    return {"covered": {k: totals[(k, True)] for k in ("numeral", "date_word")},
            "uncovered": {k: totals[(k, False)] for k in ("numeral", "date_word")},
            "by_source": {s: {"covered": c[True], "uncovered": c[False]} for s, c in sorted(by_source.items())},
            "patterns": patterns.most_common(), "examples": examples}


def render(result: dict, top: int) -> str:
    lines = [f"coverage — {date.today().isoformat()}",
             "tokens  covered  uncovered"]
    for kind in ("numeral", "date_word"):
        lines.append(f"  {kind:<10}{result['covered'][kind]:7d}{result['uncovered'][kind]:10d}")
    for source, c in result["by_source"].items():
        lines.append(f"  {source:<10}{c['covered']:7d}{c['uncovered']:10d}")
    lines += ["", f"uncovered, by pattern (top {top}):"]
    for key, n in result["patterns"][:top]:
        lines.append(f"  {n:5d}  {key:<14} {result['examples'][key]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.quality.coverage", description=__doc__.split("\n")[0])
    parser.add_argument("--top", type=int, default=60, help="how many patterns to list")
    parser.add_argument("--json", help="also write the counts to this JSON file")
    args = parser.parse_args(argv)
    result = uncovered(all_texts())
    print(render(result, args.top))
    if args.json:
        Path(args.json).write_text(json.dumps({k: v for k, v in result.items() if k != "examples"},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
