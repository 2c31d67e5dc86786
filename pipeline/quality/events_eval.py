"""Events and officials against the hand-labelled real news (``tests/data/eval/events_labels*.jsonl``).

Two labelled sets, each with its pages: ``events_labels.jsonl`` over ``tests/data/dev_corpus/pages/`` and
``events_labels_more.jsonl`` over ``tests/data/news_more/pages/`` (a second set of real news, labelled blind).
The pipeline runs over each folder (every page, as ``make extract`` would); each labelled item is the article
whose ``source_path`` is the item's ``doc``. Scores are kept apart for ``split=dev`` (tune on it) and
``split=holdout`` (floors come from it): rows ``dev`` and ``holdout`` (first set), ``more/dev`` and
``more/holdout`` (second set) and ``all/holdout`` (both hold-outs together).

Matching, per article: a predicted event and a labelled one are candidates when their types are of one
family (summit/meeting/forum; declaration/pledge; agreement; launch; visit) and either an evidence
sentence of the prediction and the label's evidence share a stretch of at least 12 characters (spaces
ignored; or one contains the other when shorter), or their names are alike (spaces and brackets ignored:
equal, one inside the other, or a difflib ratio of at least 0.6). Candidates are paired one to one,
best name ratio first. Then:

- events: precision = matched predictions / predictions, recall = matched labels / labels, F1;
- on matched pairs: date right when both have none, or the label's start (YYYY, YYYY-MM or YYYY-MM-DD)
  is a prefix of the predicted start and its end (else its start) a prefix of the predicted end; place
  right when both have none or one (spaces ignored) contains the other; country count right (over pairs
  where either side has a country count) when the sets of country values are equal;
- officials: distinct names per article (spaces removed), precision and recall over all items;
- spurious events: predictions per article on items labelled with no events.
"""
from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "tests" / "data" / "eval" / "events_labels.jsonl"
PAGES = ROOT / "tests" / "data" / "dev_corpus" / "pages"
LABELS_MORE = ROOT / "tests" / "data" / "eval" / "events_labels_more.jsonl"
PAGES_MORE = ROOT / "tests" / "data" / "news_more" / "pages"
SETS = {"": (LABELS, PAGES), "more": (LABELS_MORE, PAGES_MORE)}   # row prefix -> (labels, pages)
FAMILY = {"summit": "gathering", "meeting": "gathering", "forum": "gathering", "declaration": "statement",
          "pledge": "statement", "agreement": "agreement", "launch": "launch", "visit": "visit"}
MIN_SHARED = 12
NAME_RATIO = 0.6


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _name_form(name: str | None) -> str:
    return re.sub(r"[\s()\[\]‘’'“”\"·ㆍ-]+", "", name or "").lower()


def _shared(a: str, b: str) -> bool:
    a, b = squash(a), squash(b)
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    if len(short) < MIN_SHARED:
        return short in long_
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size >= MIN_SHARED


def name_ratio(a: str | None, b: str | None) -> float:
    a, b = _name_form(a), _name_form(b)
    if not a or not b:
        return 0.0
    if a in b or b in a:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _candidate(pred: dict, label: dict) -> float | None:
    """A pairing score (higher is better), or None when the two cannot be the same event."""
    if FAMILY.get(pred["type"]) != FAMILY.get(label["type"]):
        return None
    ratio = name_ratio(pred["name"], label["name"])
    evidence = any(_shared(e["text"], label.get("evidence") or "") for e in pred.get("evidence") or [])
    if evidence or ratio >= NAME_RATIO:
        return ratio + evidence
    return None


def match_events(preds: list[dict], labels: list[dict]) -> list[tuple[dict, dict]]:
    scored = [(s, i, j) for i, p in enumerate(preds) for j, g in enumerate(labels)
              if (s := _candidate(p, g)) is not None]
    used_p, used_g, pairs = set(), set(), []
    for _, i, j in sorted(scored, key=lambda t: -t[0]):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((preds[i], labels[j]))
    return pairs


