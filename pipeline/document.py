"""One document from bytes to table rows: decode, clean, tokenise, extract, assemble events.

``analyse`` is pure (text + reference date in, mentions out) and serves both the batch job
and ``pipeline annotate``; ``process_file`` adds the reading at the edge and builds rows.
"""
from __future__ import annotations

import bisect
import re
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial

from pipeline import __version__
from pipeline.clean.cleaner import Cleaned, Removed, clean_html, clean_text
from pipeline.ingest.decoding import DecodeError, decode, scrub
from pipeline.events import finish_events
from pipeline.ingest.reading import InputFile, ReadError, load
from pipeline.extract.reference import choose_reference
from pipeline.schema import SCHEMA_VERSION
from pipeline.settings import Settings


@dataclass
class Analysis:
    text: str
    reference: date | None
    sentence_starts: list[int]
    dates: list = field(default_factory=list)
    numbers: list = field(default_factory=list)
    organizations: list = field(default_factory=list)
    officials: list = field(default_factory=list)
    locations: list = field(default_factory=list)
    events: list = field(default_factory=list)

    def sentence_index(self, offset: int) -> int:
        return max(bisect.bisect_right(self.sentence_starts, offset) - 1, 0)


@dataclass
class DocResult:
    source_path: str
    content_hash: str | None
    meta_hash: str
    outcome: str                       # article | rejected
    rows: dict[str, list[dict]]


def _outside(spans: list, mention) -> bool:
    return all(mention.end <= s.start or mention.start >= s.end for s in spans)


def analyse(text: str, reference: date | None, doc=None, title: str | None = None) -> Analysis:
    """All extractors over one clean text; with a ``title``, the events only its headline reports too."""
    from pipeline.extract.dates import extract_dates
    from pipeline.extract.entities import extract_locations, extract_officials, extract_organizations
    from pipeline.events import extract_events
    from pipeline.nlp import get_nlp, sentence_starts
    from pipeline.extract.numbers import extract_numbers

    if doc is None:
        text = scrub(text)              # a lone surrogate (say from JSON) would stop Kiwi; offsets stay
        doc = get_nlp()(text)
    result = Analysis(text, reference, sentence_starts(doc) or [0])
    result.dates = extract_dates(text, reference)
    result.numbers = [n for n in extract_numbers(text) if _outside(result.dates, n)]
    result.organizations = extract_organizations(doc)
    result.officials = extract_officials(doc, result.organizations)
    result.locations = extract_locations(doc, result.organizations)
    result.events = extract_events(result, doc)
    if title and title.strip():
        from pipeline.events.headline import could_report, headline_events
        title = scrub(title)
        if could_report(title):
            title_doc = get_nlp()(title)
            result.events += headline_events(_title_analysis(title, reference, title_doc), title_doc, result, doc)
    return result


def _title_analysis(title: str, reference: date | None, doc) -> Analysis:
    """What the headline rules read of a title: its dates, counts, organisations, officials and places."""
    from pipeline.extract.dates import extract_dates
    from pipeline.extract.numbers import extract_numbers
    from pipeline.extract.entities import extract_locations, extract_officials, extract_organizations
    from pipeline.nlp import sentence_starts

    result = Analysis(title, reference, sentence_starts(doc) or [0])
    result.dates = extract_dates(title, reference)
    result.numbers = [n for n in extract_numbers(title) if n.counted == "country" and _outside(result.dates, n)]
    result.organizations = extract_organizations(doc)
    result.officials = extract_officials(doc, result.organizations)
    result.locations = extract_locations(doc, result.organizations)
    return result


WARM_UP_PAGE = "<html><body><article><p>정부는 2025년 1월 10일 서울에서 열린 회의에 87개국이 참여했다고 밝혔다.</p></article></body></html>"


def warm_up() -> None:
    """Load Kiwi, spaCy, the gazetteers, the extractors and trafilatura once (forked workers then share them)."""
    cleaned = clean_page(WARM_UP_PAGE, "html", None)
    analyse(cleaned.text or "정부는 회의를 열었다.", None)


