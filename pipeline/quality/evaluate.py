"""``make eval``: extraction quality on every labelled set the project has, gated by floors.

Sets:
- the gold file (tests/gold/seeds.json): share of `must` and `should` items met, by section;
- KLUE-NER dev subset, news sentences (tests/data/eval/, CC BY-SA 4.0): precision, recall and F1 per
  label, exact and overlapping spans, on each of two halves split by the sha1 of the sentence id (even last
  hex digit: ``dev``, the half rules may be developed on; odd: ``holdout``, never looked at while writing
  rules; floors are set from it). Mapping: dates and number durations -> DT, clock times and durations in
  hours, minutes or seconds -> TI (KLUE's label for them, not scored), other numbers -> QT,
  officials' names -> PS (titled people only, so PS recall is partial by design), organisations -> OG,
  locations -> LC;
- the corpora of examples beside each rule family (tests/corpus/): share of examples passing;
- hand-labelled real news (tests/data/eval/events_labels.jsonl, :mod:`pipeline.quality.events_eval`):
  events precision/recall/F1, date, place and country-count accuracy on matched events, officials
  precision/recall and spurious events per article without events, for the dev and holdout splits.
- cleaning on real pages with hand-written expectations (tests/data/eval/cleaning_labels.jsonl, dev and
  holdout splits), the project beside trafilatura alone, and the dev corpus's no_text count
  (pipeline/quality/cleaning.py).

Floors live in tests/eval_floors.json; a figure below its floor fails the run (exit 1).
Raising a floor is a normal commit; lowering one needs a written reason in that file's "reasons".
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date
from pathlib import Path

from pipeline.quality.cleaning import evaluate_cleaning
from pipeline.quality.cleaning import figures as cleaning_figures
from pipeline.quality.cleaning import render as render_cleaning

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "gold" / "seeds.json"
KLUE = ROOT / "tests" / "data" / "eval" / "klue_ner_dev_A.jsonl"
FLOORS = ROOT / "tests" / "eval_floors.json"
CORPUS_TESTS = {"dates": "tests/test_dates.py", "numbers": "tests/test_numbers.py",
                "entities": "tests/test_entities.py", "events": "tests/test_events.py",
                "boilerplate": "tests/test_boilerplate.py"}
LABELS = ("DT", "QT", "PS", "OG", "LC")
_TIME_UNITS = {"시간", "분", "초"}     # KLUE labels clock times and amounts of hours/minutes TI (not scored here)


def _number_label(m) -> str:
    if m.kind == "time" or (m.kind == "duration" and m.unit in _TIME_UNITS):
        return "TI"
    return "DT" if m.kind == "duration" else "QT"



# -- KLUE ------------------------------------------------------------------------------------

def predicted_spans(analysis) -> list[tuple[int, int, str]]:
    spans = [(m.start, m.end, "DT") for m in analysis.dates]
    spans += [(m.start, m.end, _number_label(m)) for m in analysis.numbers]
    spans += [(m.name_start, m.name_end, "PS") for m in analysis.officials]
    spans += [(m.start, m.end, "OG") for m in analysis.organizations]
    spans += [(m.start, m.end, "LC") for m in analysis.locations]
    return spans


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_spans(pairs: list[tuple[list, list]]) -> dict[str, dict[str, float]]:
    """pairs of (predicted, gold) span lists per sentence -> per label P/R/F1, exact and overlap."""
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # tp_pred, n_pred, tp_gold, n_gold
    for predicted, gold in pairs:
        for mode in ("exact", "overlap"):
            match = (lambda p, g: p[:2] == g[:2]) if mode == "exact" else (lambda p, g: _overlaps(p, g))
            for label in LABELS:
                pred = [p for p in predicted if p[2] == label]
                gl = [g for g in gold if g[2] == label]
                t = tally[(label, mode)]
                t[0] += sum(any(match(p, g) for g in gl) for p in pred)
                t[1] += len(pred)
                t[2] += sum(any(match(p, g) for p in pred) for g in gl)
                t[3] += len(gl)
    out: dict[str, dict[str, float]] = {}
    for (label, mode), (tp_p, n_p, tp_g, n_g) in tally.items():
        precision = tp_p / n_p if n_p else 0.0
        recall = tp_g / n_g if n_g else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[f"{label}_{mode}"] = {"precision": precision, "recall": recall, "f1": f1, "n_pred": n_p, "n_gold": n_g}
    return out


HALVES = ("dev", "holdout")


def klue_half(record_id: str) -> str:
    """``dev`` or ``holdout``: a fixed split by the sha1 of the sentence id (even / odd last hex digit)."""
    return HALVES[int(hashlib.sha1(record_id.encode("utf-8")).hexdigest()[-1], 16) % 2]


def klue_records(half: str | None = None, path: Path = KLUE, source: str = "wikitree") -> list[dict]:
    """The KLUE news sentences, all or one half."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in records if r.get("source") == source and (half is None or klue_half(r["id"]) == half)]


