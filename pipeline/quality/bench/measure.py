"""The bench's measurements: each runs in a fresh subprocess (``python -m pipeline.quality.bench --child SPEC``)
whose process tree's RSS the parent samples; the floor (Kiwi and trafilatura alone), the pipeline, the
incremental re-run, and the profile summaries (what the pipeline spends beyond the floor).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .corpus import Corpus, ROOT, TRAFILATURA_OPTIONS, read_manifest
# --------------------------------------------------------------------------------------------
# Measurements: the child side (runs in a fresh interpreter)
# --------------------------------------------------------------------------------------------

def _max_rss() -> dict:
    import resource
    scale = 1 if sys.platform == "darwin" else 1024          # ru_maxrss: KiB on Linux, bytes on macOS
    return {"self_max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale,
            "children_max_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale}


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and its waited-for children so far."""
    import resource
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _pin(cores: int | None) -> None:
    """Run this process (and what it starts) on its first ``cores`` allowed CPUs: the '1 core' measurements."""
    if cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cores])


def child_floor(spec: dict) -> dict:
    """Kiwi and trafilatura alone. ``threads`` 1: Kiwi tokenises text by text in this thread (pinned to one
    core); more: Kiwi's batch mode with that many threads (the floor on all cores)."""
    import trafilatura
    from pipeline.ingest.decoding import decode
    from pipeline.nlp import new_kiwi

    _pin(spec.get("cores"))
    options = _trafilatura_options()
    rows = read_manifest(Corpus(Path(spec["corpus"]), Path(spec["manifest"]), 0, {}))
    root = Path(spec["corpus"])
    pages = [decode((root / r["path"]).read_bytes(), html=True)[0] for r in rows if r["kind"] == "html"]
    texts = [r["text"] for r in rows]
    threads = spec.get("threads", 1)
    clock, cpu = time.perf_counter(), _cpu_s()
    kiwi = new_kiwi(threads)
    kiwi_load = time.perf_counter() - clock
    clock = time.perf_counter()
    for page in pages:
        trafilatura.bare_extraction(page, **options)
    traf = time.perf_counter() - clock
    clock, cpu_tok = time.perf_counter(), _cpu_s()
    if threads == 1:
        tokens = sum(len(kiwi.tokenize(text)) for text in texts)
    else:
        tokens = sum(len(t) for t in kiwi.tokenize(texts))
    tok, cpu_tok = time.perf_counter() - clock, _cpu_s() - cpu_tok
    return {"wall_s": kiwi_load + traf + tok, "cpu_s": _cpu_s() - cpu, "kiwi_load_s": kiwi_load,
            "trafilatura_s": traf, "kiwi_tokenize_s": tok, "kiwi_tokenize_cpu_s": cpu_tok, "n_html": len(pages),
            "n_texts": len(texts), "n_tokens": tokens, **_max_rss()}


def _trafilatura_options() -> dict:
    from pipeline.clean import cleaner as clean
    return dict(getattr(clean, "TRAFILATURA_OPTIONS", TRAFILATURA_OPTIONS))