def _iso(value) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def date_right(pred: dict, label: dict) -> bool:
    start, end = _iso(pred.get("date_start")), _iso(pred.get("date_end"))
    if not label.get("date_start"):
        return start is None
    if start is None:
        return False
    wanted_end = label.get("date_end") or label["date_start"]
    return start.startswith(label["date_start"]) and (end or start).startswith(wanted_end)


def place_right(pred: dict, label: dict) -> bool:
    p, g = squash(pred.get("location")), squash(label.get("place"))
    if not p or not g:
        return p == g
    return p in g or g in p


def country_counts(counts) -> set[float]:
    return {float(c["value"]) for c in counts or [] if c.get("counted") == "country"}


def official_names(rows) -> set[str]:
    return {squash(r["name"]) for r in rows if r.get("name")}


# -- scoring ---------------------------------------------------------------------------------

def score_items(items: list[dict], predicted: dict[str, dict]) -> dict:
    """items: label lines; predicted: doc -> {"events": [...], "officials": [...]}."""
    t = defaultdict(int)
    details = []
    for item in items:
        got = predicted.get(item["doc"], {"events": [], "officials": []})
        preds, labels = got["events"], item["events"]
        pairs = match_events(preds, labels)
        t["pred"] += len(preds)
        t["gold"] += len(labels)
        t["matched"] += len(pairs)
        for p, g in pairs:
            t["date_ok"] += date_right(p, g)
            t["place_ok"] += place_right(p, g)
            pc, gc = country_counts(p.get("counts")), country_counts(g.get("counts"))
            if pc or gc:
                t["count_n"] += 1
                t["count_ok"] += pc == gc
        if not item["has_events"]:
            t["empty_items"] += 1
            t["spurious"] += len(preds)
        p_names, g_names = official_names(got["officials"]), official_names(item["officials"])
        t["off_pred"] += len(p_names)
        t["off_gold"] += len(g_names)
        t["off_tp"] += len(p_names & g_names)
        details.append({"doc": item["doc"], "pairs": pairs, "preds": preds, "labels": labels,
                        "off_extra": sorted(p_names - g_names), "off_missed": sorted(g_names - p_names)})
    return {"figures": figures(t), "tally": dict(t), "details": details}


def _div(a: int, b: int) -> float:
    return a / b if b else 0.0


def figures(t) -> dict[str, float]:
    p, r = _div(t["matched"], t["pred"]), _div(t["matched"], t["gold"])
    op, orc = _div(t["off_tp"], t["off_pred"]), _div(t["off_tp"], t["off_gold"])
    return {"precision": p, "recall": r, "f1": _div(2 * p * r, p + r),
            "date": _div(t["date_ok"], t["matched"]), "place": _div(t["place_ok"], t["matched"]),
            "country_count": _div(t["count_ok"], t["count_n"]),
            "officials_precision": op, "officials_recall": orc,
            "spurious_per_article": _div(t["spurious"], t["empty_items"])}


# -- running the pipeline ----------------------------------------------------------------------

def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def predict(pages: Path = PAGES, only: set[str] | None = None) -> dict[str, dict]:
    """Run the whole pipeline over the pages (``only``: these docs and their sidecars); events and
    officials by source_path."""
    import shutil

    import pyarrow.dataset as ds

    from pipeline.batch.runner import run_extract
    from pipeline.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        out, source = Path(tmp) / "processed", pages
        if only is not None:
            source = Path(tmp) / "pages"
            source.mkdir()
            for path in pages.iterdir():
                if path.name in only or path.name.removesuffix(".meta.json") in {Path(d).stem for d in only}:
                    shutil.copy(path, source / path.name)
        run_extract(source, out, Settings(workers=1, quiet=True))
        tables = {n: ds.dataset(out / n, format="parquet").to_table().to_pylist()
                  for n in ("articles", "events", "officials")}
    paths = {a["article_id"]: a["source_path"] for a in tables["articles"]}
    out_by: dict[str, dict] = defaultdict(lambda: {"events": [], "officials": []})
    for table in ("events", "officials"):
        for row in tables[table]:
            out_by[paths[row["article_id"]]][table].append(row)
    return dict(out_by)


