"""The shared vocabulary: gazetteers (organisations, titles, countries, places) and how to find them in text.

Enters: nothing but the packaged data files under ``lexicon/data/``. Leaves: name tables (for Kiwi's user
dictionary in :mod:`pipeline.nlp` and for the entity rules in :mod:`pipeline.extract`), the normalised text
view, and the per-Doc index the extractors share. It sits below both the tokeniser and the extractors, so
both can import it without an arrow pointing back up.
"""
from .gazetteer import (DATA, countries, country_names, kiwi_user_words, leader_countries, locations, org_alias_map, org_entry,
                        org_rules, organizations, place_names, titles)
from .index import (CLOSE_PUNCT, OPEN_PUNCT, TEXT_KEY, TOKENS_KEY, DocIndex, Intervals, PhraseIndex, SuffixTable, TokenMap, Word,
                    doc_index, doc_text, doc_words, first_hits, particle_tail_re, word_index_at)
from .text import NormText, has_hangul, is_hangul, is_latin, norm_phrase, script

__all__ = ["DATA", "countries", "country_names", "kiwi_user_words", "leader_countries", "locations", "org_alias_map", "org_entry",
           "org_rules", "organizations", "place_names", "titles", "CLOSE_PUNCT", "OPEN_PUNCT", "TEXT_KEY", "TOKENS_KEY", "DocIndex",
           "Intervals", "PhraseIndex", "SuffixTable", "TokenMap", "Word", "doc_index", "doc_text", "doc_words", "first_hits",
           "particle_tail_re", "word_index_at", "NormText", "has_hangul", "is_hangul", "is_latin", "norm_phrase",
           "script"]