def child_extract(spec: dict) -> dict:
    import logging

    from pipeline.batch.runner import run_extract
    from pipeline.settings import Settings

    _pin(spec.get("cores"))
    logging.getLogger("pipeline").setLevel(logging.WARNING)
    settings = Settings(workers=spec["workers"], engine="local", quiet=True)
    first: list[float] = []

    def progress(_total: int):
        def tick() -> None:
            if not first:
                first.append(time.time())
        return tick
    raw, out = Path(spec["corpus"]), Path(spec["out"])
    profiler = None
    gc_time = _time_gc_collect()
    if spec.get("profile"):
        profiler = _start_profiler()
    clock, cpu = time.perf_counter(), _cpu_s()
    report = run_extract(raw, out, settings, progress)
    wall, cpu = time.perf_counter() - clock, _cpu_s() - cpu
    if profiler is not None:
        _stop_profiler(profiler, Path(spec["profile"]))
    reasons: dict[str, int] = {}
    try:                        # why inputs were rejected (outside the timed region)
        import pyarrow.dataset as ds
        if (out / "rejects").is_dir():
            for row in ds.dataset(out / "rejects", format="parquet").to_table(columns=["reason"]).to_pylist():
                reasons[row["reason"]] = reasons.get(row["reason"], 0) + 1
    except Exception as exc:    # the table's layout is the pipeline's business: never fail the measurement
        reasons = {"(unreadable)": repr(exc)}
    return {"wall_s": wall, "cpu_s": cpu, "n_seen": report.n_seen, "n_skipped": report.n_skipped,
            "n_processed": report.n_processed, "n_rejected": report.n_rejected, "reject_reasons": reasons, "elapsed_s": report.elapsed_s, "exit_status": report.exit_status,
            "rows_written": report.rows_written, "profiler": profiler[0] if profiler else None,
            "gc_collect_s": gc_time[0],
            "first_doc_s": first[0] - _started() if first else None, "gc_collect_calls": gc_time[1], **_max_rss()}


def _started() -> float:
    """When this process started (epoch seconds): the command's start for the start-up time."""
    import psutil
    return psutil.Process().create_time()


