"""Cleaning: HTML through trafilatura (or the article JSON in its scripts), text dumps through
``dumps``, then Korean boilerplate rules line by line.

Pure: text in, ``Cleaned`` out. What is removed is kept with the rule that removed it.
"""
from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field, replace
from datetime import date
from html.parser import HTMLParser

from .boilerplate import BULLETS, RuleBook, rulebook
from .dumps import korean_sentences, parse_dump
from .metadata import clean_title, page_metadata, valid_publisher

EMAIL_PROTECTED = re.compile(r"\[\s*email(?:&#160;|\u00a0|\s)protected\s*\]")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
ENTITY = re.compile(r"&(#\d{2,6}|#[xX][0-9a-fA-F]{2,5}|quot|apos|amp|lt|gt|nbsp|middot|hellip|lsquo|rsquo|ldquo|rdquo);")
SENTENCE_BOUNDARY = re.compile(r"[.!?…][\"”’')\]]*\s+|(?<=다)\s+")
FINAL_PUNCT = (".", "다", "!", "?")   # a headline may end in a quote; a sentence ends like this
PRESS_NAME = re.compile(r"[가-힣](뉴스|일보|신문|경제|방송|통신|데일리|투데이|미디어|TV|\d{2})$")
SEVERAL_REPORTERS = re.compile(r"(?:^|[)\]】=]\s*)((?:[가-힣]{2,4}(?:\s?(?:기자|특파원))?[\s·,]+){1,3}[가-힣]{2,4})\s?(?:기자|특파원|선임기자)\s*[=|\]】]")
AUTHOR_IN_META = re.compile(r"^([가-힣]{2,4})(\s?(기자|특파원|선임기자|논설위원))?$")
AUTHOR_STOP = {"기자", "특파원", "선임기자", "논설위원", "앵커"}
OPENERS = " <([{【〈《"
TITLE_SEPARATOR = re.compile(r"\s+[-|–:<]\s+|\s*\|\s*")
MIN_DUPLICATE_CHARS = 20              # a paragraph this long seen twice keeps its first copy only


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
    published: date | None = None         # from HTML metadata or a dump's date field
    url: str | None = None
    body_source: str = "text"             # trafilatura | json_ld | script_json | text


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
    """Unify line ends, decode HTML entities left in the text (`&quot;`, `&#x27;`), drop e-mail-protection
    artefacts (Unicode NFC is done on decoding)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    if ENTITY.search(text):
        text = html_lib.unescape(text)
    return EMAIL_PROTECTED.sub("", text)


def _harvest(rule_id: str, match: re.Match, found: _Harvest) -> None:
    groups = match.groupdict()
    found.add_publisher(rule_id, groups.get("publisher") or groups.get("publisher2") or groups.get("publisher3"))
    if groups.get("author") or groups.get("author2"):
        several = SEVERAL_REPORTERS.search(match.group(0))
        found.authors.extend(a for a in re.findall(r"[가-힣]{2,4}", several.group(1)) if a not in AUTHOR_STOP) \
            if several else found.authors.append(groups.get("author") or groups["author2"])
    if groups.get("authors"):
        found.authors.extend(a for a in re.findall(r"[가-힣]{2,4}(?=\s?(?:기자|특파원)|\s*[,·/]|\s*$)", groups["authors"])
                             if a not in AUTHOR_STOP)
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


def article_head(probe: str, start: int) -> str | None:
    """The article sentences before a rule's match inside a line, cut at the last sentence boundary."""
    if start <= 0:
        return None
    cuts = [m.end() for m in SENTENCE_BOUNDARY.finditer(probe[:start + 1]) if m.end() <= start + 1]
    if not cuts:
        return None
    head = probe[:cuts[-1]].strip()
    return head if _sentence_like(head) or head.endswith(("다.", "다")) else None


def _sentence_like(text: str) -> bool:
    """A Korean sentence, or a caption-like phrase ending in a full stop ('부산 북항 재개발 부지 전경.')."""
    return bool(korean_sentences(text)) or (len(re.findall(r"[가-힣]", text)) >= 8 and text.endswith((".", "!", "?", "”", '"')))


