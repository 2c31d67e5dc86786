"""What ``pipeline fetch`` crawls: the sources file (TOML) and the article URLs found in feeds and sitemaps.

The sources file lists publishers, each with any of ``feeds`` (RSS/Atom), ``sitemaps`` and ``pages``::

    [[publisher]]
    name = "yonhap"                          # the folder under raw/: letters, digits, '_', '-', '.'
    feeds = ["https://www.yna.co.kr/rss/politics.xml"]
    sitemaps = []
    pages = []

Feeds are parsed with feedparser (RSS 0.9x/1.0/2.0, Atom); sitemaps (urlset, sitemapindex, Google News
extensions, gzip) with lxml. Parsing is pure: bytes in, candidates out; the HTTP side is in ``fetch``.
(trafilatura's ``feeds``/``sitemaps`` keep only the links, not the title and date the sidecar wants, fetch by
themselves, and drop hosts that courlan cannot name a domain for, such as an IP address.)
"""
from __future__ import annotations

import re
import tomllib
import zlib
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

NAME = re.compile(r"^[\w][\w.-]{0,63}$")
LIST_KEYS = ("feeds", "sitemaps", "pages")
MAX_SITEMAP_BYTES = 50 * 1024 * 1024     # the sitemap protocol's own limit (uncompressed)


class SourcesError(ValueError):
    """The sources file is missing or malformed: a usage error (exit code 2)."""


@dataclass(frozen=True)
class Publisher:
    name: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """An article URL found for a publisher, with what the feed or sitemap said about it."""
    url: str
    publisher: str
    title: str | None = None
    published: str | None = None      # ISO 8601, with the feed's own UTC offset when it gave one


def _urls(entry: dict, key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        raise SourcesError(f"{where}: '{key}' must be a list of URLs")
    for url in value:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise SourcesError(f"{where}: not an http(s) URL: {url!r}")
    return tuple(value)


def _publisher(entry, index: int) -> Publisher:
    where = f"publisher #{index + 1}"
    if not isinstance(entry, dict):
        raise SourcesError(f"{where}: expected a table")
    name = entry.get("name")
    if not isinstance(name, str) or not NAME.match(name) or ".." in name:
        raise SourcesError(f"{where}: 'name' must be a folder name (letters, digits, '_', '-', '.'), got {name!r}")
    unknown = set(entry) - {"name", *LIST_KEYS}
    if unknown:
        raise SourcesError(f"{where} ({name}): unknown keys {sorted(unknown)} (expected name, feeds, sitemaps, pages)")
    return Publisher(name, *(_urls(entry, key, f"{where} ({name})") for key in LIST_KEYS))


def load_sources(path: Path) -> list[Publisher]:
    """Read and check a sources file; any problem is a SourcesError naming it."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesError(f"cannot read sources file {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourcesError(f"sources file {path} is not valid TOML: {exc}") from exc
    entries = data.get("publisher")
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"sources file {path}: no [[publisher]] entries")
    publishers = [_publisher(entry, i) for i, entry in enumerate(entries)]
    names = [p.name for p in publishers]
    if len(set(names)) != len(names):
        raise SourcesError(f"sources file {path}: publisher names repeat: {sorted({n for n in names if names.count(n) > 1})}")
    return publishers


def iso_date(raw: str | None) -> str | None:
    """A feed's date as ISO 8601 (RFC 822 in RSS, ISO in Atom and sitemaps), keeping its UTC offset."""
    if not raw:
        return None
    raw = raw.strip()
    for parse in (parsedate_to_datetime, lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))):
        try:
            return parse(raw).isoformat()
        except (TypeError, ValueError, IndexError):
            continue
    return None


def feed_candidates(content: bytes, feed_url: str, publisher: str) -> list[Candidate]:
    """Entries of an RSS or Atom feed, in feed order."""
    import feedparser

    parsed = feedparser.parse(content, response_headers={"content-location": feed_url})
    if parsed.bozo and not parsed.entries:
        raise ValueError(f"not a feed: {parsed.get('bozo_exception') or 'no entries'}")
    found = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        found.append(Candidate(normalize(urljoin(feed_url, link.strip())), publisher, (entry.get("title") or "").strip() or None,
                               iso_date(entry.get("published") or entry.get("updated"))))
    return found


def normalize(url: str) -> str:
    """One spelling per URL: dot segments resolved (as the HTTP client sends them, so robots.txt sees the same
    path), the fragment dropped."""
    from urllib3.util import parse_url

    return parse_url(url.strip())._replace(fragment=None).url


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child_text(element, name: str) -> str | None:
    for child in element.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def sitemap_candidates(content: bytes, sitemap_url: str, publisher: str) -> tuple[list[Candidate], list[str]]:
    """Article URLs of a sitemap (with Google News title and date when present) and the child sitemaps of an index."""
    from lxml import etree

    if content[:2] == b"\x1f\x8b":
        content = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(content, MAX_SITEMAP_BYTES)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    root = etree.fromstring(content, parser) if content.strip() else None
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise ValueError("not an XML sitemap (urlset or sitemapindex)")
    pages, children = [], []
    for element in root:
        kind, loc = _local(element.tag), _child_text(element, "loc")
        if not loc:
            continue
        url = normalize(urljoin(sitemap_url, loc))
        if kind == "sitemap":
            children.append(url)
        elif kind == "url":
            title = _child_text(element, "title")
            published = _child_text(element, "publication_date") or _child_text(element, "lastmod")
            pages.append(Candidate(url, publisher, title, iso_date(published)))
    return pages, children
