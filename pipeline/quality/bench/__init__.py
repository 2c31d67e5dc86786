"""``make bench``: the speed, memory and scaling benchmark (``python -m pipeline.quality.bench``).

A measuring tool, out of the runtime path: :mod:`~pipeline.quality.bench.corpus` generates the corpus,
:mod:`~pipeline.quality.bench.measure` measures in child processes, :mod:`~pipeline.quality.bench.run`
prints the figures and holds the command line.
"""
from .corpus import MAX_BYTES, MIN_BYTES, ensure_corpus, load_sources, write_corpus

__all__ = ["MAX_BYTES", "MIN_BYTES", "ensure_corpus", "load_sources", "write_corpus"]
