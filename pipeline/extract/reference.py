"""The article's reference date: what relative dates ('22일', '내년') resolve against. Pure.

Order of trust: the page's own metadata (sidecar or HTML); a full date in a dateline or a photo
caption; the latest full date printed in the body; a page-header date (the day the page was
rendered, an upper bound). None when nothing establishes it.
"""
from __future__ import annotations

import re
from datetime import date

from pipeline.clean.cleaner import Cleaned
from .mentions import DateMention

PAGE_DATE = re.compile(r"(\d{4})\D{1,2}(\d{1,2})\D{1,2}(\d{1,2})")
DATELINE_CHARS = 40      # a date this close to the start of the first paragraph is a dateline


def parse_page_date(value: str | None) -> date | None:
    match = PAGE_DATE.search(value or "")
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def _full_dates(mentions: list[DateMention]) -> list[DateMention]:
    return [m for m in mentions if m.resolution == "absolute" and m.grain == "day" and m.date_end]


def _in_dateline(mention: DateMention, cleaned: Cleaned) -> bool:
    for para in cleaned.paragraphs:
        if para.start <= mention.start < para.end:
            return para.is_caption or (para is cleaned.paragraphs[0] and mention.start - para.start < DATELINE_CHARS)
    return False


def choose_reference(cleaned: Cleaned, published: date | None,
                     absolute_mentions: list[DateMention]) -> tuple[date | None, str | None]:
    """Return (reference date, its source) from metadata, the text's own dates or the page header."""
    if published:
        return published, "metadata"
    full = _full_dates(absolute_mentions)
    page_date = parse_page_date(cleaned.page_date)
    if page_date:
        full = [m for m in full if m.date_end <= page_date]
    datelines = [m for m in full if _in_dateline(m, cleaned)]
    if datelines:
        return datelines[0].date_end, "dateline"
    if full:
        return max(m.date_end for m in full), "body"
    if page_date:
        return page_date, "page_header"
    return None, None
