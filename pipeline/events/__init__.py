"""Events: the policy events an article reports, and the same event across articles.

Enters: an article's analysis (clean text, the mentions from :mod:`pipeline.extract`) and its spaCy ``Doc``.
Leaves: ``events`` rows (type, name, dates, place, counts with roles, officials, organisations, parent,
evidence, provenance) and, over many articles, ``event_clusters`` rows. Three jobs:
:mod:`~pipeline.events.find` finds named event mentions in sentences, :mod:`~pipeline.events.clause` the
events their reporting clauses state (정상회담을 갖다, MOU를 체결하다, 출범하다), :mod:`~pipeline.events.pledge` the
pledges (지원하기로 했다), :mod:`~pipeline.events.passing` keeps those reported (not in passing) and
:mod:`~pipeline.events.headline` adds what only the title reports; :mod:`~pipeline.events.link` links dates,
places and counts to them and builds one article's rows, :mod:`~pipeline.events.cluster` consolidates events
across articles. The rule words are data (``data/events.json``, read by :mod:`~pipeline.events.rules`).
"""
from .cluster import cluster_events, cluster_rows
from .link import extract_events, finish_events
from .rules import name_key

__all__ = ["cluster_events", "cluster_rows", "extract_events", "finish_events", "name_key"]