def evaluate_events(predicted: dict[str, dict] | None = None, sets: dict | None = None) -> dict:
    """Rows per set and split (``dev``, ``holdout``, ``more/dev``, ``more/holdout``) and ``all/holdout``;
    ``predicted`` (doc -> events and officials) skips the pipeline runs."""
    sets = SETS if sets is None else sets
    results, holdout_items, all_predicted = {}, [], {}
    for prefix, (labels, pages) in sets.items():
        items = load_labels(labels)
        got = predict(pages) if predicted is None else predicted
        all_predicted.update({i["doc"]: got[i["doc"]] for i in items if i["doc"] in got})
        for split in ("dev", "holdout"):
            chosen = [i for i in items if i["split"] == split]
            results[f"{prefix}/{split}" if prefix else split] = score_items(chosen, got)
        holdout_items += [i for i in items if i["split"] == "holdout"]
    if len(sets) > 1:
        results["all/holdout"] = score_items(holdout_items, all_predicted)
    return results


def flatten(results: dict) -> dict[str, float]:
    return {f"events.{split}.{k}": v for split, r in results.items() for k, v in r["figures"].items()}


def render(results: dict) -> list[str]:
    lines = ["Events and officials, hand-labelled real news (tests/data/eval/events_labels*.jsonl;"
             " more/ = news_more, labelled blind):",
             f"  {'split':<14}{'P':>6}{'R':>6}{'F1':>6}{'date':>6}{'place':>6}{'cntry':>6}"
             f"{'offP':>6}{'offR':>6}{'spur':>6}  (pred/gold/matched; counts n)"]
    for split, r in results.items():
        f, t = r["figures"], r["tally"]
        lines.append(f"  {split:<14}" + "".join(f"{f[k]:6.2f}" for k in (
            "precision", "recall", "f1", "date", "place", "country_count", "officials_precision",
            "officials_recall", "spurious_per_article"))
            + f"  ({t.get('pred', 0)}/{t.get('gold', 0)}/{t.get('matched', 0)}; {t.get('count_n', 0)})")
    return lines


def show(row: str = "dev") -> None:
    """Print every item of a row (``dev``, ``holdout``, ``more/dev``, ``more/holdout``) with its predictions and
    labels side by side (for development; look at the hold-out rows only to report them)."""
    prefix, _, split = row.rpartition("/")
    if prefix not in SETS or split not in ("dev", "holdout"):
        raise SystemExit(f"unknown row {row!r}: use dev, holdout, more/dev or more/holdout")
    labels, pages = SETS[prefix]
    items = [i for i in load_labels(labels) if i["split"] == split]
    result = score_items(items, predict(pages, only={i["doc"] for i in items}))
    for d in result["details"]:
        matched = {id(p) for p, _ in d["pairs"]}
        matched_g = {id(g) for _, g in d["pairs"]}
        print(f"== {d['doc']}")
        for p, g in d["pairs"]:
            print(f"  OK   {p['type']}: {p['name']} | {_iso(p['date_start'])}..{_iso(p['date_end'])} "
                  f"@{p['location']} {sorted(country_counts(p['counts']))}")
            print(f"       gold {g['name']} | {g.get('date_start')}..{g.get('date_end')} @{g.get('place')} "
                  f"{sorted(country_counts(g.get('counts')))}")
        for p in d["preds"]:
            if id(p) not in matched:
                print(f"  FP   {p['type']}: {p['name']} | {_iso(p['date_start'])} @{p['location']} :: "
                      f"{(p['evidence'] or [{'text': ''}])[0]['text'][:100]}")
        for g in d["labels"]:
            if id(g) not in matched_g:
                print(f"  FN   {g['type']}: {g['name']} | {g.get('date_start')} @{g.get('place')} :: "
                      f"{(g.get('evidence') or '')[:100]}")
        if d["off_extra"] or d["off_missed"]:
            print(f"  officials extra {d['off_extra']} missed {d['off_missed']}")
    print("\n".join(render({row: result})))


if __name__ == "__main__":
    import sys
    show(sys.argv[1] if len(sys.argv) > 1 else "dev")
