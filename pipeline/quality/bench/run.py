"""``make bench``: speed, memory and scaling of the extraction pipeline on a synthetic corpus.

One run measures, on the same corpus (``--docs``, default 2,000 documents), each main measurement ``--repeat``
times (default 3, interleaved so that passing load hits all alike) and shows medians:

(a) the *floor*: Kiwi tokenisation alone over the clean article texts plus trafilatura alone over the HTML
    pages -- the work no Kiwi-based pipeline can skip (one Kiwi load included) -- on 1 core (text by text) and
    on all cores (Kiwi's batch mode with as many threads as cores);
(b) the pipeline's default run (``run_extract``, workers chosen by the pipeline) pinned to 1 core;
(c) the same default run on all cores;
    and the start-up: from the start of a default run's process over one document to that document processed;
(d) an incremental re-run with nothing new over ``--incremental`` (10,000) small inputs, after a
    first full run over them (the wall time of the second run);
(e) peak memory (PSS of the process tree, else RSS) of the runs, and of (b) at every size of ``--sizes``
    (2,000, 8,000);
(f) the default run against every fixed ``--workers`` (1 and all cores) at ``--choice-sizes`` (50, 300, --docs).

Side by side it prints floor and pipeline: documents per second at 1 core and at all cores, CPU milliseconds
per document (1 core; user + system of the process tree) and their ratio, and the scaling from 1 to all cores.
"1 core" pins the measured process to one CPU (``sched_setaffinity``): the same Kiwi thread budget for both.

Every measurement runs in a fresh subprocess (``python -m pipeline.quality.bench --child SPEC``); the parent
samples the memory of the child and its descendants with psutil (falling back to ``getrusage`` max RSS
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
``--quick``). ``--profile`` adds a profiled 1-worker run on 1 core and prints the top functions beyond the floor.

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
from .measure import (child_extract, child_floor, measure_extract, measure_floor, measure_incremental, median_of,
                      same_code, summarise_cprofile, summarise_pyinstrument)
# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def _rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("nan")


def _row(label: str, result: dict, docs: int, chars: int) -> dict:
    seconds, rss = result["wall_s"], result.get("peak_rss")
    return {"label": label, "wall_s": round(seconds, 3), "cpu_s": round(result.get("cpu_s", float("nan")), 2),
            "docs_per_s": round(_rate(docs, seconds), 2), "chars_per_s": round(_rate(chars, seconds)),
            "peak_rss_mb": round(rss / 2**20, 1) if rss else None, "walls": result.get("walls")}


def _verdict(value: float, goal: float, higher_is_better: bool = True) -> str:
    if value != value:      # NaN
        return "n/a"
    return "MET" if (value >= goal if higher_is_better else value <= goal) else "MISSED"


def _side_by_side(results: dict, out) -> None:
    """Floor and pipeline in two columns: throughput at 1 core and at all cores, CPU per document, scaling."""
    s = results["summary"]
    cores = results["machine"]["cores"]
    out(f"{'':<34}{'floor (Kiwi)':>14}{'pipeline':>12}{'pipeline ÷ floor':>18}")
    for key, label, fmt in (("docs_per_s_1", "docs/s, 1 core", "{:.1f}"),
                            ("docs_per_s_all", f"docs/s, {cores} cores", "{:.1f}"),
                            ("cpu_ms_per_doc", "CPU ms per document (1 core)", "{:.1f}"),
                            ("scaling", f"scaling 1 → {cores} cores", "{:.2f}"),
                            ("peak_rss_mb_all", f"peak RSS MB, {cores} cores", "{:.0f}")):
        f, p = s["floor"][key], s["pipeline"][key]
        ratio = f"{p / f:.2f}" if key in ("docs_per_s_1", "docs_per_s_all", "cpu_ms_per_doc") and f else ""
        out(f"{label:<34}{fmt.format(f):>14}{fmt.format(p):>12}{ratio:>18}")
    startup = s.get("startup_s")
    out(f"{'start-up: command to first document':<34}{'':>14}{(f'{startup:.2f} s' if startup is not None else '-'):>12}")


def print_table(results: dict, out=print) -> None:
    c = results["corpus"]
    out("")
    out(f"pipeline benchmark {results['measured_at']}  ({results['machine']['cores']} cores, "
        f"Python {results['machine']['python']}; medians of {results['repeat']} runs each)")
    out(f"corpus: {c['docs']} docs ({c['html']} HTML, {c['text']} text, {c['cp949']} CP949, {c['sidecars']} sidecars), "
        f"{c['bytes'] / 1e6:.1f} MB, {c['clean_chars'] / 1e6:.2f} M clean chars, {c['min_bytes']}-{c['max_bytes']} bytes each")
    out("")
    _side_by_side(results, out)
    out("")
    out(f"{'measurement':<44}{'wall s':>9}{'CPU s':>9}{'docs/s':>10}{'peak RSS MB':>13}   walls")
    for row in results["rows"]:
        rss = f"{row['peak_rss_mb']:.0f}" if row["peak_rss_mb"] else "-"
        walls = " ".join(f"{w:.1f}" for w in row.get("walls") or [])
        out(f"{row['label']:<44}{row['wall_s']:>9.2f}{row['cpu_s']:>9.1f}{row['docs_per_s']:>10.1f}{rss:>13}   {walls}"
            + (f"  (fixed: {row['note']})" if row.get("note") else ""))
    inc = results.get("incremental")
    if inc:
        out(f"  incremental: first run {inc['first_wall_s']:.1f}s over {inc['n_inputs']} inputs "
            f"({inc['first_processed']} processed); re-run {inc['second_wall_s']:.2f}s in run_extract, "
            f"{inc['second_process_wall_s']:.2f}s with interpreter start ({inc['second_skipped']} unchanged)")
    growth = results.get("memory_growth")
    if growth:
        series = ", ".join(f"{p['docs']}: {p['peak_rss_mb']:.0f} MB" for p in growth["points"])
        out(f"  peak memory, default run on 1 core, by corpus size: {series}")
    rejected = results.get("rejected")
    if rejected and rejected["1"]:
        out(f"  rejected by the pipeline: {rejected['1']} of {c['docs']} ({rejected.get('reasons') or {}})")
    if results.get("code_consistent") is False:
        out("  WARNING: the pipeline's code or rule data changed during this run (someone edited pipeline/): "
            "figures compare different code; ratios over changed code are marked INVALID. Run again.")
    if inc and inc["second_skipped"] != inc["n_inputs"]:
        out(f"  WARNING: the re-run reprocessed {inc['second_processed']} inputs instead of skipping them all "
            f"(rules, settings or code changed between the two runs?): its time is not an incremental re-run")
    if results.get("busy_machine"):
        out("  note: other load on the machine before " + ", ".join(f"{k} (load {v})" for k, v in results["busy_machine"])
            + ": wall times may be inflated; CPU seconds are the steadier figures")
    out("")
    for ratio in results["ratios"]:
        value = ratio["value"]
        shown = f"{value:+.1%}" if ratio["name"] == "memory_growth" else f"{value:.2f}"
        lower = ratio["name"] in ("memory_growth", "incremental_s", "cpu_over_floor", "startup_s")
        goal = f"{'≤' if lower else '≥'} " + \
               (f"{ratio['goal']:+.0%}" if ratio["name"] == "memory_growth" else f"{ratio['goal']}")
        out(f"{ratio['label']:<52}{shown:>9}   goal {goal:<8} {ratio['verdict']}")
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
    p.add_argument("--repeat", type=int, help="runs of each main measurement; medians are shown (default 3)")
    p.add_argument("--choice-sizes", type=_sizes, help="corpus sizes at which the default run is compared with every "
                   "fixed --workers (default 50,300 and --docs)")
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
        args.repeat = args.repeat or 1
        args.choice_sizes = args.choice_sizes or []
    args.docs = args.docs or 2000
    args.repeat = args.repeat or 3
    args.sizes = args.sizes or [2000, 8000]
    args.choice_sizes = sorted({50, 300, args.docs}) if args.choice_sizes is None else args.choice_sizes
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


def _cores() -> int:
    from pipeline.batch.engines import available_cores
    return available_cores()


def _repeat(n: int, makers: dict, out) -> dict[str, dict]:
    """Each measurement ``n`` times, interleaved (load that comes and goes hits all of them alike); medians."""
    runs: dict[str, list] = {key: [] for key in makers}
    for i in range(n):
        for key, (label, make) in makers.items():
            out(f"  {label} (run {i + 1} of {n}) ...")
            runs[key].append(make())
    return {key: median_of(values) for key, values in runs.items()}


def _ratio(name: str, label: str, value: float, goal: float, valid: bool = True, lower: bool = False) -> dict:
    verdict = _verdict(value, goal, higher_is_better=not lower) if valid else "INVALID"
    return {"name": name, "label": label, "value": value, "goal": goal, "verdict": verdict}


def _summary(floor_1: dict, floor_all: dict, one: dict, many: dict, docs: int, startup: dict | None) -> dict:
    def side(a: dict, b: dict) -> dict:
        return {"docs_per_s_1": _rate(docs, a["wall_s"]), "docs_per_s_all": _rate(docs, b["wall_s"]),
                "cpu_ms_per_doc": 1000 * a["cpu_s"] / docs, "scaling": a["wall_s"] / b["wall_s"],
                "peak_rss_mb_all": (b.get("peak_rss") or 0) / 2**20}
    return {"floor": side(floor_1, floor_all), "pipeline": side(one, many),
            "startup_s": startup.get("first_doc_s") if startup else None}


def _choices(sizes: list[int], docs: int, corpus_for, cache: Path, cores: int, repeat: int, main: dict, out) -> list:
    """The default run against every fixed --workers choice (1 … cores) at each size: the default must not be slower.
    A fixed choice equal to what the default picks is the same run, measured once."""
    from pipeline.batch.engines import choose_workers

    found = []
    for size in sizes:
        corpus = corpus_for(size)
        makers = {} if size == docs else {"default": ("default run, " + str(size) + " docs",
                                                      lambda c=corpus: measure_extract(c, 0, cache))}
        picked = choose_workers(size, 0)
        for w in sorted({1, cores}):
            if w != picked:
                makers[w] = (f"--workers {w}, {size} docs", lambda c=corpus, w=w: measure_extract(c, w, cache))
        measured = _repeat(repeat, makers, out) if makers else {}
        default = main if size == docs else measured["default"]
        fixed = {w: (measured[w] if w in measured else default) for w in sorted({1, cores})}
        best = min(fixed.values(), key=lambda r: r["wall_s"])
        found.append({"docs": size, "default_workers": picked, "default": default, "fixed": fixed,
                      "value": best["wall_s"] / default["wall_s"]})
    return found


def run_bench(args: argparse.Namespace, out=print) -> dict:
    cache: Path = args.cache_dir.resolve()
    (cache / "work").mkdir(parents=True, exist_ok=True)
    cores = _cores()
    src = load_sources()

    def corpus_for(size: int):
        return ensure_corpus(cache, size, args.seed, sources=src, log=out)

    corpus = corpus_for(args.docs)
    stats = corpus.stats
    docs, chars = stats["docs"], stats["clean_chars"]
    results: dict = {"measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                     "machine": {**_machine(), "cores": cores}, "quick": args.quick, "seed": args.seed,
                     "repeat": args.repeat, "generator_version": GENERATOR_VERSION, "corpus": stats, "rows": [],
                     "ratios": [], "goals": GOALS}
    one_doc = corpus_for(1)
    out(f"floor and pipeline over {docs} docs, at 1 core and at {cores} cores, {args.repeat} runs each:")
    m = _repeat(args.repeat, {
        "floor_1": ("(a) floor, 1 core", lambda: measure_floor(corpus, cache, 1, cores=1)),
        "floor_all": (f"(a) floor, {cores} cores", lambda: measure_floor(corpus, cache, cores)),
        "pipeline_1": ("(b) pipeline, 1 core", lambda: measure_extract(corpus, 0, cache, cores=1)),
        "pipeline_all": (f"(c) pipeline, {cores} cores", lambda: measure_extract(corpus, 0, cache)),
        "startup": ("start-up, 1 document", lambda: measure_extract(one_doc, 0, cache)),
    }, out)
    floor, floor_all, one, many = m["floor_1"], m["floor_all"], m["pipeline_1"], m["pipeline_all"]
    results.update(floor=floor, floor_all=floor_all, pipeline_1=one, pipeline_all=many, startup=m["startup"])
    for result, label in ((one, "1 core"), (many, f"{cores} cores")):
        if result["n_processed"] != docs:
            out(f"  warning: {label} processed {result['n_processed']} of {docs} inputs")
    results["rows"] += [
        _row("(a) floor: Kiwi + trafilatura, 1 core", floor, docs, chars),
        _row(f"(a) floor: Kiwi batch, {cores} threads", floor_all, docs, chars),
        _row("(b) pipeline (default), 1 core", one, docs, chars),
        _row(f"(c) pipeline (default), {cores} cores", many, docs, chars),
    ]
    results["summary"] = _summary(floor, floor_all, one, many, docs, m["startup"])
    results["rejected"] = {"1": one["n_rejected"], "all": many["n_rejected"], "reasons": one.get("reject_reasons")}

    if args.incremental:
        small = ensure_corpus(cache, args.incremental, args.seed, small=True, sources=src, log=out)
        out(f"(d) incremental: first run over {args.incremental} inputs, then the re-run ...")
        inc = measure_incremental(small, cache, 0)
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
            sized = corpus_for(size)
            out(f"(e) memory: pipeline, 1 core, {size} docs ...")
            r = measure_extract(sized, 0, cache, cores=1)
            points.append({"docs": size, "peak_rss_mb": round(r["peak_rss"] / 2**20, 1), "wall_s": r["wall_s"],
                           "result": r})
            results["rows"].append(_row(f"(e) pipeline, 1 core, {size} docs", r, size, sized.stats["clean_chars"]))
    points.sort(key=lambda p: p["docs"])
    results["memory_growth"] = {"points": [{k: v for k, v in p.items() if k != "result"} for p in points]}

    choices = _choices(args.choice_sizes, docs, corpus_for, cache, cores, args.repeat, many, out)
    results["choices"] = [{"docs": c["docs"], "default_workers": c["default_workers"], "value": c["value"],
                           "default_wall_s": c["default"]["wall_s"],
                           "fixed_wall_s": {str(w): r["wall_s"] for w, r in c["fixed"].items()}} for c in choices]
    for c in choices:
        fixed = ", ".join(f"--workers {w} {r['wall_s']:.2f}s" for w, r in c["fixed"].items())
        results["rows"].append(_row(f"(f) default ({c['default_workers']} workers), {c['docs']} docs",
                                    c["default"], c["docs"], 0) | {"note": fixed})

    measured = [floor, floor_all, one, many, m["startup"]] + [p["result"] for p in points] + \
        ([inc["first"], inc["second"]] if args.incremental else []) + \
        [r for c in choices for r in (c["default"], *c["fixed"].values())]
    results["code_consistent"] = same_code(*measured)
    results["code_digests"] = sorted({r["code_digest"] for r in measured})

    ratios = results["ratios"]
    ratios.append(_ratio("cpu_over_floor", "CPU per document, pipeline ÷ floor (1 core)",
                         one["cpu_s"] / floor["cpu_s"], GOALS["cpu_over_floor"], same_code(floor, one), lower=True))
    ratios.append(_ratio("pipeline_over_floor", f"throughput on {cores} cores, pipeline ÷ floor",
                         floor_all["wall_s"] / many["wall_s"], GOALS["pipeline_over_floor"], same_code(floor_all, many)))
    goal = GOALS["all_cores_over_one"] if cores == 2 else round(0.8 * cores, 2)
    scaling = _ratio("all_cores_over_one", f"pipeline throughput, {cores} cores ÷ 1 core", one["wall_s"] / many["wall_s"],
                     goal, same_code(one, many))
    ratios.append(scaling if cores > 1 else {**scaling, "verdict": "n/a"})
    startup = m["startup"].get("first_doc_s")
    if startup is not None:
        ratios.append(_ratio("startup_s", "start-up: command to first document, s", startup, GOALS["startup_s"],
                             lower=True))
    for c in choices:
        ratios.append(_ratio(f"default_over_best_{c['docs']}", f"default ÷ best fixed --workers, {c['docs']} docs",
                             c["value"], GOALS["default_over_best"]))
    busy = [(k, v["load_avg_1min"]["before"]) for k, v in (("floor", floor), ("1 core", one), (f"{cores} cores", many))
            if (v["load_avg_1min"]["before"] or 0) > 0.5]
    results["busy_machine"] = busy
    in_sizes = [p for p in points if p["docs"] in args.sizes]
    if len(in_sizes) >= 2:
        a, b = in_sizes[-2], in_sizes[-1]
        ratios.append(_ratio("memory_growth", f"peak RSS growth {a['docs']} → {b['docs']} docs",
                             b["peak_rss_mb"] / a["peak_rss_mb"] - 1, GOALS["memory_growth"],
                             same_code(a["result"], b["result"]), lower=True))
    if args.incremental:
        value = results["incremental"]["second_wall_s"]
        valid = results["incremental"]["second_skipped"] == args.incremental and same_code(inc["first"], inc["second"])
        ratios.append(_ratio("incremental_s", f"re-run over {args.incremental} unchanged inputs, s", value,
                             GOALS["incremental_s"], valid, lower=True))

    if args.profile:
        n_prof = min(args.profile_docs, docs)
        out(f"profile: pipeline, 1 worker, {n_prof} docs, under the profiler ...")
        prof_path = cache / "profile-1worker.pstats"
        prof_corpus = corpus if n_prof == docs else ensure_corpus(cache, n_prof, args.seed, sources=src, log=out)
        prof = measure_extract(prof_corpus, 1, cache, profile=prof_path, cores=1)
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