def evaluate_klue(half: str | None = None, limit: int | None = None) -> dict:
    from pipeline.document import analyse

    records = klue_records(half)[:limit]
    pairs = []
    for record in records:
        analysis = analyse(record["text"], None)
        gold = [(s["start"], s["end"], s["label"]) for s in record["spans"] if s["label"] in LABELS]
        pairs.append((predicted_spans(analysis), gold))
    return {"n_sentences": len(records), "scores": score_spans(pairs)}


# -- gold file -------------------------------------------------------------------------------

def evaluate_gold() -> dict:
    """Run the samples through the whole pipeline in a temporary folder and score every gold item."""
    import pyarrow.dataset as ds

    from .gold import load_cases, org_aliases, score, views_from_tables
    from pipeline.batch.runner import run_extract
    from pipeline.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "processed"
        run_extract(ROOT / "raw", out, Settings(workers=1, quiet=True))
        names = ("articles", "dates", "numbers", "officials", "organizations", "events", "event_clusters")
        tables = {n: ds.dataset(out / n, format="parquet").to_table().to_pylist() for n in names}
    views = views_from_tables(tables, org_aliases())
    results = list(score(load_cases(GOLD), views, tables["event_clusters"]))
    by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed = []
    for case, ok in results:
        group = "should" if case.level == "should" else "must"
        for key in (group, f"{group}:{case.section}"):
            by[key][0] += ok
            by[key][1] += 1
        if not ok:
            missed.append(case.id)
    return {"met": {k: v[0] / v[1] for k, v in by.items()}, "counts": dict(by), "missed": missed}


# -- corpora ---------------------------------------------------------------------------------

def evaluate_corpora() -> dict[str, dict]:
    """Pass rate of each rule family's corpus tests (run with pytest, counted from its JUnit XML)."""
    out = {}
    for family, test_file in CORPUS_TESTS.items():
        if not (ROOT / test_file).exists():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            xml_path = Path(tmp) / "junit.xml"
            subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file,
                            f"--junitxml={xml_path}"], cwd=ROOT, capture_output=True, text=True)
            suite = ET.parse(xml_path).getroot().iter("testsuite")
            total = failed = 0
            for s in suite:
                total += int(s.get("tests", 0)) - int(s.get("skipped", 0))
                failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
        out[family] = {"passed": total - failed, "total": total, "share": (total - failed) / total if total else 0.0}
    return out


# -- gate and report -------------------------------------------------------------------------

def flatten(results: dict) -> dict[str, float]:
    figures = {f"gold.{k}": v for k, v in results["gold"]["met"].items()}
    for half in HALVES:
        for key, s in results["klue"][half]["scores"].items():
            for metric in ("precision", "recall", "f1"):
                figures[f"klue_{half}.{key}.{metric}"] = s[metric]
    for label in ("DT", "QT"):                  # hold-out discipline: the halves within 2 points of each other
        gap = (results["klue"]["dev"]["scores"][f"{label}_overlap"]["f1"]
               - results["klue"]["holdout"]["scores"][f"{label}_overlap"]["f1"])
        figures[f"klue_gap.{label}_overlap.f1_within_0.02"] = 1.0 if abs(gap) < 0.02 else 0.0
    figures.update({f"corpus.{k}": v["share"] for k, v in results["corpora"].items()})
    if results.get("cleaning"):
        figures.update(cleaning_figures(results["cleaning"]))
    if "events" in results:
        from .events_eval import flatten as flatten_events
        figures.update(flatten_events(results["events"]))
    return figures


