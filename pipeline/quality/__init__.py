"""The project's measuring tools, out of the runtime path: ``make eval`` (:mod:`~pipeline.quality.evaluate`,
scoring against the gold file and the labelled sets with :mod:`~pipeline.quality.gold`), ``make coverage``
(:mod:`~pipeline.quality.coverage`: numerals and date words no mention covers) and ``make bench``
(:mod:`pipeline.quality.bench`). Nothing in the pipeline imports them.
"""