def _matching_suffix(probe: str, rule) -> int:
    """Where the shortest run of trailing sentences that the rule matches on its own begins (0: none):
    a rule anchored at the line start must not take the article sentences glued before its match."""
    starts = [m.end() for m in SENTENCE_BOUNDARY.finditer(probe) if m.end() < len(probe)]
    for start in reversed(starts):
        if _sentence_like(probe[:start].strip()) and rule.search(probe[start:].strip(BULLETS)):
            return start
    return 0


def _apply_rules(line: str, book: RuleBook, found: _Harvest, removed: list[Removed], started: bool = True):
    """Return (kept text or None, is_caption, stop_here) for one line."""
    is_caption, cut_from = False, None
    for _ in range(4):                       # a stripped prefix may reveal another rule's match
        hit = book.first_match(line)
        if not hit:
            if cut_from and not _sentence_like(line):      # what was left before a cut tail, no sentence in it
                removed.append(Removed(line, cut_from.id, cut_from.category))
                return None, False, False
            return line, is_caption, False
        rule, match = hit
        probe = line.strip(BULLETS)
        _harvest(rule.id, match, found)
        if rule.action in ("drop", "tail"):
            stop = rule.action == "tail" and started     # a tail header before any article text only drops
            head = article_head(probe, match.start())
            if head:                                     # the rule matched the line's tail: cut the tail only
                middle = probe[len(head):match.start()].strip()
                inner = book.first_match(middle) if middle else None
                if inner:                                # a byline between the sentence and the tail
                    _harvest(inner[0].id, inner[1], found)
                    removed.append(Removed(middle, inner[0].id, inner[0].category))
                    middle = ""
                removed.append(Removed(f"{middle} {probe[match.start():].strip()}".strip(), rule.id, rule.category))
                return head, is_caption, stop
            start = match.start() or _matching_suffix(probe, rule)
            if start and not stop:                       # the rest before the match: look at it again
                removed.append(Removed(probe[start:].strip(), rule.id, rule.category))
                line, cut_from = probe[:start].strip().rstrip(OPENERS), rule
                if line:
                    continue
                return None, False, False
            removed.append(Removed(line, rule.id, rule.category))
            return None, False, stop
        if rule.action == "caption":
            if "credit" in match.groupdict() and match.group("credit"):
                removed.append(Removed(probe[match.start("credit"):].strip(), rule.id, rule.category))
                probe = probe[:match.start("credit")].rstrip()
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


def _title_keys(title: str | None) -> set[str]:
    """The title, and the title without a trailing site part (' - SBS 뉴스'), spaces removed."""
    if not title:
        return set()
    head = TITLE_SEPARATOR.split(title)[0]
    return {re.sub(r"\s+", "", t) for t in (title, head) if len(t.strip()) >= 6}


def _pop_title(kept: list[list], title: str | None) -> str | None:
    """The title is the HTML title, or a short unpunctuated first line of a text dump."""
    if not kept:
        return title
    first, is_caption = kept[0]
    if title is not None:
        if re.sub(r"\s+", "", first) in _title_keys(title):
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


def split_glued(text: str, book: RuleBook) -> str:
    """Put bylines, credits and promos glued to a sentence on lines of their own (the rulebook's splits)."""
    for split in book.splits:
        text = split.sub(lambda m: m.group(0).rstrip() + "\n", text)
    return text


def _drop_repeats(kept: list[list], title: str | None, removed: list[Removed]) -> list[list]:
    """A paragraph repeated verbatim keeps its first copy; a later copy of the title goes."""
    squash = lambda s: re.sub(r"\s+", "", s)
    seen: list[str] = []
    out = []
    title_keys = _title_keys(title)
    for item in kept:
        key = squash(item[0])
        if key in title_keys:
            removed.append(Removed(item[0], "title.repeat", "duplicate"))
        elif len(key) >= MIN_DUPLICATE_CHARS and _repeats(key, seen):
            removed.append(Removed(item[0], "duplicate.paragraph", "duplicate"))
        else:
            seen.append(key)
            out.append(item)
    return out