def _cut(cleaned: Cleaned, max_chars: int) -> Cleaned:
    """Keep the first max_chars characters (a bound on tokenising time and memory per document)."""
    if len(cleaned.text) <= max_chars:
        return cleaned
    cut = Removed(f"[{len(cleaned.text) - max_chars} characters after the first {max_chars}]",
                  "limit.max_text_chars", "limit")
    paragraphs = tuple(replace(p, text=p.text[:max_chars - p.start], end=min(p.end, max_chars))
                       for p in cleaned.paragraphs if p.start < max_chars)
    return replace(cleaned, text=cleaned.text[:max_chars], paragraphs=paragraphs, removed=cleaned.removed + (cut,))


def _reject(item: InputFile, reason: str, detail: str, content_hash: str | None = None,
            meta_hash: str = "") -> DocResult:
    row = {"source_path": item.path, "content_hash": content_hash, "reason": reason, "detail": scrub(detail),
           "size_bytes": item.size_bytes, "pipeline_version": __version__, "schema_version": SCHEMA_VERSION}
    return DocResult(item.path, content_hash, meta_hash, "rejected", {"rejects": [row]})


def clean_page(text: str, kind: str, url: str | None, min_chars: int = 20) -> Cleaned:
    return clean_html(text, url, min_chars) if kind == "html" else clean_text(text, min_chars)


@dataclass(frozen=True)
class Prepared:
    """A page read, decoded and cleaned, waiting for its Doc (tokenised in a batch)."""
    item: InputFile
    meta: dict
    content_hash: str
    meta_hash: str
    encoding: str
    n_chars_raw: int
    cleaned: Cleaned


def _noted(cleaned: Cleaned, notes: tuple[str, ...]) -> Cleaned:
    """Sidecar fields dropped (wrong type, too long) are listed in 'removed' like any removed line."""
    dropped = tuple(Removed(note, "metadata.field_dropped", "metadata") for note in notes)
    return replace(cleaned, removed=cleaned.removed + dropped) if dropped else cleaned


def prepare_file(item: InputFile, settings: Settings) -> Prepared | DocResult:
    """Read, decode and clean one input; any failure becomes a reject with a reason."""
    try:
        loaded = load(item, settings.max_doc_bytes, settings.max_meta_bytes)
    except ReadError as exc:
        return _reject(item, exc.reason, exc.detail)
    except Exception as exc:  # whatever a hostile file does to reading, it is this file's problem
        return _reject(item, "unreadable", f"{type(exc).__name__}: {exc}")
    try:
        text, encoding = decode(loaded.data, html=item.kind == "html")
        cleaned = _cut(clean_page(text, item.kind, loaded.meta.get("url"), settings.min_text_chars), settings.max_text_chars)
        cleaned = _noted(cleaned, loaded.notes)
    except DecodeError as exc:
        return _reject(item, exc.reason, exc.detail, loaded.content_hash, loaded.meta_hash)
    except Exception as exc:  # a parser failure on one page must not stop the run
        return _reject(item, "clean_failed", f"{type(exc).__name__}: {exc}", loaded.content_hash, loaded.meta_hash)
    if len(cleaned.text.strip()) < settings.min_text_chars:
        return _reject(item, "no_text", f"{len(cleaned.text.strip())} characters of article text after cleaning",
                       loaded.content_hash, loaded.meta_hash)
    return Prepared(item, loaded.meta, loaded.content_hash, loaded.meta_hash, encoding, len(text), cleaned)


def finish_file(p: Prepared, doc) -> DocResult:
    """Extract from a prepared page and its Doc; an extractor failure becomes a reject, not a crash."""
    if isinstance(doc, Exception):
        return _reject(p.item, "extract_failed", f"tokenising failed: {type(doc).__name__}: {doc}",
                       p.content_hash, p.meta_hash)
    try:
        rows = article_rows(p.item, p.meta, p.content_hash, p.encoding, p.n_chars_raw, p.cleaned, doc)
    except Exception as exc:
        return _reject(p.item, "extract_failed", f"{type(exc).__name__}: {exc}", p.content_hash, p.meta_hash)
    return DocResult(p.item.path, p.content_hash, p.meta_hash, "article", rows)


class DocumentTimeout(BaseException):
    """Raised into a document's work by the batch job's time limit. A BaseException, like
    KeyboardInterrupt, so that the per-document ``except Exception`` boundaries let it through."""


def reject_result(item: InputFile, reason: str, detail: str) -> DocResult:
    """A reject made outside the document's own work (its worker process died, say)."""
    return _reject(item, reason, detail)


