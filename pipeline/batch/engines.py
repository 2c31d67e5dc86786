"""Where documents are processed: in this process, a local process pool, or a Dask cluster.

Every engine runs the same function (``process_batch``) and yields results in input order,
so the tables are identical whatever the engine and the number of workers.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
import threading
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from functools import partial
from typing import Iterator

from pipeline.document import DocResult, DocumentTimeout, process_files, reject_result, warm_up
from pipeline.ingest.reading import InputFile
from pipeline.settings import Settings


CACHE_RESET_EVERY = 1000          # documents per worker between trafilatura cache resets
_since_reset = 0
YOUNG_GC_EVERY = 50_000           # allocations between collections of the youngest generation (Python: 700)


@contextmanager
def time_limit(seconds: float):
    """Raise DocumentTimeout into the work of the block after ``seconds`` (a real-time alarm).

    Only a process's main thread receives signals: elsewhere (Dask's worker threads) and where
    the platform has no SIGALRM the block runs without a limit."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def over_time(signum, frame):
        raise DocumentTimeout(f"more than {seconds:g} s")
    previous = signal.signal(signal.SIGALRM, over_time)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def process_batch(items: list[InputFile], settings: Settings) -> list[DocResult]:
    """Runs in a worker; Kiwi and spaCy are created once per worker process (cached)."""
    global _since_reset
    limit = partial(time_limit, settings.doc_timeout_s) if settings.doc_timeout_s > 0 else nullcontext
    results = process_files(items, settings, limit)
    _since_reset += len(items)
    if _since_reset >= CACHE_RESET_EVERY:
        _reset_trafilatura_caches()
        _since_reset = 0
    return results


def _reset_trafilatura_caches() -> None:
    """trafilatura's caches grow on long runs. Its reset ends in a full gc.collect() (~80 ms),
    hence not after every batch; htmldate logs a harmless error while clearing one cache."""
    import logging

    from trafilatura.meta import reset_caches

    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    reset_caches()


DOCS_PER_WORKER = 16              # the default run adds a worker process per this many documents, up to the cores


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform says, else all)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:           # macOS, Windows
        return os.cpu_count() or 1