def check_floors(figures: dict[str, float], floors: dict[str, float],
                 ceilings: dict[str, float] | None = None) -> list[str]:
    """Figures below their floor, and figures (such as spurious events per article) above their ceiling."""
    low = [f"{name}: {figures.get(name, 0.0):.3f} < floor {floor:.3f}"
           for name, floor in sorted(floors.items()) if figures.get(name, 0.0) + 1e-9 < floor]
    return low + [f"{name}: {figures.get(name, 1e9):.3f} > ceiling {ceiling:.3f}"
                  for name, ceiling in sorted((ceilings or {}).items()) if figures.get(name, 1e9) - 1e-9 > ceiling]


def render(results: dict, floors: dict[str, float]) -> str:
    lines = [f"make eval — {date.today().isoformat()}", "", "Gold file (share of items met):"]
    for key, value in sorted(results["gold"]["met"].items()):
        n = results["gold"]["counts"][key]
        lines.append(f"  {key:<28} {value:6.1%}  ({n[0]}/{n[1]})")
    for missed in results["gold"]["missed"]:
        lines.append(f"    missed: {missed}")
    for half in HALVES:
        klue = results["klue"][half]
        lines += ["", f"KLUE-NER dev, news sentences, {half} half (n={klue['n_sentences']}):",
                  f"  {'label':<6}{'mode':<9}{'P':>7}{'R':>7}{'F1':>7}{'pred':>7}{'gold':>7}"]
        for key in sorted(klue["scores"]):
            s = klue["scores"][key]
            label, mode = key.split("_")
            lines.append(f"  {label:<6}{mode:<9}{s['precision']:7.3f}{s['recall']:7.3f}{s['f1']:7.3f}"
                         f"{s['n_pred']:7d}{s['n_gold']:7d}")
    lines += ["", "Gap dev - holdout, overlap F1:"]
    for label in ("DT", "QT"):
        gap = (results["klue"]["dev"]["scores"][f"{label}_overlap"]["f1"]
               - results["klue"]["holdout"]["scores"][f"{label}_overlap"]["f1"])
        lines.append(f"  {label}  {gap:+.3f}")
    lines += ["", "Corpora beside the rules (examples passing):"]
    for family, c in sorted(results["corpora"].items()):
        lines.append(f"  {family:<12} {c['share']:6.1%}  ({c['passed']}/{c['total']})")
    if results.get("cleaning"):
        lines += ["", *render_cleaning(results["cleaning"])]
    if "events" in results:
        from .events_eval import render as render_events
        lines += [""] + render_events(results["events"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.quality.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--skip-corpora", action="store_true", help="do not run the corpus tests")
    parser.add_argument("--only-cleaning", action="store_true", help="only the cleaning figures on real pages")
    args = parser.parse_args(argv)
    started = time.monotonic()
    spec = json.loads(FLOORS.read_text(encoding="utf-8"))
    if args.only_cleaning:
        cleaning = evaluate_cleaning()
        floors = {k: v for k, v in spec["floors"].items() if k.startswith("cleaning.")}
        spec["ceilings"] = {}
        print("\n".join(render_cleaning(cleaning)))
        figures = cleaning_figures(cleaning)
    else:
        from .events_eval import evaluate_events

        results = {"gold": evaluate_gold(), "klue": {half: evaluate_klue(half) for half in HALVES},
                   "events": evaluate_events(), "corpora": {} if args.skip_corpora else evaluate_corpora(),
                   "cleaning": evaluate_cleaning()}
        floors = {k: v for k, v in spec["floors"].items() if not (args.skip_corpora and k.startswith("corpus."))}
        print(render(results, floors))
        figures = flatten(results)
    if args.json:
        Path(args.json).write_text(json.dumps({"date": date.today().isoformat(), "figures": figures}, indent=1))
    ceilings = spec.get("ceilings", {})
    failures = check_floors(figures, floors, ceilings)
    print(f"\n{len(floors) + len(ceilings) - len(failures)}/{len(floors) + len(ceilings)} floors and ceilings held ({time.monotonic() - started:.0f}s)")
    for failure in failures:
        print(f"  FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
