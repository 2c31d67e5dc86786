"""Cleaning. Enters: one decoded page (HTML or a plain-text dump) and its sidecar metadata. Leaves: a
:class:`~pipeline.clean.cleaner.Cleaned` record: the article's clean text in paragraphs (captions flagged),
title, publisher, authors, page dates, and every removed line with the rule that removed it. HTML goes through
trafilatura first; the Korean boilerplate rules (``data/boilerplate.json``, read by
:mod:`~pipeline.clean.boilerplate`) then apply to HTML and text dumps alike. Pure: text in, record out.
"""