def choose_workers(n_docs: int, workers: int = 0) -> int:
    """``workers`` when given (> 0); else one process per core, but no more than the work fills."""
    if workers > 0:
        return workers
    return max(1, min(available_cores(), n_docs // DOCS_PER_WORKER))


def _batches(items: list[InputFile], size: int) -> list[list[InputFile]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _ramped(items: list[InputFile], size: int) -> list[list[InputFile]]:
    """Tasks of 1, 2, 4 … documents up to ``size``: the first document comes back at once, the rest in full tasks."""
    out, i, step = [], 0, 1
    while i < len(items):
        out.append(items[i:i + step])
        i, step = i + step, min(2 * step, size)
    return out


def _init_worker(forked: bool) -> None:
    """A worker tokenises in its own thread (one busy thread per worker); a spawned one loads its models
    (a forked one has them, frozen, from the parent)."""
    from pipeline.nlp import tokenize_inline
    tokenize_inline(True)
    if not forked:
        warm_up()
        _freeze_loaded()


def _freeze_loaded() -> None:
    """Kiwi, spaCy's vocabulary, the gazetteers and the compiled rules live as long as the process: out of
    the garbage collector's scans, and its youngest generation collected less often (a document makes tens of
    thousands of short-lived objects, nearly all freed by reference counting). 3–5 of 55–60 ms per document."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_EVERY, 20, 100)


@contextmanager
def _models_loaded():
    """Models loaded and frozen for a run in this process; the collector's settings come back after it."""
    previous = gc.get_threshold()
    warm_up()
    _freeze_loaded()
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


def _context() -> tuple[mp.context.BaseContext, bool]:
    """Fork where the platform has it: workers start at once and share the parent's loaded models."""
    if "fork" in mp.get_all_start_methods():
        return mp.get_context("fork"), True
    return mp.get_context("spawn"), False


def _local(items: list[InputFile], settings: Settings) -> Iterator[DocResult]:
    workers = choose_workers(len(items), settings.workers)
    if workers <= 1 or len(items) <= 1:
        if available_cores() <= 1:          # no second core for Kiwi's thread to overlap with
            from pipeline.nlp import tokenize_inline
            tokenize_inline(True)
        with _models_loaded():
            for batch in _batches(items, settings.batch_size):
                yield from process_batch(batch, settings)
        return
    ctx, forked = _context()
    size = max(1, min(settings.batch_size, -(-len(items) // (4 * workers))))   # small tasks: no idle tail
    # loaded once, before the fork: the workers share them
    with _models_loaded() if forked else nullcontext():
        yield from _pooled(deque(_ramped(items, size)), settings, workers, ctx, forked)


def _pooled(tasks: deque, settings: Settings, workers: int, ctx, forked: bool) -> Iterator[DocResult]:
    """The tasks' results in order from a pool of worker processes. When a worker dies (killed, out
    of memory, a crash in a library), every task in flight fails: the first of them is run again
    document by document, each in a process of its own, and the others go to a new pool."""
    while tasks:
        failed = yield from _until_broken(tasks, settings, workers, ctx, forked)
        if failed:
            for item in failed[0]:
                yield from _alone(item, settings, ctx, forked)
            tasks.extendleft(reversed(failed[1:]))


def _until_broken(tasks: deque, settings: Settings, workers: int, ctx, forked: bool):
    """Yield results until the tasks are done (returns []) or the pool breaks (returns the tasks in flight)."""
    with _pool(workers, ctx, forked) as pool:
        window: deque = deque()
        while tasks or window:
            while tasks and len(window) < 4 * workers:
                task = tasks.popleft()
                window.append((task, pool.submit(process_batch, task, settings)))
            try:
                results = window[0][1].result()
            except BrokenProcessPool:
                return [task for task, _ in window]
            window.popleft()
            yield from results
    return []


def _alone(item: InputFile, settings: Settings, ctx, forked: bool) -> Iterator[DocResult]:
    """One document in a worker process of its own: if that process dies too, the document is the cause."""
    with _pool(1, ctx, forked) as pool:
        try:
            yield from pool.submit(process_batch, [item], settings).result()
        except BrokenProcessPool:
            yield reject_result(item, "worker_died", "the worker process reading this input died (killed, out of "
                                                     "memory, or a crash in a library), twice")


@contextmanager
def _pool(workers: int, ctx, forked: bool):
    """A process pool whose workers never outlive it: an error, an interrupt or an abandoned run stops them."""
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(forked,))
    finished = False
    try:
        yield pool
        finished = True
    finally:
        if not finished:
            # ProcessPoolExecutor has no public way to stop running workers before Python 3.14
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(items: list[InputFile], settings: Settings) -> Iterator[DocResult]:
    from dask.distributed import Client, LocalCluster

    cluster = None
    if settings.scheduler:
        client = Client(settings.scheduler)
    else:
        cluster = LocalCluster(n_workers=choose_workers(len(items), settings.workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        in_flight: deque = deque()
        window = max(2 * sum(client.nthreads().values()), 2)
        for batch in _batches(items, settings.batch_size):
            in_flight.append(client.submit(process_batch, batch, settings, pure=False))
            if len(in_flight) >= window:
                yield from in_flight.popleft().result()
        while in_flight:
            yield from in_flight.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


ENGINES = {"local": _local, "dask": _dask}


def run_documents(items: list[InputFile], settings: Settings) -> Iterator[DocResult]:
    if settings.engine not in ENGINES:
        raise ValueError(f"unknown engine {settings.engine!r}: choose one of {sorted(ENGINES)}")
    return ENGINES[settings.engine](items, settings)
