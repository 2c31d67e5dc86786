"""Crawler dumps (text inputs): one record (JSON object, CSV/TSV row, HTML <tr> row) or a Markdown
page with front matter. Pure: text in, ``Dump`` (body text, metadata, what was set aside) out.

A record's longest Korean text field is the body; title, date, url and press fields are metadata;
the other fields (ids, flags, categories) are set aside, each noted with the rule ``record.field``.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass, field

HANGUL = re.compile(r"[가-힣]")
URL = re.compile(r"^(https?://|www\.)\S+$")
DATE = re.compile(r"^(?P<y>\d{4})[-./년]\s?(?P<m>\d{1,2})[-./월]\s?(?P<d>\d{1,2})")
HTML_TAG = re.compile(r"<(br|p|div|span|em|strong|b|i|img|a|figure|figcaption|table|li|h\d)\b[^>]*>", re.I)
SENTENCE_END = re.compile(r"[가-힣](다|요|까|죠)[.!?]")
GLUED_PARAGRAPHS = re.compile(r"(?<=\S)\s{2,}(?=\S)")    # one-line bodies join paragraphs with 2+ spaces
GLUED_AFTER_SENTENCE = re.compile(r"(?<=[.!?\"”’])\s{2,}(?=\S)")
GLUED_SENTENCES = re.compile(r"(?<=[가-힣]다\.)(?=[가-힣“‘\"'(\[])")
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(?P<yaml>.*?)\n(---|\.\.\.)[ \t]*(\n|\Z)", re.S)
MD_HEADING = re.compile(r"^#{1,3}\s+(?P<title>\S.*?)\s*#*$")
MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
MD_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\((?:https?://|/)[^)]*\)")
MD_RULE = re.compile(r"(?m)^[ \t]*([-*_=][ \t]*){3,}$")
MD_META_LINE = re.compile(r"^\**(?P<publisher>[^*|]{2,30}?)\**\s*\|\s*(?P<rest>.*)$")

TITLE_KEYS = ("title", "headline", "subject", "제목")
DATE_KEYS = ("date", "published", "pub_date", "pubdate", "datetime", "time", "created_at", "날짜", "일자", "작성일",
             "등록일", "게시일", "입력일")
URL_KEYS = ("url", "link", "originurl", "href", "source_url", "링크", "주소", "원문", "기사주소")
PRESS_KEYS = ("press", "publisher", "provider", "source_name", "media", "source", "언론사", "매체", "출처", "신문사")
AUTHOR_KEYS = ("author", "authors", "reporter", "byline", "기자", "작성자")


@dataclass
class Dump:
    body: str
    meta: dict = field(default_factory=dict)        # title, published (YYYY-MM-DD), publisher, url, authors
    set_aside: list[tuple[str, str]] = field(default_factory=list)   # (text, rule)


def korean_sentences(text: str) -> int:
    return len(SENTENCE_END.findall(text))


def html_to_text(fragment: str) -> str:
    """An HTML fragment's text, one line per block or <br>, scripts and styles dropped (lxml)."""
    import lxml.html

    try:
        root = lxml.html.fromstring(f"<div>{fragment}</div>")
    except Exception:     # lxml refuses some fragments (empty, only comments): keep the text as it is
        return fragment
    for bad in root.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    for br in root.xpath(".//br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.xpath(".//p|.//div|.//li|.//h1|.//h2|.//h3|.//h4|.//figcaption|.//tr|.//em[@class]"):
        block.tail = "\n" + (block.tail or "")
        block.text = "\n" + (block.text or "")
    return root.text_content()


def _iso(value: str) -> str | None:
    m = DATE.match(value.strip())
    if not m:
        return None
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None


def _hangul(value: str) -> int:
    return len(HANGUL.findall(value))


# -- records -----------------------------------------------------------------------------------

def _json_record(text: str) -> list[tuple[str, str]] | None:
    """(key, value) string fields of one JSON object (nested objects flattened), or None."""
    stripped = text.strip().rstrip(",")
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        obj = json.loads(stripped)
    except json.JSONDecodeError:
        return None
    if not isinstance(obj, dict):
        return None
    fields: list[tuple[str, str]] = []

    def walk(key: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(str(k), v)
        elif isinstance(value, list):
            for v in value:
                walk(key, v)
        elif value is not None and value != "":
            fields.append((key, str(value)))
    walk("", obj)
    return fields


def _tr_record(text: str) -> list[tuple[str, str]] | None:
    stripped = text.strip()
    if not re.match(r"<tr[\s>]", stripped, re.I) or stripped.lower().count("<tr") != 1:
        return None
    import lxml.html

    try:
        row = lxml.html.fragment_fromstring(f"<table>{stripped}</table>").find(".//tr")
    except Exception:
        return None
    if row is None:
        return None
    return [("", cell.text_content()) for cell in row.findall("./td") + row.findall("./th")]


def _delimited_record(text: str) -> list[tuple[str, str]] | None:
    """One CSV or TSV data row (optionally under its header row): at least three fields, one of them an
    id, a date or a URL. A TSV row may carry line breaks inside its body field."""
    stripped = text.strip("\n").replace("\r", " ")
    first_line = stripped.split("\n", 1)[0]
    if first_line.count("\t") >= 2 and not first_line.startswith("\t"):
        header, rest = _header(first_line.split("\t")), stripped
        if header:
            rest = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        cells = rest.split("\t")
        if _is_row(cells, header):
            return list(zip(header or [""] * len(cells), cells))
    if "," not in first_line:
        return None
    try:
        rows = [r for r in csv.reader(io.StringIO(stripped)) if any(c.strip() for c in r)]
    except csv.Error:
        return None
    header = _header(rows[0]) if len(rows) == 2 else None
    row = rows[1] if header else rows[0]
    if len(rows) == (2 if header else 1) and _is_row(row, header):
        return list(zip(header or [""] * len(row), row))
    return None


def _header(cells: list[str]) -> list[str] | None:
    """Column names: short identifiers, none of them a sentence, a date or a URL."""
    names = [c.strip().lower() for c in cells]
    ok = all(re.fullmatch(r"[a-z_][a-z0-9_ ]{0,24}|[가-힣]{1,6}", n) for n in names)
    return names if ok and len(set(names)) == len(names) else None


def _is_row(cells: list[str], header: list[str] | None) -> bool:
    if header is not None:
        return len(cells) == len(header) and max(map(_hangul, cells), default=0) >= 20
    return len(cells) >= 3 and sum(map(_structured, cells)) >= 1 and max(map(_hangul, cells)) >= 20


def _structured(cell: str) -> bool:
    """An id, date or URL cell: what tells a record row from a sentence with commas."""
    cell = cell.strip()
    return bool(URL.match(cell) or _iso(cell) or re.fullmatch(r"\d{5,}", cell))


def _body_text(value: str) -> str:
    value = html.unescape(value) if "&" in value else value
    if HTML_TAG.search(value):
        value = html_to_text(value)
        value = html.unescape(value) if "&" in value else value
    return value


def _pick(fields: list[tuple[str, str]], keys: tuple[str, ...], test) -> int | None:
    keyed = [i for i, (k, v) in enumerate(fields) if k.lower() in keys and test(v)]
    return keyed[0] if keyed else None


def _looks_like_press(value: str) -> bool:
    value = value.strip()
    return 2 <= len(value) <= 20 and not URL.match(value) and not _iso(value) and not value.isdigit()


def record_dump(fields: list[tuple[str, str]]) -> Dump | None:
    """The body (the longest Korean text field) and metadata of one record."""
    bodies = [(_hangul(_body_text(v)), i) for i, (k, v) in enumerate(fields)]
    if not bodies:
        return None
    score, body_i = max(bodies)
    if score < 20:
        return None
    meta: dict = {}
    used = {body_i}
    title_i = _pick(fields, TITLE_KEYS, lambda v: _hangul(v) > 0)
    if title_i is None and not any(k for k, _ in fields):      # keyless row: the next-longest Korean field
        rest = sorted(((_hangul(v), i) for i, (k, v) in enumerate(fields) if i != body_i and len(v) <= 200),
                      reverse=True)
        title_i = rest[0][1] if rest and rest[0][0] >= 4 else None
    if title_i is not None:
        meta["title"] = html.unescape(fields[title_i][1]).strip()
        used.add(title_i)
    for i, (key, value) in enumerate(fields):
        value = value.strip()
        if i in used:
            continue
        if "url" not in meta and URL.match(value) and (not key or key.lower() in URL_KEYS):
            meta["url"] = value
        elif "published" not in meta and _iso(value) and (not key or key.lower() in DATE_KEYS):
            meta["published"] = _iso(value)
        elif "publisher" not in meta and key.lower() in PRESS_KEYS and _hangul(value) and _looks_like_press(value):
            meta["publisher"] = value
        elif "authors" not in meta and key.lower() in AUTHOR_KEYS and _hangul(value):
            meta["authors"] = [a for a in re.findall(r"[가-힣]{2,4}", value) if a not in ("기자", "특파원")]
        elif not key and _looks_like_press(value) and len(value) <= 20:
            meta.setdefault("press_candidates", []).append(value)     # the cleaner knows the names
        else:
            continue
        used.add(i)
    aside = [(f"{k}: {v}" if k else v, "record.field") for i, (k, v) in enumerate(fields)
             if i not in used and v.strip()]
    aside += [(f"{k}: {fields[i][1]}" if k else fields[i][1], "record.metadata")
              for i, (k, _) in enumerate(fields) if i in used and i != body_i]
    return Dump(_body_text(fields[body_i][1]), meta, aside)


# -- Markdown crawler pages ------------------------------------------------------------------

def _front_matter(text: str, meta: dict, aside: list) -> str:
    match = FRONT_MATTER.match(text)
    if not match:
        return text
    import yaml

    try:
        data = yaml.safe_load(match.group("yaml"))
    except yaml.YAMLError:
        return text
    if not isinstance(data, dict):
        return text
    lower = {str(k).lower(): v for k, v in data.items() if v not in (None, "")}
    for target, keys in (("title", TITLE_KEYS), ("url", URL_KEYS), ("publisher", PRESS_KEYS)):
        for key in keys:
            if key in lower and target not in meta and isinstance(lower[key], str):
                meta[target] = lower[key].strip()
                break
    for key in DATE_KEYS:
        if key in lower and "published" not in meta and _iso(str(lower[key])):
            meta["published"] = _iso(str(lower[key]))
            break
    for key in AUTHOR_KEYS:
        value = lower.get(key)
        if value and "authors" not in meta:
            names = value if isinstance(value, list) else [value]
            meta["authors"] = [re.sub(r"\s?(기자|특파원)$", "", str(n)).strip() for n in names]
            break
    aside.append((match.group(0).strip(), "crawler.front_matter"))
    return text[match.end():]


def _markdown_head(text: str, meta: dict, aside: list) -> str:
    """A leading '# title' line and a '**publisher** | date | url' line become metadata."""
    lines = text.split("\n")
    out, head = [], True
    for line in lines:
        stripped = line.strip()
        if head and not stripped:
            out.append(line)
            continue
        heading = MD_HEADING.match(stripped) if head else None
        meta_line = MD_META_LINE.match(stripped) if head and "|" in stripped else None
        if heading and "title" not in meta:
            meta["title"] = heading.group("title").strip()
            aside.append((stripped, "crawler.heading"))
            continue
        if heading and _squash(heading.group("title")) == _squash(meta.get("title", "")):
            aside.append((stripped, "crawler.heading"))
            continue
        if meta_line and not korean_sentences(stripped):
            _metadata_cells(meta, meta_line)
            aside.append((stripped, "crawler.metadata_line"))
            continue
        head = False
        out.append(line)
    return "\n".join(out)


def _metadata_cells(meta: dict, match: re.Match) -> None:
    publisher = match.group("publisher").strip(" *_")
    if publisher and not URL.match(publisher) and "publisher" not in meta:
        meta["publisher"] = publisher
    for cell in match.group("rest").split("|"):
        cell = cell.strip(" *_[]")
        link = re.search(r"https?://[^\s)\]]+", cell)
        if link and "url" not in meta:
            meta["url"] = link.group(0)
        elif _iso(cell) and "published" not in meta:
            meta["published"] = _iso(cell)


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text)


# -- entry point ------------------------------------------------------------------------------

def _width(line: str) -> int:
    """Display width: two columns for every character beyond ASCII (Hangul, CJK), one for the rest."""
    return 2 * len(line) - len(line.encode("ascii", "ignore"))


def unwrap_fixed_width(text: str) -> str:
    """Wire text hard-wrapped at a fixed width (often mid-word): rejoin the wrapped lines."""
    lines = text.split("\n")
    widths = [_width(line.rstrip()) for line in lines]
    full = [w for w in widths if w >= 40]
    if len(full) < 5:
        return text
    wrap = max(set(full), key=full.count)
    at_wrap = lambda w: wrap - 2 <= w <= wrap
    if sum(map(at_wrap, widths)) < 0.4 * sum(1 for w in widths if w):
        return text
    out: list[str] = []
    joining = False
    for line, width in zip(lines, widths):
        if joining and line.strip():
            out[-1] += line
        else:
            out.append(line)
        joining = at_wrap(width)
    return "\n".join(out)


def split_glued_paragraphs(text: str) -> str:
    """A line of several sentences joined by runs of 2+ spaces (or by nothing: '밝혔다.이 위원회는')
    becomes one line per paragraph."""
    out = []
    for line in unwrap_fixed_width(text).split("\n"):
        if len(line) > 150:
            line = GLUED_SENTENCES.sub("\n", line.strip())
            out.extend(GLUED_PARAGRAPHS.split(line))
        else:                                  # a short line splits only after a sentence end
            out.extend(GLUED_AFTER_SENTENCE.split(line))
    return "\n".join(out)


def parse_dump(text: str) -> Dump:
    """A text input's body and metadata. Plain text passes through with entities decoded."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for reader in (_json_record, _tr_record, _delimited_record):
        fields = reader(text)
        if fields:
            dump = record_dump(fields)
            if dump:
                dump.body = split_glued_paragraphs(dump.body)
                return dump
    meta: dict = {}
    aside: list = []
    body = _unescape_cell(text.lstrip("\ufeff"))
    body = _front_matter(body, meta, aside)
    body = _markdown_head(body, meta, aside)
    body = _markdown_inline(body, aside)
    if "&" in body:
        body = html.unescape(body)
    return Dump(split_glued_paragraphs(body), meta, aside)


def _unescape_cell(text: str) -> str:
    """A spreadsheet cell saved whole ('"…""인용""…"'), or text with literal \\n escapes, as plain text."""
    stripped = text.strip()
    if len(stripped) > 2 and stripped[0] == stripped[-1] == '"' and '"' not in stripped[1:-1].replace('""', ""):
        text = stripped[1:-1].replace('""', '"')
    if text.count("\\n") >= 2 and text.count("\n") <= 1:
        text = text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\t", " ").replace('\\"', '"')
    return text


def _markdown_inline(text: str, aside: list) -> str:
    """Markdown images go, links keep their words, emphasis and heading marks go."""
    for image in MD_IMAGE.findall(text):
        aside.append((image, "crawler.markdown_image"))
    text = MD_IMAGE.sub("", text)
    for link in MD_LINK.finditer(text):
        aside.append((link.group(0), "crawler.markdown_link"))
    text = MD_LINK.sub(lambda m: m.group(1), text)
    for rule in MD_RULE.findall(text):
        aside.append((rule.strip(), "crawler.markdown_rule"))
    text = MD_RULE.sub("", text)
    text = re.sub(r"(?m)^\s{0,3}(#{1,6}|>)\s+", "", text)
    return re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
