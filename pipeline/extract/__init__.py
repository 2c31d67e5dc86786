"""Extraction by rules. Enters: an article's clean text, its reference date and its spaCy ``Doc`` (Kiwi tokens).
Leaves: mention records (:mod:`~pipeline.extract.mentions`) for dates (ISO ranges with grain and TIMEX),
numbers (value, counter, counted class, qualifier), officials, organisations and locations, each with its
character span and the rule that produced it; and the article's reference date
(:mod:`~pipeline.extract.reference`). Rules are data in ``data/`` beside the modules (entity names come from
:mod:`pipeline.lexicon`); examples of each rule are in ``tests/corpus/``. Pure: no disk, clock or environment.
"""
