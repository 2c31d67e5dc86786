"""The gold file's matching rules (tests/gold/README.md), shared by the tests and ``make eval``.

``GoldCase`` is one item; ``check(case, view)`` says whether the pipeline's tables meet it, where
``view`` holds the rows of one article (or all clusters for cross-article items).
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text or ""))


@dataclass(frozen=True)
class GoldCase:
    article: str          # the sample's file name ('' for cross-article items)
    section: str          # reference_date, clean, dates, numbers, officials, organizations, events, across_articles
    level: str            # must, should, must_not, must_include, must_exclude, must_between
    item: Any

    @property
    def id(self) -> str:
        label = self.item if isinstance(self.item, str) else json.dumps(self.item, ensure_ascii=False)[:60]
        return f"{self.article[:3] or 'all'}-{self.section}-{self.level}-{label}"


def load_cases(path: Path) -> list[GoldCase]:
    gold = json.loads(Path(path).read_text(encoding="utf-8"))
    cases: list[GoldCase] = []
    for article, spec in gold["articles"].items():
        for section, levels in spec.items():
            if section == "publisher":
                cases.append(GoldCase(article, "publisher", "must", levels))
                continue
            for level, items in levels.items():
                if level == "note":
                    continue
                if section == "reference_date":
                    cases.append(GoldCase(article, section, level, items))
                else:
                    cases.extend(GoldCase(article, section, level, item) for item in items)
    for level, items in gold.get("across_articles", {}).items():
        cases.extend(GoldCase("", "across_articles", level, item) for item in items)
    return cases


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return None if text in ("NaT", "None", "nan") else text[:10]


@dataclass
class ArticleView:
    """One article's rows from every table, as lists of dicts."""
    article: dict
    dates: list[dict]
    numbers: list[dict]
    officials: list[dict]
    organizations: list[dict]
    events: list[dict]
    org_aliases: dict[str, set[str]]      # canonical -> squashed aliases (from the gazetteer)


def _reference(case: GoldCase, view: ArticleView) -> bool:
    ref = _iso(view.article.get("reference_date"))
    if case.level == "must":
        return ref == case.item
    low, high = case.item
    return ref is not None and low <= ref <= high


def _clean(case: GoldCase, view: ArticleView) -> bool:
    present = squash(case.item) in squash(view.article["text"])
    return present if case.level == "must_include" else not present


def _date(case: GoldCase, view: ArticleView) -> bool:
    want = case.item
    for m in view.dates:
        if want["text"] not in m["text"]:
            continue
        if want["start"] is None:
            if m["resolution"] == "unresolved" and m["timex"] == want.get("timex"):
                return True
        elif _iso(m["date_start"]) == want["start"] and _iso(m["date_end"]) == want["end"]:
            return True
    return False


def _number(case: GoldCase, view: ArticleView) -> bool:
    want = case.item
    for m in view.numbers:
        if (want["text"] in m["text"] or m["text"] in want["text"]) and float(m["value"]) == float(want["value"]) \
                and m["counted"] == want["counted"] and m["qualifier"] == want["qualifier"]:
            return True
    return False


def _org_matches(extracted: str | None, wanted: str, aliases: dict[str, set[str]]) -> bool:
    if not extracted:
        return False
    return squash(wanted) == squash(extracted) or squash(wanted) in aliases.get(extracted, set())


def _official(case: GoldCase, view: ArticleView) -> bool:
    want = case.item
    names = {squash(n) for n in [want["name"], *want.get("aliases", [])]}
    matches = [o for o in view.officials if squash(o["name"]) in names]
    if case.level == "must_not":
        return not matches
    for o in matches:
        if "title" in want and not (o["title"] or "").endswith(want["title"]):
            continue
        if "organization" in want and not _org_matches(o["organization"], want["organization"], view.org_aliases):
            continue
        if any(key in want and o[key] != want[key] for key in ("country", "role")):
            continue
        return True
    return False


def _organization(case: GoldCase, view: ArticleView) -> bool:
    want = squash(case.item)
    for o in view.organizations:
        if want in (squash(o["canonical"]), squash(o["text"])) or want in view.org_aliases.get(o["canonical"], set()):
            return True
    return False


def _event(case: GoldCase, view: ArticleView) -> bool:
    want = case.item
    for e in view.events:
        if squash(want["name_contains"]) not in squash(e["name"]) + squash(e.get("name_en")):
            continue
        if e["type"] != want["type"]:
            continue
        if any(key in want and _iso(e[key]) != want[key] for key in ("date_start", "date_end")):
            continue
        if "location_contains" in want and squash(want["location_contains"]) not in squash(e["location"]):
            continue
        counts = e["counts"] if e["counts"] is not None else []
        if all(any(c["counted"] == counted and float(c["value"]) == float(value) for c in counts)
               for counted, value in want.get("counts", {}).items()):
            return True
    return False


def check_article(case: GoldCase, view: ArticleView) -> bool:
    if case.section == "publisher":
        return view.article.get("publisher") == case.item
    return {"reference_date": _reference, "clean": _clean, "dates": _date, "numbers": _number,
            "officials": _official, "organizations": _organization, "events": _event}[case.section](case, view)


def check_across(case: GoldCase, clusters: list[dict], article_ids: dict[str, str]) -> bool:
    """Cross-article items over the event_clusters rows; article_ids maps sample name -> article_id."""
    want = case.item
    if "conflict" in want:
        wanted = {f"{v:g}" for v in want["values"]}
        return any(wanted <= set(c["values"]) for cluster in clusters for c in (cluster["conflicts"] or []))
    needed = {article_ids.get(name) for name in want["articles"]}
    return any(squash(want["event_name_contains"]) in squash(" ".join(cluster["names"]))
               and needed <= set(cluster["article_ids"]) for cluster in clusters)


def org_aliases() -> dict[str, set[str]]:
    """canonical name -> squashed names (canonical and aliases) from the organisation gazetteer."""
    from pipeline.lexicon import DATA

    entries = json.loads((DATA / "organizations.json").read_text(encoding="utf-8"))
    return {e["canonical"]: {squash(a) for a in [e["canonical"], *e.get("aliases", [])]} for e in entries}


def views_from_tables(tables: dict[str, list[dict]], org_aliases: dict[str, set[str]]) -> dict[str, ArticleView]:
    """{sample file name: ArticleView} from whole tables given as lists of dict rows."""
    by_article: dict[str, dict[str, list[dict]]] = {}
    for name in ("dates", "numbers", "officials", "organizations", "events"):
        for row in tables[name]:
            by_article.setdefault(row["article_id"], {}).setdefault(name, []).append(row)
    views = {}
    for article in tables["articles"]:
        rows = by_article.get(article["article_id"], {})
        views[Path(article["source_path"]).name] = ArticleView(
            article, *(rows.get(n, []) for n in ("dates", "numbers", "officials", "organizations", "events")),
            org_aliases)
    return views


def score(cases: list[GoldCase], views: dict[str, ArticleView], clusters: list[dict]) -> Iterator[tuple[GoldCase, bool]]:
    article_ids = {name: v.article["article_id"] for name, v in views.items()}
    for case in cases:
        if case.section == "across_articles":
            yield case, check_across(case, clusters, article_ids)
        elif case.article in views:
            yield case, check_article(case, views[case.article])
        else:
            yield case, False