def _repeats(key: str, seen: list[str]) -> bool:
    """The paragraph was seen already: verbatim, inside a longer paragraph (a body repeated as one block
    after its paragraphs, or the reverse), or as a run of earlier paragraphs joined."""
    if key in seen or any(key in s for s in seen):
        return True
    reach, frontier = {0}, [0]                    # positions of key reachable by joining earlier paragraphs
    while frontier:
        i = frontier.pop()
        for s in seen:
            if len(s) >= 6 and key.startswith(s, i) and i + len(s) not in reach:
                if i + len(s) == len(key):
                    return i > 0
                reach.add(i + len(s))
                frontier.append(i + len(s))
    return False


def _run_rules(lines: list[str], book: RuleBook, found: _Harvest, removed: list[Removed]) -> list[list]:
    tail = menu_tail_start(lines, book)
    kept: list[list] = []
    started = False                       # has article prose begun?
    for i, raw_line in enumerate(lines):
        line = " ".join(raw_line.split())
        if not line:
            continue
        if i >= tail:
            removed.append(Removed(line, "menu.tail_block", "menu"))
            continue
        kept_text, is_caption, stop = _apply_rules(line, book, found, removed, started)
        if kept_text:
            kept.append([kept_text, is_caption])
            started = started or _is_prose(kept_text)
        if stop:
            removed.extend(Removed(rest.strip(), "headline_list.rows", "headline_list")
                           for rest in lines[i + 1:] if rest.strip())
            break
    return kept


def _fallback(lines: list[str], removed: list[Removed], n_chars: int) -> list[list]:
    """Less aggressive: every line with a Korean sentence, when the rules left too little text."""
    kept = [[" ".join(line.split()), False] for line in lines if korean_sentences(line)]
    removed.append(Removed(f"[rules left {n_chars} characters; kept the {len(kept)} lines with Korean sentences]",
                           "fallback.less_aggressive", "fallback"))
    return kept


def clean_lines(text: str, *, title: str | None = None, book: RuleBook | None = None,
                min_chars: int = 20) -> Cleaned:
    """Apply the boilerplate rules to a page's text (a text dump or trafilatura's output)."""
    book = book or rulebook()
    lines = split_glued(normalise_text(text), book).split("\n")
    removed: list[Removed] = []
    found = _Harvest()
    kept = _run_rules(lines, book, found, removed)
    n_chars = sum(len(t) for t, _ in kept)
    if n_chars < min_chars and korean_sentences(text):
        kept = _fallback(lines, removed, n_chars)
    _mark_caption_heads(kept)
    title = _pop_title(kept, title)
    kept = _drop_repeats(kept, title, removed)
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


def clean_text(text: str, min_chars: int = 20, book: RuleBook | None = None) -> Cleaned:
    """A text input: a crawler record or Markdown dump becomes body and metadata, then the rules."""
    book = book or rulebook()
    dump = parse_dump(text)
    dump.body = _strip_title_prefix(dump.body, dump.meta.get("title"), dump.set_aside)
    cleaned = clean_lines(dump.body, title=dump.meta.get("title"), book=book, min_chars=min_chars)
    aside = tuple(Removed(line, rule, rule.split(".")[0]) for line, rule in dump.set_aside)
    authors = tuple(dict.fromkeys((*dump.meta.get("authors", ()), *cleaned.authors)))
    named = [dump.meta.get("publisher"), *dump.meta.get("press_candidates", ())]
    publisher = (next(filter(None, map(book.canonical_publisher, named)), None)
                 or valid_publisher(dump.meta.get("publisher"), book)
                 or next((c for c in named[1:] if c and PRESS_NAME.search(c)), None)
                 or book.publisher_for_url(dump.meta.get("url")) or cleaned.publisher)
    title = clean_title(cleaned.title, publisher, book)
    return replace(cleaned, removed=aside + cleaned.removed, title=title, publisher=publisher, authors=authors,
                   published=_iso_date(dump.meta.get("published")), url=dump.meta.get("url"), body_source="text")


def _strip_title_prefix(body: str, title: str | None, aside: list) -> str:
    """A record body that repeats its title before the first sentence starts after it."""
    head = body.lstrip()
    if title and len(title) >= 8 and head.startswith(title) and len(head) > len(title) + 20:
        aside.append((title, "title.repeat"))
        return head[len(title):]
    return body


