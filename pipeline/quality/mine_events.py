"""Events and officials a Korean reader would question, counted by pattern: what the event rules still miss.

Usage: python -m pipeline.quality.mine_events PROCESSED_DIR [--show N] [--only NAME,...]
(run ``pipeline extract PAGES PROCESSED_DIR`` first; ``--only`` keeps the articles whose source file name
contains one of the given strings). Three lists:

- **missed clauses**: body sentences with a trigger noun of ``events.json`` ``clauses.nouns`` followed by a
  light verb of its family (or a launch verb after a subject) that no event's evidence covers, counted by
  ``trigger+verb``;
- **doubtful events**: events whose evidence reads as a plan, wish, negation or history, or comes only from
  the title with no predicate, counted by kind;
- **doubtful officials**: names with a word the article also uses alone with a particle (a company: 김남진
  니즈퍼샌드), names of three or more words, one-word names of a common noun Kiwi knows, and company titles
  (대표, 회장, 사장, CEO) without an organisation.

The patterns are the reader's questions, not rules: a hit is a place to look, and each rule written from one
needs examples from real usage in ``tests/corpus/``.
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

RULES = Path(__file__).resolve().parents[1] / "events" / "data" / "events.json"
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")
PLAN = re.compile(r"(할|갖을|열|가질|예정|계획|방침)(?: 예정| 계획| 방침)?(?:이다|이며|이라고|이라며|입니다)|하기로 했")
WISH = re.compile(r"희망|바란다|하고 싶|기대한다|기대된다")
NEGATION = re.compile(r"지 않았|지 못했|못 했|무산|불발|실패|결렬")
PREDICATE_END = re.compile(r"(다|까|요|음|함)[.\"”’']*$")
COMPANY_TITLES = ("대표", "대표이사", "회장", "사장", "부사장", "CEO", "최고경영자", "창업자", "의장")
PARTICLE_AFTER = r"(?:은|는|이|가|을|를|와|과|의|에|도|로|으로|에서|와의|과의)"


def clause_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """Trigger noun + (을|를|이|가)? + light verb, subject + launch verb, and a reporting modifier before a
    trigger (개최한 ‘…’ 행사에서, 열린 … 위원회에서), from the rules."""
    data = json.loads(RULES.read_text(encoding="utf-8"))
    rules = data["clauses"]
    nouns = sorted(rules["nouns"], key=len, reverse=True)
    verbs = sorted({v for vs in rules["light_verbs"].values() for v in vs}, key=len, reverse=True)
    noun_alt = "|".join(re.escape(n) for n in nouns)
    clause = re.compile(rf"({noun_alt})\s?(?:을|를|이|가|도)?\s?({'|'.join(map(re.escape, verbs))})")
    launch = re.compile(rf"(?:이|가|은|는)\s(?:[^\s]+\s){{0,4}}?({'|'.join(map(re.escape, rules['launch_verbs']))})(?:했|됐|한다|하였|식)")
    triggers = "|".join(re.escape(t) for t in sorted(data["triggers"], key=len, reverse=True) if not t.isascii())
    mods = "|".join(re.escape(m) for m in data["reporting_modifiers"])
    held = re.compile(rf"({mods})\s(?:[^\s.]+\s){{0,5}}?[^\s.]*?({triggers})[’'”\"]?(?:에서|에|을|를)(?=\s)")
    return clause, launch, held


def sentences(text: str):
    for m in SENTENCE.finditer(text or ""):
        s = m.group(0).strip()
        if len(s) >= 8:
            yield m.start(), m.end(), s


def missed_clauses(articles, events) -> tuple[Counter, dict]:
    clause, launch, held = clause_patterns()
    covered = defaultdict(list)
    for e in events.itertuples():
        for ev in (e.evidence if e.evidence is not None else []):
            if ev.get("start") is not None:
                covered[e.article_id].append((ev["start"], ev["end"]))
    counts, examples = Counter(), defaultdict(list)
    for a in articles.itertuples():
        spans = covered.get(a.article_id, [])
        for start, end, s in sentences(a.text):
            if any(st < end and start < en for st, en in spans):
                continue
            keys = {f"{m.group(1)}+{m.group(2)}" for m in clause.finditer(s)}
            keys |= {f"<subject>+{m.group(1)}" for m in launch.finditer(s)}
            keys |= {f"{m.group(1)}+…+{m.group(2)}" for m in held.finditer(s)}
            for key in keys:
                counts[key] += 1
                examples[key].append((a.source_path, s))
    return counts, examples


def doubtful_events(articles, events) -> tuple[Counter, dict]:
    ref = dict(zip(articles.article_id, articles.reference_date))
    counts, examples = Counter(), defaultdict(list)
    for e in events.itertuples():
        evid = list(e.evidence if e.evidence is not None else [])
        texts = [ev.get("text", "") for ev in evid]
        body = [ev for ev in evid if ev.get("start") is not None]
        kinds = []
        if not body and not any(PREDICATE_END.search(t.strip()) for t in texts):
            kinds.append("title_without_predicate")
        joined = " ".join(ev.get("text", "") for ev in (body or evid))
        if PLAN.search(joined) and not e.date_start:
            kinds.append("plan_without_date")
        if WISH.search(joined):
            kinds.append("wish")
        if NEGATION.search(joined):
            kinds.append("negation_or_failure")
        r = ref.get(e.article_id)
        if e.date_start and r is not None and str(e.date_start)[:4] < str(r)[:4]:
            kinds.append("dated_before_reference_year")
        for k in kinds:
            counts[k] += 1
            examples[k].append((e.article_id, f"{e.type}: {e.name} | {e.date_start} | {joined[:140]}"))
    return counts, examples


def doubtful_officials(articles, officials) -> tuple[Counter, dict]:
    from pipeline.nlp import get_kiwi
    kiwi = get_kiwi()
    text = dict(zip(articles.article_id, articles.text))
    counts, examples = Counter(), defaultdict(list)
    for o in officials.drop_duplicates(["article_id", "name", "title"]).itertuples():
        words, body = o.name.split(), text.get(o.article_id, "")
        kinds = []
        for w in words if len(words) >= 2 else []:
            if re.search(rf"(?<![가-힣]){re.escape(w)}{PARTICLE_AFTER}(?![가-힣])", body):
                kinds.append("word_used_alone_with_particle")
                break
        if len(words) >= 3 and all(re.fullmatch(r"[가-힣]+", w) for w in words):
            kinds.append("three_or_more_words")
        if len(words) == 1 and re.fullmatch(r"[가-힣]{2,}", o.name):
            tokens = kiwi.tokenize(o.name)
            if len(tokens) >= 2 and tokens[-1].tag.startswith("J") or len(tokens) == 1 and tokens[0].tag == "NNG" \
                    and not getattr(tokens[0], "oov", False):
                kinds.append("common_noun_or_particle_as_name")
        if o.title in COMPANY_TITLES and not isinstance(o.organization, str):
            kinds.append("company_title_without_organisation")
        for k in kinds:
            counts[k] += 1
            examples[k].append((o.article_id, f"{o.name} | {o.title} | {o.organization} | {str(o.text)[:80]}"))
    return counts, examples


def report(title: str, counts: Counter, examples: dict, show: int) -> None:
    print(f"{title}: {sum(counts.values())}")
    for key, n in counts.most_common():
        print(f"  {key:<40}{n:5d}")
        for src, line in examples[key][:show]:
            print(f"      {Path(str(src)).name[:40]} :: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("processed")
    parser.add_argument("--show", type=int, default=3, help="examples per pattern")
    parser.add_argument("--only", default="", help="comma-separated parts of source file names to keep")
    args = parser.parse_args()
    import pandas as pd

    articles = pd.read_parquet(f"{args.processed}/articles")
    if args.only:
        keep = [k for k in args.only.split(",") if k]
        articles = articles[articles.source_path.map(lambda p: any(k in str(p) for k in keep))]
    ids = set(articles.article_id)
    events = pd.read_parquet(f"{args.processed}/events")
    events = events[events.article_id.isin(ids)]
    officials = pd.read_parquet(f"{args.processed}/officials")
    officials = officials[officials.article_id.isin(ids)]
    print(f"{len(articles)} articles, {len(events)} events, {officials.name.nunique()} official names")
    report("missed clauses (trigger+verb in a body sentence no event covers)", *missed_clauses(articles, events),
           args.show)
    report("doubtful events", *doubtful_events(articles, events), args.show)
    report("doubtful officials", *doubtful_officials(articles, officials), args.show)


if __name__ == "__main__":
    main()
