"""The analyst's tools over written tables. Enters: a tables folder (or JSON lines of text for ``annotate``).
Leaves: query results from DuckDB (:mod:`~pipeline.analyst.query`), the static HTML report
(:mod:`~pipeline.analyst.report`, templates in ``templates/``), and mentions for ad-hoc text
(:mod:`~pipeline.analyst.annotate`).
"""
