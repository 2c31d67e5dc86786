"""``make bench``: speed, memory and scaling of the extraction pipeline on a synthetic corpus.

One run measures, on the same corpus (``--docs``, default 2,000 documents):

(a) the *floor*: Kiwi tokenisation alone over the clean article texts plus trafilatura alone over
    the HTML pages -- the work no Kiwi-based pipeline can skip (one Kiwi load included);
(b) the full pipeline (``run_extract``) with 1 worker;
(c) the full pipeline with all cores (``workers = os.cpu_count()``);
(d) an incremental re-run with nothing new over ``--incremental`` (10,000) small inputs, after a
    first full run over them (the wall time of the second run);
(e) peak memory (RSS of the process tree) of (b) and (c), and of (b) at every size of ``--sizes``
    (500, 2,000, 8,000) to see how it grows.

Every measurement runs in a fresh subprocess (``python -m pipeline.quality.bench --child SPEC``); the parent
samples the RSS of the child and its descendants with psutil (falling back to ``getrusage`` max RSS
reported by the child). Pipeline timings are cold: the child has imported the modules, but Kiwi is
loaded inside the timed region, as in a real run (the floor includes one Kiwi load too, shown apart).

The corpus is generated reproducibly (fixed seed; document ``i`` depends only on the seed, ``i``
and the source texts, so a small corpus is a prefix of a larger one) from the shipped samples in
``raw/`` and the news sentences of ``tests/data/eval/klue_ner_dev_A.jsonl``, wrapped in varied
boilerplate (weather widgets, headline lists, menus, promos, copyright lines), as text dumps and
HTML pages, some CP949-encoded, some with ``NAME.meta.json`` sidecars. It is cached in
``.bench-cache/corpus/`` and rebuilt when missing, when ``GENERATOR_VERSION`` changes, or when the
source texts change.

Figures go to stdout as a table and to ``.bench-cache/latest.json`` (``latest-quick.json`` for
``--quick``). ``--profile`` adds a profiled 1-worker run and prints the top functions beyond the floor.

Three modules: :mod:`~pipeline.quality.bench.corpus` generates the corpus,
:mod:`~pipeline.quality.bench.measure` runs and profiles the measurements in child processes, this module
prints the figures and holds the command line.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from .corpus import DEFAULT_CACHE, DEFAULT_SEED, GENERATOR_VERSION, GOALS, ROOT, ensure_corpus, load_sources
from .measure import same_code, child_extract, child_floor, measure_extract, measure_incremental, run_child, summarise_cprofile, summarise_pyinstrument
# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def _rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("nan")


def _row(label: str, result: dict, docs: int, chars: int) -> dict:
    seconds, rss = result["wall_s"], result.get("peak_rss")
    return {"label": label, "wall_s": round(seconds, 3), "cpu_s": round(result.get("cpu_s", float("nan")), 2), "docs_per_s": round(_rate(docs, seconds), 2),
            "chars_per_s": round(_rate(chars, seconds)), "peak_rss_mb": round(rss / 2**20, 1) if rss else None}


def _verdict(value: float, goal: float, higher_is_better: bool = True) -> str:
    if value != value:      # NaN
        return "n/a"
    return "MET" if (value >= goal if higher_is_better else value <= goal) else "MISSED"


def print_table(results: dict, out=print) -> None:
    c = results["corpus"]
    out("")
    out(f"pipeline benchmark {results['measured_at']}  ({results['machine']['cpu_count']} cores, "
        f"Python {results['machine']['python']})")
    out(f"corpus: {c['docs']} docs ({c['html']} HTML, {c['text']} text, {c['cp949']} CP949, {c['sidecars']} sidecars), "
        f"{c['bytes'] / 1e6:.1f} MB, {c['clean_chars'] / 1e6:.2f} M clean chars, {c['min_bytes']}-{c['max_bytes']} bytes each")
    out("")
    out(f"{'measurement':<38}{'wall s':>9}{'CPU s':>9}{'docs/s':>10}{'chars/s':>11}{'peak RSS MB':>13}")
    for row in results["rows"]:
        rss = f"{row['peak_rss_mb']:.0f}" if row["peak_rss_mb"] else "-"
        out(f"{row['label']:<38}{row['wall_s']:>9.2f}{row['cpu_s']:>9.1f}{row['docs_per_s']:>10.1f}"
            f"{row['chars_per_s']:>11,.0f}{rss:>13}")
    floor = results.get("floor")
    if floor:
        out(f"  floor parts: Kiwi load {floor['kiwi_load_s']:.2f}s, trafilatura {floor['trafilatura_s']:.2f}s "
            f"({floor['n_html']} pages), Kiwi tokenise {floor['kiwi_tokenize_s']:.2f}s ({floor['n_texts']} texts)")
    inc = results.get("incremental")
    if inc:
        out(f"  incremental: first run {inc['first_wall_s']:.1f}s over {inc['n_inputs']} inputs "
            f"({inc['first_processed']} processed); re-run {inc['second_wall_s']:.2f}s in run_extract, "
            f"{inc['second_process_wall_s']:.2f}s with interpreter start ({inc['second_skipped']} unchanged)")
    growth = results.get("memory_growth")
    if growth:
        series = ", ".join(f"{p['docs']}: {p['peak_rss_mb']:.0f} MB" for p in growth["points"])
        out(f"  memory, 1 worker, by corpus size: {series}")
    rejected = results.get("rejected")
    if rejected and rejected["1"]:
        out(f"  rejected by the pipeline: {rejected['1']} of {c['docs']} ({rejected.get('reasons') or {}})")
    cpu = results.get("cpu_view")
    if cpu:
        out(f"  CPU-time view: pipeline ÷ floor {cpu['pipeline_over_floor']:.2f}; all cores use "
            f"{cpu['all_cores_cpu_over_one']:.2f}× the CPU time of 1 worker")
    if results.get("code_consistent") is False:
        out("  WARNING: the pipeline's code or rule data changed during this run (someone edited pipeline/): "
            "figures compare different code; ratios over changed code are marked INVALID. Run again.")
    inc = results.get("incremental")
    if inc and inc["second_skipped"] != inc["n_inputs"]:
        out(f"  WARNING: the re-run reprocessed {inc['second_processed']} inputs instead of skipping them all "
            f"(rules, settings or code changed between the two runs?): its time is not an incremental re-run")
    if results.get("busy_machine"):
        out("  note: other load on the machine before " + ", ".join(f"{k} (load {v})" for k, v in results["busy_machine"])
            + ": wall times may be inflated; compare the CPU column")
    out("")
    for ratio in results["ratios"]:
        value = ratio["value"]
        shown = f"{value:+.1%}" if ratio["name"] == "memory_growth" else f"{value:.2f}"
        goal = f"{'≤' if ratio['name'] in ('memory_growth', 'incremental_s') else '≥'} " + \
               (f"{ratio['goal']:+.0%}" if ratio["name"] == "memory_growth" else f"{ratio['goal']}")
        out(f"{ratio['label']:<44}{shown:>9}   goal {goal:<8} {ratio['verdict']}")
    out("")


def print_profile(summary: dict, out=print, top: int = 20) -> None:
    out(f"profile of a 1-worker run over {summary.get('docs', '?')} docs ({summary['profiler']}; "
        f"{summary['wall_s']:.1f}s under the profiler): "
        f"{summary['total_s']:.1f}s profiled, {summary['floor_s']:.1f}s on behalf of the floor's calls "
        f"(Kiwi.tokenize, trafilatura.bare_extraction), {summary['total_s'] - summary['floor_s']:.1f}s beyond the floor")
    out("  (a profiler slows Python code more than Kiwi's C++: the shares are indicative, the timings above are not profiled;"
        " cProfile sees the main thread only: Kiwi's batch thread shows as the main thread's wait in KiwiTokenizer.pipe)")
    if summary.get("same_code_as_measured") is False:
        out("  WARNING: the pipeline's code changed between the measurements and the profiled run")
    out("top functions beyond the floor, by self time:")
    for item in summary["self_beyond_floor"][:top]:
        out(f"  {item['self_s']:>8.2f}s  {item['function']}")
    gc_item = next((i for i in summary["self_beyond_floor"] if "gc.collect" in i["function"]), None)
    if gc_item and summary.get("gc_collect_unprofiled_s") is not None:
        out(f"  note: gc.collect (trafilatura's reset_caches, once per batch) took {gc_item['self_s']:.2f}s under the "
            f"profiler but {summary['gc_collect_unprofiled_s']:.2f}s in the unprofiled 1-worker run: the profiler "
            f"keeps objects alive")
    if summary.get("pipeline_cumulative"):
        out("pipeline functions by cumulative time (includes the floor work they call):")
        for item in summary["pipeline_cumulative"][:top]:
            out(f"  {item['cum_s']:>8.2f}s  {item.get('calls', ''):>8}×  {item['function']}")
    out("")


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def _sizes(text: str) -> list[int]:
    sizes = sorted({int(s) for s in text.replace(" ", "").split(",") if s})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("--sizes wants positive document counts, e.g. 500,2000,8000")
    return sizes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m pipeline.quality.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke test (tens of seconds)")
    p.add_argument("--docs", type=int, help="corpus size for the floor, 1-worker and all-cores runs (default 2000)")
    p.add_argument("--sizes", type=_sizes, help="corpus sizes for the memory growth, comma-separated "
                   "(default 500,2000,8000); the growth ratio compares the two largest")
    p.add_argument("--incremental", type=int, help="inputs for the incremental re-run (default 10000; 0 skips it)")
    p.add_argument("--skip-memory-growth", action="store_true", help="no extra 1-worker runs at the --sizes")
    p.add_argument("--profile", action="store_true", help="also profile a 1-worker run (pyinstrument, else cProfile)")
    p.add_argument("--profile-docs", type=int, default=500,
                   help="documents in the profiled run (the first N of the corpus; default 500: a profiler is slow)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="where corpora and results go (.bench-cache/)")
    p.add_argument("--strict", action="store_true", help="exit with status 1 when a goal is missed")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.docs = args.docs or 40
        args.sizes = args.sizes or [20, 40]
        args.incremental = 200 if args.incremental is None else args.incremental
    args.docs = args.docs or 2000
    args.sizes = args.sizes or [500, 2000, 8000]
    args.incremental = 10_000 if args.incremental is None else args.incremental
    return args


def _machine() -> dict:
    commit = None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        import psutil
        memory = psutil.virtual_memory().total
    except ImportError:
        memory = None
    return {"cpu_count": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "memory_bytes": memory, "commit": commit}


def run_bench(args: argparse.Namespace, out=print) -> dict:
    cache: Path = args.cache_dir.resolve()
    (cache / "work").mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    src = load_sources()
    corpus = ensure_corpus(cache, args.docs, args.seed, sources=src, log=out)
    stats = corpus.stats
    docs, chars = stats["docs"], stats["clean_chars"]
    results: dict = {"measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                     "machine": _machine(), "quick": args.quick, "seed": args.seed,
                     "generator_version": GENERATOR_VERSION, "corpus": stats, "rows": [], "ratios": [],
                     "goals": GOALS}

    out(f"(a) floor: Kiwi + trafilatura over {docs} docs ...")
    floor = run_child("floor", {"corpus": str(corpus.path), "manifest": str(corpus.manifest)}, cache)
    results["floor"] = floor
    out(f"(b) pipeline, 1 worker ...")
    one = measure_extract(corpus, 1, cache)
    out(f"(c) pipeline, {cores} workers ...")
    many = measure_extract(corpus, cores, cache)
    results["pipeline_1"], results["pipeline_all"] = one, many
    for result, label in ((one, "1 worker"), (many, f"{cores} workers")):
        if result["n_processed"] != docs:
            out(f"  warning: {label} processed {result['n_processed']} of {docs} inputs")
    results["rows"] += [
        _row("(a) floor: Kiwi + trafilatura", floor, docs, chars),
        _row("(b) pipeline, 1 worker", one, docs, chars),
        _row(f"(c) pipeline, {cores} workers", many, docs, chars),
    ]
    results["rejected"] = {"1": one["n_rejected"], "all": many["n_rejected"], "reasons": one.get("reject_reasons")}

    if args.incremental:
        small = ensure_corpus(cache, args.incremental, args.seed, small=True, sources=src, log=out)
        out(f"(d) incremental: first run over {args.incremental} inputs, then the re-run ...")
        inc = measure_incremental(small, cache, cores)
        first, second = inc["first"], inc["second"]
        results["incremental"] = {
            "n_inputs": args.incremental, "first_wall_s": first["wall_s"], "first_processed": first["n_processed"],
            "first_rejected": first["n_rejected"], "second_wall_s": second["wall_s"],
            "second_process_wall_s": second["process_wall_s"], "second_skipped": second["n_skipped"],
            "second_processed": second["n_processed"], "second_peak_rss": second["peak_rss"],
            "corpus": small.stats}
        results["rows"].append(_row(f"(d) re-run, nothing new ({args.incremental})", second,
                                    args.incremental, small.stats["clean_chars"]))

    points = [{"docs": docs, "peak_rss_mb": round(one["peak_rss"] / 2**20, 1), "wall_s": one["wall_s"], "result": one}]
    if not args.skip_memory_growth:
        for size in args.sizes:
            if size == docs:
                continue
            sized = ensure_corpus(cache, size, args.seed, sources=src, log=out)
            out(f"(e) memory: pipeline, 1 worker, {size} docs ...")
            r = measure_extract(sized, 1, cache)
            points.append({"docs": size, "peak_rss_mb": round(r["peak_rss"] / 2**20, 1), "wall_s": r["wall_s"],
                           "result": r})
            results["rows"].append(_row(f"(e) pipeline, 1 worker, {size} docs", r, size, sized.stats["clean_chars"]))
    points.sort(key=lambda p: p["docs"])
    results["memory_growth"] = {"points": [{k: v for k, v in p.items() if k != "result"} for p in points]}
    measured = [floor, one, many] + [p["result"] for p in points] + \
        ([inc["first"], inc["second"]] if args.incremental else [])
    results["code_consistent"] = same_code(*measured)
    results["code_digests"] = sorted({r["code_digest"] for r in measured})

    ratios = results["ratios"]
    value = floor["wall_s"] / one["wall_s"]
    ratios.append({"name": "pipeline_over_floor", "label": "pipeline (1 worker) ÷ floor, throughput",
                   "value": value, "goal": GOALS["pipeline_over_floor"], "verdict": _verdict(value, GOALS["pipeline_over_floor"])})
    value = one["wall_s"] / many["wall_s"]
    goal = GOALS["all_cores_over_one"] if cores == 2 else round(0.85 * cores, 2)
    ratios.append({"name": "all_cores_over_one", "label": f"{cores} workers ÷ 1 worker, throughput",
                   "value": value, "goal": goal,
                   "verdict": (_verdict(value, goal) if same_code(one, many) else "INVALID") if cores > 1 else "n/a"})
    results["cpu_view"] = {"pipeline_over_floor": floor["cpu_s"] / one["cpu_s"],
                           "all_cores_cpu_over_one": many["cpu_s"] / one["cpu_s"]}
    busy = [(k, v["load_avg_1min"]["before"]) for k, v in (("floor", floor), ("1 worker", one), (f"{cores} workers", many))
            if (v["load_avg_1min"]["before"] or 0) > 0.5]
    results["busy_machine"] = busy
    in_sizes = [p for p in points if p["docs"] in args.sizes]
    if len(in_sizes) >= 2:
        a, b = in_sizes[-2], in_sizes[-1]
        value = b["peak_rss_mb"] / a["peak_rss_mb"] - 1
        ratios.append({"name": "memory_growth", "label": f"peak RSS growth {a['docs']} → {b['docs']} docs",
                       "value": value, "goal": GOALS["memory_growth"],
                       "verdict": _verdict(value, GOALS["memory_growth"], higher_is_better=False)
                       if same_code(a["result"], b["result"]) else "INVALID"})
    if args.incremental:
        value = results["incremental"]["second_wall_s"]
        valid = results["incremental"]["second_skipped"] == args.incremental and same_code(inc["first"], inc["second"])
        ratios.append({"name": "incremental_s", "label": f"re-run over {args.incremental} unchanged inputs, s",
                       "value": value, "goal": GOALS["incremental_s"],
                       "verdict": _verdict(value, GOALS["incremental_s"], higher_is_better=False) if valid else "INVALID"})

    if args.profile:
        n_prof = min(args.profile_docs, docs)
        out(f"profile: pipeline, 1 worker, {n_prof} docs, under the profiler ...")
        prof_path = cache / "profile-1worker.pstats"
        prof_corpus = corpus if n_prof == docs else ensure_corpus(cache, n_prof, args.seed, sources=src, log=out)
        prof = measure_extract(prof_corpus, 1, cache, profile=prof_path)
        summary = summarise_pyinstrument(prof_path) if prof["profiler"] == "pyinstrument" else summarise_cprofile(prof_path)
        summary["profiler"] = prof["profiler"]
        summary["wall_s"] = prof["wall_s"]
        summary["docs"] = n_prof
        summary["same_code_as_measured"] = same_code(one, prof)
        summary["unprofiled_wall_s"] = one["wall_s"]
        summary["gc_collect_unprofiled_s"] = one.get("gc_collect_s")
        results["profile"] = summary
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        result = {"floor": child_floor, "extract": child_extract}[spec["kind"]](spec)
        Path(spec["result"]).write_text(json.dumps(result, default=str))
        return 0
    results = run_bench(args)
    print_table(results)
    if "profile" in results:
        print_profile(results["profile"])
    name = "latest-quick.json" if args.quick else "latest.json"
    target = args.cache_dir.resolve() / name
    target.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))
    print(f"figures written to {target}")
    missed = [r["name"] for r in results["ratios"] if r["verdict"] == "MISSED"]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
