"""Where documents are processed: in this process, a local process pool, or a Dask cluster.

Every engine runs the same function (``process_batch``) and yields results in input order,
so the tables are identical whatever the engine and the number of workers.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from typing import Iterator

from pipeline.document import DocResult, process_files, warm_up
from pipeline.ingest.reading import InputFile
from pipeline.settings import Settings


CACHE_RESET_EVERY = 1000          # documents per worker between trafilatura cache resets
_since_reset = 0


def process_batch(items: list[InputFile], settings: Settings) -> list[DocResult]:
    """Runs in a worker; Kiwi and spaCy are created once per worker process (cached)."""
    global _since_reset
    results = process_files(items, settings)
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
    """A worker tokenises in its own thread (one busy thread per worker); a spawned one loads its models."""
    from pipeline.nlp import tokenize_inline
    tokenize_inline(True)
    if not forked:
        warm_up()


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
        for batch in _batches(items, settings.batch_size):
            yield from process_batch(batch, settings)
        return
    ctx, forked = _context()
    if forked:
        warm_up()                       # loaded once, before the fork: the workers share it
    size = max(1, min(settings.batch_size, -(-len(items) // (4 * workers))))   # small tasks: no idle tail
    pool = ctx.Pool(workers, initializer=_init_worker, initargs=(forked,))
    done = False
    try:
        for results in pool.imap(_process_batch_star, [(b, settings) for b in _ramped(items, size)]):
            yield from results
        done = True
    finally:
        pool.close() if done else pool.terminate()      # an error or an abandoned run stops the workers
        pool.join()                                     # no worker outlives the run


def _process_batch_star(args) -> list[DocResult]:
    return process_batch(*args)


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