def _time_gc_collect() -> list:
    """Count the time spent in explicit ``gc.collect()`` calls (trafilatura's reset_caches makes one per batch)."""
    import gc
    spent = [0.0, 0]
    collect = gc.collect

    def timed(*args, **kwargs):
        clock = time.perf_counter()
        try:
            return collect(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - clock
            spent[1] += 1
    gc.collect = timed
    return spent


def _start_profiler():
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        prof = cProfile.Profile()
        prof.enable()
        return ("cProfile", prof)
    prof = Profiler(interval=0.001)
    prof.start()
    return ("pyinstrument", prof)


def _stop_profiler(profiler, path: Path) -> None:
    kind, prof = profiler
    if kind == "cProfile":
        prof.disable()
        prof.dump_stats(str(path))
        return
    session = prof.stop()
    path.with_suffix(".txt").write_text(prof.output_text(unicode=True, color=False, show_all=False))
    try:
        summary = _pyinstrument_summary(session)
    except Exception as exc:        # an API change in pyinstrument: keep the text report
        summary = {"total_s": session.duration, "floor_s": 0.0, "self_beyond_floor": {}, "error": repr(exc)}
    path.with_suffix(".json").write_text(json.dumps(summary))


def _pyinstrument_summary(session) -> dict:
    """Self time per function outside the floor's subtrees, from pyinstrument's frame tree."""
    totals: dict[str, float] = {}
    floor = 0.0

    def walk(frame, in_floor: bool) -> None:
        nonlocal floor
        where = f"{getattr(frame, 'file_path', '') or ''}"
        name = f"{getattr(frame, 'function', '?')} ({_short(where)}:{getattr(frame, 'line_no', 0)})"
        is_floor = in_floor or _floor_entry((where, 0, getattr(frame, "function", "")))
        children = list(getattr(frame, "children", []))
        self_time = frame.time - sum(c.time for c in children)
        if is_floor and not in_floor:
            floor += frame.time
        if not is_floor:
            totals[name] = totals.get(name, 0.0) + self_time
        for child in children:
            walk(child, is_floor)

    root = session.root_frame()
    walk(root, False)
    return {"total_s": root.time, "floor_s": floor, "self_beyond_floor": totals}


# --------------------------------------------------------------------------------------------
# Measurements: the parent side
# --------------------------------------------------------------------------------------------

def _tree_rss(proc) -> int:
    """Memory of the process tree: the sum of PSS where the platform reports it (forked workers share the
    parent's pages: summing their RSS would count the shared models once per worker), else of RSS."""
    import psutil
    total = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += getattr(p.memory_full_info(), "pss", None) or p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_child(kind: str, spec: dict, cache: Path) -> dict:
    """Run one measurement in a fresh interpreter; add the process wall time and peak RSS of its tree."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", dir=cache, delete=False) as tmp:
        result_path = Path(tmp.name)
    payload = json.dumps({"kind": kind, "result": str(result_path), **spec})
    load_before, code_before = _load(), code_digest()
    clock = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.quality.bench", "--child", payload], cwd=str(ROOT))
    peak, sampled = 0, False
    try:
        import psutil
        watched = psutil.Process(proc.pid)
        sampled = True
        while proc.poll() is None:
            peak = max(peak, _tree_rss(watched))
            time.sleep(0.2)
    except ImportError:
        pass
    except Exception:           # psutil.NoSuchProcess: the child was already gone
        sampled = False
    rc = proc.wait()
    wall = time.perf_counter() - clock
    try:
        if rc != 0:
            raise RuntimeError(f"measurement {kind} failed with exit status {rc}")
        result = json.loads(result_path.read_text())
    finally:
        result_path.unlink(missing_ok=True)
    result["process_wall_s"] = wall
    result["load_avg_1min"] = {"before": load_before, "after": _load()}
    result["code_digest"] = code_before
    result["code_changed"] = code_digest() != code_before
    fallback = result.get("self_max_rss", 0) + result.get("children_max_rss", 0)
    result["peak_rss"] = peak if sampled and peak else fallback
    result["peak_rss_method"] = "psutil tree sum of PSS (else RSS), sampled every 200 ms" if sampled and peak else \
        "getrusage max RSS self + largest child"
    return result


def code_digest() -> str:
    """Digest of the pipeline's code and rule data (the measuring tools excepted): a change mid-run spoils comparisons."""
    digest = hashlib.sha256()
    package = ROOT / "pipeline"
    for path in sorted(package.rglob("*")):
        if path.is_file() and "quality" not in path.relative_to(package).parts and "__pycache__" not in path.parts and not path.name.startswith("."):
            try:
                digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
            except OSError:
                pass
    return digest.hexdigest()[:16]


def same_code(*results: dict) -> bool:
    return len({r["code_digest"] for r in results}) == 1 and not any(r["code_changed"] for r in results)


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def measure_extract(corpus: Corpus, workers: int, cache: Path, profile: Path | None = None,
                    cores: int | None = None) -> dict:
    """A run of the pipeline; ``workers`` 0 is the default choice, ``cores`` pins it to that many CPUs."""
    work = Path(tempfile.mkdtemp(prefix="processed-", dir=cache / "work"))
    try:
        spec = {"corpus": str(corpus.path), "out": str(work), "workers": workers, "cores": cores,
                "profile": str(profile) if profile else None}
        return run_child("extract", spec, cache)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure_floor(corpus: Corpus, cache: Path, threads: int, cores: int | None = None) -> dict:
    return run_child("floor", {"corpus": str(corpus.path), "manifest": str(corpus.manifest), "threads": threads,
                               "cores": cores}, cache)


def median_of(runs: list[dict]) -> dict:
    """The run with the median wall time, with the medians of CPU time and peak RSS and the spread of walls."""
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    result = dict(ordered[len(ordered) // 2])
    for key in ("cpu_s", "peak_rss", "first_doc_s"):
        values = sorted(r[key] for r in runs if r.get(key) is not None)
        if values:
            result[key] = values[len(values) // 2]
    result["walls"] = [round(r["wall_s"], 2) for r in runs]
    result["code_changed"] = any(r["code_changed"] for r in runs)
    result["code_digest"] = runs[0]["code_digest"] if len({r["code_digest"] for r in runs}) == 1 else "mixed"
    return result


def measure_incremental(corpus: Corpus, cache: Path, workers: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="incremental-", dir=cache / "work"))
    try:
        spec = {"corpus": str(corpus.path), "out": str(work), "workers": workers}
        first = run_child("extract", spec, cache)
        second = run_child("extract", spec, cache)
        return {"first": first, "second": second}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Profile summary
# --------------------------------------------------------------------------------------------

def _short(path: str) -> str:
    parts = Path(path).parts
    for anchor in ("site-packages", "pipeline", "lib"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[i + (anchor != "pipeline"):])
    return path


def _label(func) -> str:
    path, line, name = func
    return f"{name} ({_short(path)}:{line})" if path != "~" else name


def _floor_entry(func) -> bool:
    """The calls the floor makes: ``trafilatura.bare_extraction``, ``Kiwi.tokenize`` and loading Kiwi."""
    file, _, name = func
    parts = Path(file).parts
    return ((name == "bare_extraction" and "trafilatura" in parts) or (name == "tokenize" and "kiwipiepy" in parts)
            or (name == "get_kiwi" and "pipeline" in parts) or (file == "~" and "Kiwi." in name))


def _floor_wait(func) -> bool:
    """Kiwi's batch mode tokenises in its own thread; the main thread waits for it inside the generator
    ``KiwiTokenizer.pipe`` (iterating Kiwi's results is not a profiled call): its self time is floor."""
    file, _, name = func
    return name == "pipe" and Path(file).name == "nlp.py" and "pipeline" in Path(file).parts


def floor_shares(stats: dict, rounds: int = 60) -> dict:
    """For every profiled function, the share of its time spent on behalf of the floor's calls.

    A function's share is the cumulative-time-weighted share of its callers (1 for the floor's
    entry points), found by iterating over the call graph: ``gc.collect`` called by the pipeline's
    own ``reset_caches`` counts as pipeline time, ``re`` matching inside trafilatura as floor.
    """
    share = {func: 1.0 if _floor_entry(func) else 0.0 for func in stats}
    for _ in range(rounds):
        changed = 0.0
        for func, (_, _, _, _, callers) in stats.items():
            if _floor_entry(func) or not callers:
                continue
            weight = sum(v[3] for v in callers.values()) or sum(v[1] for v in callers.values()) or 1
            key = 3 if sum(v[3] for v in callers.values()) else 1
            value = sum(v[key] * share.get(caller, 0.0) for caller, v in callers.items()) / weight
            changed = max(changed, abs(value - share[func]))
            share[func] = value
        if changed < 1e-4:
            break
    return share


def _own_floor_share(func, share: dict) -> float:
    return 1.0 if _floor_wait(func) else share[func]


def summarise_cprofile(path: Path, top: int = 25) -> dict:
    """Time beyond the floor, by self time (anywhere) and by cumulative time (pipeline functions)."""
    import pstats

    stats = pstats.Stats(str(path)).stats          # func -> (cc, nc, tt, ct, callers)
    total = sum(tt for (_, _, tt, _, _) in stats.values())
    share = floor_shares(stats)
    floor = sum(tt * _own_floor_share(func, share) for func, (_, _, tt, _, _) in stats.items())
    beyond_self = sorted(((tt * (1 - _own_floor_share(func, share)), func) for func, (_, _, tt, _, _) in stats.items()),
                         reverse=True)
    pipeline_cum = sorted(((ct, nc, func) for func, (_, nc, _, ct, _) in stats.items()
                           if f"{os.sep}pipeline{os.sep}" in func[0] and "bench.py" not in func[0]), reverse=True)
    return {"total_s": total, "floor_s": floor,
            "self_beyond_floor": [{"function": _label(f), "self_s": round(t, 3)} for t, f in beyond_self[:top]],
            "pipeline_cumulative": [{"function": _label(f), "cum_s": round(t, 3), "calls": n}
                                    for t, n, f in pipeline_cum[:top]]}


def summarise_pyinstrument(path: Path, top: int = 25) -> dict:
    data = json.loads(path.with_suffix(".json").read_text())
    ranked = sorted(data["self_beyond_floor"].items(), key=lambda kv: kv[1], reverse=True)[:top]
    return {"total_s": data["total_s"], "floor_s": data["floor_s"],
            "self_beyond_floor": [{"function": k, "self_s": round(v, 3)} for k, v in ranked],
            "pipeline_cumulative": [], "text": str(path.with_suffix(".txt"))}


