"""Where documents are processed: in this process, a local process pool, or a Dask cluster.

Every engine runs the same function (``process_batch``) and yields results in input order,
so the tables are identical whatever the engine and the number of workers.
"""
from __future__ import annotations

import multiprocessing as mp
from collections import deque
from typing import Iterator

from pipeline.document import DocResult, process_files
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


def _batches(items: list[InputFile], size: int) -> list[list[InputFile]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _warm_worker() -> None:
    from pipeline.nlp import get_kiwi
    get_kiwi()


def _local(items: list[InputFile], settings: Settings) -> Iterator[DocResult]:
    batches = _batches(items, settings.batch_size)
    if settings.workers <= 1 or len(batches) <= 1:
        for batch in batches:
            yield from process_batch(batch, settings)
        return
    ctx = mp.get_context("spawn")         # no forked copies of parent state; each worker builds its own Kiwi
    with ctx.Pool(settings.workers, initializer=_warm_worker) as pool:
        for results in pool.imap(_process_batch_star, [(b, settings) for b in batches]):
            yield from results


def _process_batch_star(args) -> list[DocResult]:
    return process_batch(*args)


def _dask(items: list[InputFile], settings: Settings) -> Iterator[DocResult]:
    from dask.distributed import Client, LocalCluster

    cluster = None
    if settings.scheduler:
        client = Client(settings.scheduler)
    else:
        cluster = LocalCluster(n_workers=max(settings.workers, 1), threads_per_worker=1, processes=True,
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