def clean_html(html: str, url: str | None = None, min_chars: int = 20) -> Cleaned:
    """Main text and metadata with trafilatura (no network); when it finds little, the article JSON in
    the page's scripts; then the boilerplate rules.

    A page nested deeper than lxml's parser goes is cut there, and trafilatura finds no text in
    it (or only the menus above the cut): such a page is read as flat text instead (``FlatText``)."""
    import trafilatura
    from trafilatura.utils import load_html

    book = rulebook()
    tree = load_html(html)               # parsed once: the <meta> tags are read before trafilatura prunes it
    if tree is None:
        return Cleaned("", (), (), None, None)
    if tree.xpath(TRUNCATED):
        return _clean_flat(html, min_chars)
    page = page_metadata(tree)
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=False,
        favor_recall=True, date_extraction_params={"extensive_search": False, "original_date": True},
    )
    title = (doc.title if doc is not None else None) or page["title"]
    cleaned, source, found = _body(html, (doc.text or "") if doc is not None else "", title, book, min_chars)
    if cleaned is None:
        return Cleaned("", (), (), None, None)
    named = [doc.sitename if doc else None, *page["publishers"], found.publisher if found else None]
    page_url = (doc.url if doc else None) or url
    publisher = (next(filter(None, (book.canonical_publisher(v) or book.canonical_publisher(valid_publisher(v, book))
                                    for v in named)), None)
                 or book.publisher_for_url(page_url) or book.publisher_for_url(url)
                 or next(filter(None, (valid_publisher(v, book) for v in named)), None) or cleaned.publisher)
    byline = [AUTHOR_IN_META.match(a.strip()) for a in re.split(r"[;,|/·]", (doc.author or "") if doc else "")]
    from_meta = [*page["authors"], *(found.authors if found else ()), *(m.group(1) for m in byline if m)]
    authors = tuple(dict.fromkeys((*cleaned.authors, *(a for a in from_meta if book.is_person_name(a)))))
    return replace(cleaned, title=clean_title(cleaned.title, publisher, book), publisher=publisher, authors=authors,
                   published=_iso_date(doc.date if doc else None), url=page_url, body_source=source)


def _body(html: str, text: str, title: str | None, book: RuleBook, min_chars: int):
    """(cleaned, body_source, script body) from trafilatura's text, or from the page's scripts when
    trafilatura found fewer Korean sentences than the settings ask for, or took JSON-LD's body whole."""
    from .script_body import json_ld_body, script_body

    cleaned = clean_lines(text, title=title, book=book, min_chars=min_chars) if text.strip() else None
    have = korean_sentences(cleaned.text) if cleaned else 0
    settings = book.script_body
    hydrated = any(marker in html for marker in settings["markers"])
    if have < settings["min_sentences"] or (hydrated and have < settings["recheck_below"]):
        found = script_body(html)
        if found and found.sentences > have * settings["ratio"]:
            return clean_lines(found.text, title=title or found.title, book=book, min_chars=min_chars), found.source, found
    if have and text.count("\n") < settings["one_block_lines"] and len(text) > settings["one_block_chars"]:
        found = json_ld_body(html)          # trafilatura's own JSON-LD fallback: one block, paragraphs lost
        if found and re.sub(r"\s+", "", found.text) == re.sub(r"\s+", "", text):
            return clean_lines(found.text, title=title, book=book, min_chars=min_chars), found.source, found
    if cleaned is None or not cleaned.text:              # nothing at all: trafilatura's baseline (all <p> text)
        import trafilatura

        _, text, _ = trafilatura.baseline(html)
        if korean_sentences(text):
            return clean_lines(text, title=title, book=book, min_chars=min_chars), "trafilatura", None
    return cleaned, "trafilatura", None


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


def _clean_flat(html: str, min_chars: int = 20) -> Cleaned:
    """A page too deep for trafilatura: its flat text, then the rules (body_source 'text')."""
    parser = FlatText()
    parser.feed(html)
    parser.close()
    title = re.sub(r"\s+", " ", "".join(parser.title)).strip() or None
    return clean_lines("".join(parser.parts), title=title, min_chars=min_chars)


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
