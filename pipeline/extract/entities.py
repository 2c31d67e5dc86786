"""Entity extractors over a Kiwi-tokenised spaCy ``Doc`` (see :mod:`pipeline.nlp`).

The work is split by entity; this module is the stable entry point::

    doc = get_nlp()(text)
    orgs = extract_organizations(doc)            # pipeline.organizations
    officials = extract_officials(doc, orgs)     # pipeline.officials
    places = extract_locations(doc)              # pipeline.locations

All three are pure functions of the Doc (gazetteers and rules are read once from
``pipeline/lexicon/data/``), return mentions sorted by start with character offsets into
``doc.text``, and accept any text. Organisations never overlap each other.

What they derive from the Doc (its tokens as plain lists, the normalised text, the words) is
built once per Doc and shared while the Doc lives (:func:`pipeline.gazetteer.doc_index`), so
running the three on one Doc costs little more than running one.
"""
from __future__ import annotations

from .locations import extract_locations
from .officials import extract_officials
from .organizations import extract_organizations

__all__ = ["extract_organizations", "extract_officials", "extract_locations"]
