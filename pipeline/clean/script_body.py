"""The article inside a page's scripts: JSON-LD ``articleBody`` (extruct) and hydration JSON
(``__NEXT_DATA__``, dehydrated query caches with ``contentHtml``, ``Fusion.globalContent``
``content_elements``, any JSON string field with the most Korean sentences). Pure: HTML in, text out.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .dumps import HTML_TAG, html_to_text, korean_sentences

ASSIGNED_JSON = re.compile(r"[=(]\s*(?=[{\[])")          # `X = {...}` or `push({...})` inside a script
PARAGRAPH_KEYS = ("content", "text", "html", "body", "contentHtml", "value")
PARAGRAPH_TYPES = {"text", "paragraph", "p", "header", "heading", "subheading", "quote", "blockquote", "list_item"}
NOT_PARAGRAPH_KEYS = {"title", "headline", "url", "link", "href", "nickname", "username", "userid", "user", "writer",
                      "commentno", "commentid", "likecount", "replycount"}      # teaser lists, comment threads
MAX_SCRIPT_CHARS = 3_000_000


@dataclass(frozen=True)
class ScriptBody:
    text: str
    source: str          # json_ld | script_json
    sentences: int
    title: str | None = None
    publisher: str | None = None
    authors: tuple[str, ...] = ()


def _as_text(value: str) -> str:
    return html_to_text(value) if HTML_TAG.search(value) else value


def _names(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def json_ld_body(html: str) -> ScriptBody | None:
    """The longest ``articleBody`` among the page's JSON-LD objects (``@graph`` included)."""
    import extruct

    try:
        items = extruct.extract(html, syntaxes=["json-ld"], uniform=True).get("json-ld", [])
    except Exception:       # malformed JSON-LD is common on news pages; it just yields nothing
        return None
    best = None
    stack = list(items)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
        body = item.get("articleBody")
        if isinstance(body, str) and body.strip():
            text = _as_text(body)
            n = korean_sentences(text)
            if best is None or n > best.sentences:
                publisher = _names(item.get("publisher"))
                best = ScriptBody(text, "json_ld", n, item.get("headline") if isinstance(item.get("headline"), str) else None,
                                  publisher[0] if publisher else None, tuple(_names(item.get("author"))))
    return best


def _json_values(script: str):
    """Every JSON object or array in a script: the whole text, or each `= {...}` / `({...})`."""
    text = script.strip()
    if text[:1] in "{[":
        try:
            yield json.loads(text)
            return
        except json.JSONDecodeError:
            pass
    decoder = json.JSONDecoder()
    for match in ASSIGNED_JSON.finditer(text):
        try:
            value, _ = decoder.raw_decode(text, match.end())
        except json.JSONDecodeError:
            continue
        if isinstance(value, (dict, list)):
            yield value


def _candidates(value):
    """Strings that may hold an article: every string, and each list of paragraph objects joined."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > 80:
                yield item
                inner = item.strip()
                if inner[:1] in "{[":                     # JSON inside a JSON string (dehydrated caches)
                    try:
                        stack.append(json.loads(inner))
                    except json.JSONDecodeError:
                        pass
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            parts = [next((p[k] for k in PARAGRAPH_KEYS if isinstance(p.get(k), str)), None)
                     for p in item if isinstance(p, dict) and p.get("type", "text") in PARAGRAPH_TYPES
                     and not NOT_PARAGRAPH_KEYS.intersection(k.lower() for k in p)]
            parts = [p for p in parts if p]
            if len(parts) >= 2:
                yield "\n".join(f"<p>{p}</p>" if not HTML_TAG.search(p) else p for p in parts)
            stack.extend(item)


def script_json_body(html: str) -> ScriptBody | None:
    """The JSON string (or paragraph list) with the most Korean sentences in the page's scripts."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:
        return None
    best = None
    for script in root.iter("script"):
        kind = (script.get("type") or "").lower()
        if "ld+json" in kind or not script.text or len(script.text) > MAX_SCRIPT_CHARS:
            continue
        for value in _json_values(script.text):
            for candidate in _candidates(value):
                if korean_sentences(candidate) < 2:
                    continue
                text = _as_text(candidate)
                n = korean_sentences(text)
                if best is None or n > best.sentences:
                    best = ScriptBody(text, "script_json", n)
    return best


def script_body(html: str) -> ScriptBody | None:
    """JSON-LD first when it has as many sentences as the hydration JSON; else the hydration JSON."""
    ld, js = json_ld_body(html), script_json_body(html)
    if ld and (js is None or ld.sentences >= js.sentences * 0.8):
        return ld
    return js or ld
