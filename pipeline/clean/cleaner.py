"""Cleaning: HTML through trafilatura, then Korean boilerplate rules line by line.

Pure: text in, ``Cleaned`` out. What is removed is kept with the rule that removed it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

from .boilerplate import BULLETS, RuleBook, rulebook

EMAIL_PROTECTED = re.compile(r"\[\s*email(?:&#160;|\u00a0|\s)protected\s*\]")
EMAIL = re.compile(r"[\w.+-]+@(?P<domain>[\w-]+(?:\.[\w-]+)+)")
FINAL_PUNCT = (".", "다", "!", "?")   # a headline may end in a quote; a sentence ends like this


@dataclass(frozen=True)
class Removed:
    line: str
    rule: str
    category: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    start: int
    end: int
    is_caption: bool


@dataclass(frozen=True)
class Cleaned:
    text: str
    paragraphs: tuple[Paragraph, ...]
    removed: tuple[Removed, ...]
    title: str | None = None
    publisher: str | None = None
    authors: tuple[str, ...] = ()
    page_date: str | None = None          # a page-header date ('2025.11.08'): an upper bound only
    published: date | None = None         # from HTML metadata
    url: str | None = None


@dataclass
class _Harvest:
    """What the rules learnt about the page while removing lines."""
    publishers: list[tuple[int, str]] = field(default_factory=list)   # (priority, name)
    authors: list[str] = field(default_factory=list)
    page_date: str | None = None
    emails: list[str] = field(default_factory=list)

    def add_publisher(self, rule_id: str, name: str | None) -> None:
        if name:
            priority = 0 if rule_id.startswith("byline") else 1 if rule_id.startswith("source") else 2
            self.publishers.append((priority, name.strip()))

    def best_publisher(self) -> str | None:
        return min(self.publishers, key=lambda p: p[0])[1] if self.publishers else None


def normalise_text(text: str) -> str:
    """Unify line ends and drop e-mail-protection artefacts (Unicode NFC is done on decoding)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    return EMAIL_PROTECTED.sub("", text)


def _harvest(rule_id: str, match: re.Match, found: _Harvest) -> None:
    groups = match.groupdict()
    found.add_publisher(rule_id, groups.get("publisher"))
    if groups.get("author"):
        found.authors.append(groups["author"])
    if groups.get("date") and found.page_date is None:
        found.page_date = groups["date"]
    if groups.get("email"):
        found.emails.append(groups["email"])


def _is_label(line: str, book: RuleBook) -> bool:
    if book.is_section_label(line):
        return True
    hit = book.first_match(line)
    return bool(hit and hit[0].category == "menu")


def _is_prose(line: str) -> bool:
    """A sentence of article text: long, ending like a Korean or English sentence."""
    line = line.strip()
    return len(line) >= 40 and line.endswith(("다.", "다", "."))