def _within_limit(limit, item: InputFile, work, p: Prepared | None = None):
    """``work()`` under the time limit ``limit()`` (a context manager); over it, a 'timeout' reject."""
    try:
        with limit():
            return work()
    except DocumentTimeout as exc:
        stage = "extracting" if p is not None else "reading and cleaning"
        return _reject(item, "timeout", f"{stage} took {exc}", p.content_hash if p else None,
                       p.meta_hash if p else "")


def process_files(items: list[InputFile], settings: Settings, limit=nullcontext) -> list[DocResult]:
    """Prepare a batch, tokenise its texts as one Kiwi batch (Kiwi works in a background thread
    while Python extracts from the previous document), then extract. ``limit`` bounds each
    document's reading and cleaning, and its extraction (see :mod:`pipeline.batch.engines`)."""
    prepared = [_within_limit(limit, item, partial(prepare_file, item, settings)) for item in items]
    pending = [p for p in prepared if isinstance(p, Prepared)]
    docs = _docs_or_errors([p.cleaned.text for p in pending])
    return [p if isinstance(p, DocResult) else _within_limit(limit, p.item, partial(finish_file, p, next(docs)), p)
            for p in prepared]


def _docs_or_errors(texts: list[str]):
    """Docs in order, tokenised as one batch; should the batch fail, the rest are tokenised one by
    one and a text that still fails yields its exception (that document's reject) in its place."""
    from pipeline.nlp import make_docs

    done = 0
    try:
        for doc in make_docs(texts):
            yield doc
            done += 1
    except Exception:
        for text in texts[done:]:
            try:
                yield next(make_docs([text]))
            except Exception as exc:
                yield exc


def process_file(item: InputFile, settings: Settings) -> DocResult:
    """Read, decode, clean and analyse one input."""
    return process_files([item], settings)[0]


def _meta_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _split_authors(value: str) -> list[str]:
    """An export's author cell: '홍길동 기자, 김영희 기자' -> ['홍길동', '김영희']."""
    names = (re.sub(r"\s*(?:기자|특파원|선임기자|논설위원)$", "", part.strip()) for part in re.split(r"[,;/·]", value))
    return [name for name in names if name]


def article_rows(item: InputFile, meta: dict, article_id: str, encoding: str, n_raw: int,
                 cleaned: Cleaned, doc=None) -> dict[str, list[dict]]:
    from pipeline.extract.dates import extract_dates

    published = _meta_date(meta.get("published")) or cleaned.published
    # the text's own dates are needed only when no publication date is known
    reference, source = choose_reference(cleaned, published, [] if published else extract_dates(cleaned.text, None))
    analysis = analyse(cleaned.text, reference, doc, meta.get("title") or cleaned.title)
    article = {
        "article_id": article_id, "source_path": item.path, "url": meta.get("url") or cleaned.url,
        "publisher": meta.get("publisher") or cleaned.publisher,
        "authors": _split_authors(meta["authors"]) if meta.get("authors") else list(cleaned.authors),
        "title": meta.get("title") or cleaned.title, "reference_date": reference, "reference_source": source,
        "text": cleaned.text, "body_source": cleaned.body_source, "paragraphs": [vars(p).copy() for p in cleaned.paragraphs],
        "removed": [vars(r).copy() for r in cleaned.removed], "n_chars_raw": n_raw,
        "n_chars_clean": len(cleaned.text), "lang": "ko", "encoding": encoding,
        "pipeline_version": __version__, "schema_version": SCHEMA_VERSION,
    }
    return {"articles": [article], **mention_rows(article_id, analysis)}


def _span_rows(article_id: str, analysis: Analysis, mentions, drop=()) -> list[dict]:
    rows = []
    for m in mentions:                     # mentions are flat dataclasses: a shallow copy will do (asdict deep-copies)
        row = {k: v for k, v in vars(m).items() if k not in drop}
        row.update(article_id=article_id, sentence_index=analysis.sentence_index(m.start))
        rows.append(row)
    return rows


def mention_rows(article_id: str, analysis: Analysis) -> dict[str, list[dict]]:
    return {
        "dates": _span_rows(article_id, analysis, analysis.dates),
        "numbers": _span_rows(article_id, analysis, analysis.numbers),
        "organizations": _span_rows(article_id, analysis, analysis.organizations),
        "officials": _span_rows(article_id, analysis, analysis.officials),
        "locations": _span_rows(article_id, analysis, analysis.locations, drop=("parts",)),
        "events": finish_events(article_id, analysis.events),
    }
