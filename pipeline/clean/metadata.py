"""Page metadata for the cleaner: publisher and author candidates from <meta> tags, a publisher name
checked (never a URL, never a portal's name), titles without site suffixes. Pure."""
from __future__ import annotations

import html as html_lib
import re

from .boilerplate import RuleBook

PUBLISHER_META = ("og:article:author", "article:publisher", "publisher", "twitter:creator", "og:site_name",
                  "dable:author", "author")


AUTHOR_META = ("article:author", "dable:author", "author", "byl")
AUTHOR_NAME = re.compile(r"^([가-힣]{2,4})(\s?(기자|특파원|선임기자|논설위원))?$")


BYLINE_CLASS = re.compile(r"byline|journalist|reporter|writer|author")
BYLINE_NAME = re.compile(r"([가-힣]{2,4})\s?(?:기자|특파원|선임기자|앵커)")


def _byline_elements(root, limit: int = 6) -> list[str]:
    """Reporter names in the page's byline elements (class or id naming a byline, journalist, reporter,
    writer or author): '김영민 기자'."""
    names = []
    for element in root.xpath("//*[@class or @id]"):
        if BYLINE_CLASS.search(f"{element.get('class') or ''} {element.get('id') or ''}"):
            text = " ".join(element.text_content().split())
            if len(text) <= 80:
                names += BYLINE_NAME.findall(text)
    return list(dict.fromkeys(names))[:limit]


def page_metadata(root) -> dict:
    """Publisher candidates (most specific first), reporter names and the title from a parsed page's
    <meta> and <title> tags (an lxml tree; None gives nothing)."""
    out = {"publishers": [], "authors": [], "title": None}
    if root is None:
        return out
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if meta.get("content") and key not in found:
            found[key] = meta.get("content").strip()
    out["publishers"] = [found[k] for k in PUBLISHER_META if k in found]
    names = [AUTHOR_NAME.match(found[k]) for k in AUTHOR_META if k in found]
    out["authors"] = [m.group(1) for m in names if m] + _byline_elements(root)
    title = found.get("og:title") or (root.findtext(".//title") or "").strip()
    out["title"] = title or None
    return out


def valid_publisher(name: str | None, book: RuleBook) -> str | None:
    """A news organisation's name from a metadata value: never a URL, never a portal's name."""
    if not name:
        return None
    name = html_lib.unescape(name).strip().lstrip("@")
    for part in re.split(r"\s+[|:\-–·]\s+|\s*\|\s*", name):
        part = part.strip()
        if not part or re.search(r"https?://|www\.|\.(com|net|kr|org)\b", part) or book.is_portal(part):
            continue
        known = book.publisher_named_in(part)
        if known and len(part) <= len(known) + 12:
            return known
        if len(part) <= 25 and not re.search(r"기자|reporter", part, re.I):
            return part
    return None


def clean_title(title: str | None, publisher: str | None, book: RuleBook) -> str | None:
    """A title without trailing ' - 매일경제', ' | 네이버 뉴스', ' < 정치 < 기사본문 - 경제인투데이' parts."""
    if not title:
        return title
    title = html_lib.unescape(title).strip()
    parts = re.split(r"(\s+[-|:<–]\s+|\s*\|\s*)", title)
    while len(parts) >= 3:
        last = parts[-1].strip()
        if not (last == publisher or book.is_portal(last) or book.publisher_named_in(last) == last
                or book.is_section_label(last) or last in ("기사본문", "기사 본문")
                or (len(last) <= 15 and re.search(r"(뉴스|일보|신문|닷컴|방송|News|NEWS|TV)$", last))):
            break
        parts = parts[:-2]
    return "".join(parts).strip() or title