def menu_tail_start(lines: list[str], book: RuleBook) -> int:
    """Index where a trailing block of section menus (and teasers under them) begins."""
    settings = book.tail_block
    content = [i for i, line in enumerate(lines) if line.strip()]
    is_label = [_is_label(lines[i], book) for i in content]
    labels_from = [0] * (len(content) + 1)           # labels_from[k]: labels among content[k:]
    for k in range(len(content) - 1, -1, -1):
        labels_from[k] = labels_from[k + 1] + is_label[k]
    def shields(k: int) -> bool:         # article prose, not a teaser sitting between two menu labels
        between_labels = 0 < k < len(content) - 1 and is_label[k - 1] and is_label[k + 1]
        return _is_prose(lines[content[k]]) and not between_labels

    last_prose = max((k for k in range(len(content)) if shields(k)), default=-1)
    for k in range(max(len(content) // 2, last_prose + 1), len(content)):   # never cut article sentences
        if is_label[k]:
            labels, rest = labels_from[k], len(content) - k
            if labels >= settings["min_labels"] and labels / rest >= settings["min_share"]:
                return content[k]
    return len(lines)


def _apply_rules(line: str, book: RuleBook, found: _Harvest, removed: list[Removed]):
    """Return (kept text or None, is_caption, stop_here) for one line."""
    is_caption = False
    for _ in range(4):                       # a stripped prefix may reveal another rule's match
        hit = book.first_match(line)
        if not hit:
            return line, is_caption, False
        rule, match = hit
        probe = line.strip(BULLETS)
        _harvest(rule.id, match, found)
        if rule.action in ("drop", "tail"):
            removed.append(Removed(line, rule.id, rule.category))
            return None, False, rule.action == "tail"
        if rule.action == "caption":
            if "credit" in match.groupdict() and match.group("credit"):
                removed.append(Removed(match.group(0).strip(), rule.id, rule.category))
                probe = probe[:match.start()].rstrip()
            return (probe or None), True, False
        # strip: remove the matched part, look at the rest again
        removed.append(Removed(match.group(0).strip(), rule.id, rule.category))
        line = (probe[:match.start()] + probe[match.end():]).strip()
        if not line:
            return None, False, False
    return line, is_caption, False


def _mark_caption_heads(kept: list[list]) -> None:
    """A short unpunctuated line right before a photo caption is the photo's title."""
    for i in range(len(kept) - 1):
        text, is_caption = kept[i]
        if not is_caption and kept[i + 1][1] and len(text) <= 60 and not text.endswith(FINAL_PUNCT):
            kept[i][1] = True


def _pop_title(kept: list[list], title: str | None) -> str | None:
    """The title is the HTML title, or a short unpunctuated first line of a text dump."""
    if not kept:
        return title
    first, is_caption = kept[0]
    squash = lambda s: re.sub(r"\s+", "", s)
    if title is not None:
        if squash(first) == squash(title):
            kept.pop(0)
        return title
    if len(kept) > 1 and not is_caption and len(first) <= 100 and not first.endswith(FINAL_PUNCT):
        kept.pop(0)
        return first
    return None


def _assemble(kept: list[list]) -> tuple[str, tuple[Paragraph, ...]]:
    paragraphs, pos = [], 0
    for text, is_caption in kept:
        paragraphs.append(Paragraph(text, pos, pos + len(text), bool(is_caption)))
        pos += len(text) + 1
    return "\n".join(p.text for p in paragraphs), tuple(paragraphs)


def clean_lines(text: str, *, title: str | None = None, book: RuleBook | None = None) -> Cleaned:
    """Apply the boilerplate rules to a page's text (a text dump or trafilatura's output)."""
    book = book or rulebook()
    lines = normalise_text(text).split("\n")
    tail = menu_tail_start(lines, book)
    kept: list[list] = []
    removed: list[Removed] = []
    found = _Harvest()
    for i, raw_line in enumerate(lines):
        line = raw_line.strip()
        if not line:
            continue
        if i >= tail:
            removed.append(Removed(line, "menu.tail_block", "menu"))
            continue
        kept_text, is_caption, stop = _apply_rules(line, book, found, removed)
        if kept_text:
            kept.append([kept_text, is_caption])
        if stop:
            removed.extend(Removed(rest.strip(), "headline_list.rows", "headline_list")
                           for rest in lines[i + 1:] if rest.strip())
            break
    _mark_caption_heads(kept)
    title = _pop_title(kept, title)
    body, paragraphs = _assemble(kept)
    publisher = found.best_publisher() or _publisher_from_emails(text, book) or _publisher_from_removed(removed, book)
    return Cleaned(body, paragraphs, tuple(removed), title, publisher,
                   tuple(dict.fromkeys(found.authors)), found.page_date)


def _publisher_from_emails(text: str, book: RuleBook) -> str | None:
    for match in EMAIL.finditer(text):
        name = book.publisher_for_domain(match.group("domain"))
        if name:
            return name
    return None


def _publisher_from_removed(removed: list[Removed], book: RuleBook) -> str | None:
    for item in removed:
        if item.category in ("promo", "publisher", "copyright"):
            name = book.publisher_named_in(item.line)
            if name:
                return name
    return None


def clean_html(html: str, url: str | None = None) -> Cleaned:
    """Main text and metadata with trafilatura (no network), then the boilerplate rules.

    A page nested deeper than lxml's parser goes is cut there, and trafilatura finds no text in
    it (or only the menus above the cut): such a page is read as flat text instead (``FlatText``)."""
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(html)               # what bare_extraction would parse, parsed once
    if tree is None:
        return Cleaned("", (), (), None, None)
    if tree.xpath(TRUNCATED):
        return _clean_flat(html)
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=False,
        favor_recall=True, date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None or not (doc.text or "").strip():
        return Cleaned("", (), (), None, None)
    cleaned = clean_lines(doc.text, title=doc.title or None)
    published = _iso_date(doc.date)
    return Cleaned(cleaned.text, cleaned.paragraphs, cleaned.removed, cleaned.title,
                   doc.sitename or cleaned.publisher, cleaned.authors, cleaned.page_date,
                   published, doc.url or url)


LXML_MAX_DEPTH = 255      # lxml's HTML parser (without huge_tree) stops nesting here and drops what lies deeper
TRUNCATED = "boolean(" + "/*" * (LXML_MAX_DEPTH - 1) + ")"


class FlatText(HTMLParser):
    """The text of an HTML page, streamed (any nesting depth), without head, scripts, menus and footers;
    a line break at each block element."""
    SKIP = frozenset({"head", "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
                      "select", "button", "svg", "iframe", "object"})
    BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
                       "table", "section", "article", "main", "blockquote", "pre", "figure", "figcaption", "hr"})
    VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "track",
                      "wbr", "param"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.skip = 0
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "body":                    # whatever was left open before the body ends here
            self.skip = 0
        elif tag not in self.VOID:
            self.skip += tag in self.SKIP
        self.in_title = tag == "title"
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.skip = max(self.skip - (tag in self.SKIP), 0)
        self.in_title = False
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        elif not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def _clean_flat(html: str) -> Cleaned:
    """A page too deep for trafilatura: its flat text, then the rules."""
    parser = FlatText()
    parser.feed(html)
    parser.close()
    title = re.sub(r"\s+", " ", "".join(parser.title)).strip() or None
    return clean_lines("".join(parser.parts), title=title)


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
