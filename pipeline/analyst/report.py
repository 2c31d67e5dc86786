"""The analysts' static HTML report of a processed folder (``pipeline report PROCESSED --out DIR``).

``write_report(processed, out)`` writes ``out/index.html`` and one page per article under
``out/articles/``. The pages open from disk with no server and no network: the style sheet is
inline, the events timeline is an inline SVG drawn by matplotlib, and nothing links to another
host (an article's original URL is shown as text, not as a link).

- Every value taken from the tables is untrusted (it comes from web pages): the templates are
  Jinja2 with autoescaping on, and the few pieces of ready-made markup (displaCy's highlighted
  text, the SVG) are built from escaped text.
- Korean text in the figure: the SVG keeps its labels as ``<text>`` (``svg.fonttype = 'none'``)
  so the browser draws them with its own fonts, which have Hangul on any machine an analyst
  reads Korean news on; the page needs no font installed where the report is generated.
  matplotlib only measures the labels; where it has no Hangul font it would measure them wrong,
  so the figure's margins are computed from the labels' character widths instead.
- Article text is highlighted with spaCy's displaCy (entity style, from the tables' character
  offsets). Officials are highlighted on their name. Where two mentions overlap, the longer one
  is highlighted and the other stays listed in the tables below the text.
- Every page carries a Content-Security-Policy (no script, no external load): should a value ever slip
  through unescaped, the browser still runs nothing.
"""
from __future__ import annotations

import hashlib
import html
import io
import re
import unicodedata
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable

from pipeline.batch.storage import Store
from pipeline.exits import Damaged

TITLE = "Policy events report"
ARTICLE_DIR = "articles"
MAX_TIMELINE_EVENTS = 80          # the timeline shows the best-reported dated clusters, at most this many
MAX_RUNS = 10

# One colour per event type, shared by the figure and the tables.
TYPE_COLORS = {
    "summit": "#1f77b4", "meeting": "#ff7f0e", "forum": "#2ca02c", "declaration": "#d62728",
    "pledge": "#9467bd", "agreement": "#8c564b", "launch": "#e377c2", "visit": "#17becf", "other": "#7f7f7f",
}
# Mention labels shown in the highlighted text, their colours and the table each comes from.
LABELS = {
    "DATE": ("dates", "#bfe1d9"),
    "NUMBER": ("numbers", "#e4e7d2"),
    "OFFICIAL": ("officials", "#c9bffd"),
    "ORG": ("organizations", "#7aecec"),
    "LOC": ("locations", "#feca74"),
}
MENTION_TABLES = ("dates", "numbers", "officials", "organizations", "locations")
# Fonts the browser should try for the figure's labels (the first one it has wins; Hangul falls back).
FIGURE_FONTS = ["Noto Sans KR", "Noto Sans CJK KR", "NanumGothic", "Malgun Gothic", "Apple SD Gothic Neo",
                "DejaVu Sans", "sans-serif"]

# displaCy's entity template with a hover title; {tip} is escaped by us, {text} by displaCy.
ENT_TEMPLATE = ('<mark class="entity" title="{tip}" style="background: {bg}; padding: 0.15em 0.35em; '
                'margin: 0 0.1em; line-height: 1; border-radius: 0.35em;">{text}<span class="entity-label" '
                'style="font-size: 0.65em; font-weight: bold; line-height: 1; vertical-align: middle; '
                'margin-left: 0.35rem">{label}</span></mark>')

# Columns shown for each table on the article pages (in this order).
ARTICLE_COLUMNS = {
    "dates": ("text", "start", "end", "date_start", "date_end", "grain", "resolution", "timex", "rule"),
    "numbers": ("text", "start", "end", "value", "kind", "unit", "counted", "counted_noun", "qualifier", "rule"),
    "officials": ("text", "name", "name_latin", "title", "former", "organization", "country", "role", "person_id", "rule"),
    "organizations": ("text", "start", "end", "canonical", "abbreviation", "org_type", "country", "rule"),
    "locations": ("text", "start", "end", "kind", "rule"),
}


# ---------------------------------------------------------------------------------------------
# small formatting helpers (return plain text; the templates escape it)

def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items() if v not in (None, "", []))
    return str(value)


def _date_range(start: date | None, end: date | None) -> str:
    if start is None:
        return ""
    if end is None or end == start:
        return start.isoformat()
    return f"{start.isoformat()} – {end.isoformat()}"


NOUNS = {"country": ("country", "countries"), "organization": ("organisation", "organisations"),
         "person": ("person", "people"), "other": ("", "")}
QUALIFIERS = {"approx": "about", "at_least": "at least", "more_than": "more than", "at_most": "at most",
              "less_than": "less than"}


def _counted_word(counted: str | None, values: Iterable[float]) -> str:
    """'country' or 'countries' for the values (87 countries; 1 country)."""
    one, many = NOUNS.get(counted or "", (counted or "", counted or ""))
    return one if all(v == 1 for v in values) else many


def _count_text(count: dict) -> str:
    """'more than 100 countries (participants)' for a count struct."""
    value = count.get("value")
    words = [QUALIFIERS.get(count.get("qualifier") or "", ""), _fmt(value),
             _counted_word(count.get("counted"), [value] if value is not None else [])]
    role = count.get("role")
    return " ".join(w for w in words if w) + (f" ({role})" if role else "")


def date_label(start: date | None, end: date | None, grain: str | None = None) -> str:
    """A date as precise as it is known: '2025' for a year, '2025-03' for a month, a day or a range of days."""
    if start is None:
        return ""
    end = end or start
    last_of_month = (end + timedelta(days=1)).day == 1
    if grain == "year" or (grain is None and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
                           and start.year == end.year):
        return str(start.year)
    if grain == "month" or (grain is None and start.day == 1 and last_of_month and (start.year, start.month) ==
                            (end.year, end.month) and end > start):
        return f"{start.year}-{start.month:02d}"
    return start.isoformat() if end == start else f"{start.isoformat()} – {end.isoformat()}"


def _country_values(counts: Iterable[dict] | None) -> list[float]:
    """The distinct country counts of an event (several when sources disagree), ascending."""
    return sorted({c["value"] for c in counts or () if c.get("counted") == "country" and c.get("value") is not None})


def _display_width(text: str) -> float:
    """Width in em: wide (Hangul, CJK) characters are one em, others about 0.6."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)


def _shorten(text: str, max_em: float) -> str:
    if _display_width(text) <= max_em:
        return text
    out, width = "", 0.0
    for ch in text:
        width += _display_width(ch)
        if width > max_em - 1:
            break
        out += ch
    return out.rstrip() + "…"


def page_name(article_id: str) -> str:
    """A file name for an article page, safe whatever the id holds."""
    safe = re.sub(r"[^0-9A-Za-z_-]", "", article_id)[:16]
    return f"{safe or 'article'}-{hashlib.sha1(article_id.encode()).hexdigest()[:8]}.html"


# ---------------------------------------------------------------------------------------------
# the figure

def split_outliers(dated: list[dict]) -> tuple[list[dict], list[dict]]:
    """(the bulk, the outliers): events whose dates lie far outside the middle half of all dates (beyond
    three interquartile ranges and 60 days) would squash the axis (one 1994 event among 2025 ones)."""
    if len(dated) < 4:
        return dated, []
    days = sorted(c["date_start"].toordinal() for c in dated)
    q1, q3 = days[len(days) // 4], days[(3 * len(days)) // 4]
    reach = 3 * (q3 - q1) + 60
    inside = lambda c: q1 - reach <= c["date_start"].toordinal() and \
        (c.get("date_end") or c["date_start"]).toordinal() <= q3 + reach
    return [c for c in dated if inside(c)], [c for c in dated if not inside(c)]


def timeline_svg(clusters: list[dict]) -> tuple[str, int, int]:
    """An inline SVG: one row per dated consolidated event of the bulk (see :func:`split_outliers`), marks
    sized by country count and coloured by type, the name as the row label and a hover title on each mark.

    Returns (svg markup, events drawn, dated events left out for space)."""
    dated = split_outliers([c for c in clusters if c.get("date_start") is not None])[0]
    if not dated:
        return "", 0, 0
    dated.sort(key=lambda c: (-(c.get("n_articles") or 0), c["date_start"], c.get("name") or ""))
    shown = dated[:MAX_TIMELINE_EVENTS]
    shown.sort(key=lambda c: (c["date_start"], c.get("date_end") or c["date_start"], c.get("name") or ""))

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    font_px, row_px, dpi = 12, 30, 100
    labels = [_shorten(c.get("name") or "(no name)", 30) for c in shown]
    label_px = max(_display_width(label) for label in labels) * font_px + 24
    width_px, top_px, bottom_px, right_px = 1200, 70, 50, 110
    height_px = top_px + bottom_px + row_px * len(shown)

    rc = {"svg.fonttype": "none", "font.family": ["sans-serif"], "font.sans-serif": FIGURE_FONTS,
          "font.size": font_px * 72 / dpi, "svg.hashsalt": "pipeline-report", "axes.titlesize": "large"}
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
        FigureCanvasAgg(fig)
        fig.subplots_adjust(left=label_px / width_px, right=1 - right_px / width_px,
                            top=1 - top_px / height_px, bottom=bottom_px / height_px)
        ax = fig.add_subplot()
        for i, cluster in enumerate(shown):
            start, end = cluster["date_start"], cluster.get("date_end") or cluster["date_start"]
            color = TYPE_COLORS.get(cluster.get("type") or "other", TYPE_COLORS["other"])
            if end > start:        # a span (or a vague date such as a month): a bar over the range
                ax.plot([start, end + timedelta(days=1)], [i, i], color=color, linewidth=5, alpha=0.35,
                        solid_capstyle="butt")
            countries = _country_values(cluster.get("counts"))
            size = 30 + 4 * min(max(countries), 150) if countries else 30
            conflict = bool(cluster.get("conflicts"))
            mark = ax.scatter([start], [i], s=size, color=color, alpha=0.85, zorder=3,
                              edgecolors="#b00020" if conflict else "white", linewidths=2.5 if conflict else 1)
            mark.set_gid(f"ev-{i}")
            if countries:
                ax.annotate(" vs ".join(f"{v:g}" for v in countries) + " " + _counted_word("country", countries),
                            (start, i),
                            xytext=(size ** 0.5 / 2 + 5, 0), textcoords="offset points", va="center",
                            fontsize="small", color="#b00020" if len(countries) > 1 else "#444444")
        ax.set_yticks(range(len(shown)), [label.replace("$", r"\$") for label in labels])
        ax.set_ylim(len(shown) - 0.5, -0.5)
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        ax.grid(axis="y", color="#f0f0f0", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="x", labeltop=True, top=True)
        ax.tick_params(axis="y", left=False, pad=8)
        _pad_dates(ax, shown)
        present = [t for t in TYPE_COLORS if any(c.get("type") == t for c in shown)]
        handles = [Line2D([], [], marker="o", linestyle="", color=TYPE_COLORS[t], markersize=8, label=t)
                   for t in present]
        handles.append(Line2D([], [], marker="o", linestyle="", color="#999999", markeredgecolor="#b00020",
                              markeredgewidth=2.5, markersize=8, label="conflicting values"))
        fig.legend(handles=handles, loc="upper center", ncol=len(handles), frameon=False,
                   bbox_to_anchor=(0.5, 1.0), fontsize="small", handletextpad=0.3, columnspacing=1.2)
        buf = io.StringIO()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from")
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]                                          # no XML prolog, no DOCTYPE
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r'\1', svg, count=1)   # scale with the page
    svg = svg.replace("<svg ", '<svg role="img" aria-label="Events timeline" ', 1)
    for i, cluster in enumerate(shown):
        tip = " · ".join(x for x in (
            cluster.get("name") or "", cluster.get("type") or "",
            date_label(cluster.get("date_start"), cluster.get("date_end"), cluster.get("date_grain")),
            cluster.get("location") or "",
            "; ".join(_count_text(c) for c in cluster.get("counts") or []),
            f"{cluster.get('n_articles') or 0} articles",
            "CONFLICT: " + "; ".join(_conflict_text(c) for c in cluster["conflicts"]) if cluster.get("conflicts") else "",
        ) if x)
        svg = svg.replace(f'<g id="ev-{i}">', f'<g id="ev-{i}"><title>{html.escape(tip)}</title>', 1)
    return svg, len(shown), len(dated) - len(shown)


def _pad_dates(ax, shown: list[dict]) -> None:
    import matplotlib.dates as mdates

    first = min(c["date_start"] for c in shown)
    last = max((c.get("date_end") or c["date_start"]) for c in shown)
    span = max((last - first).days, 1)
    pad = timedelta(days=max(span * 0.04, 3))
    ax.set_xlim(first - pad, last + pad + timedelta(days=max(span * 0.08, 3)))    # room for count labels
    locator = mdates.AutoDateLocator(minticks=4, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _conflict_text(conflict: dict) -> str:
    """'87 vs 100 countries (participants)', 'dates: 2025-02-10 vs 2025-02-11'."""
    values = conflict.get("values") or []
    field = conflict.get("field") or ""
    if field.startswith("count:"):
        numbers = [float(v) for v in values if re.fullmatch(r"[\d.]+", v)]
        noun = _counted_word(conflict.get("counted"), numbers)
        return f"{' vs '.join(values)} {noun}".strip() + f" ({field.split(':', 1)[1]})"
    return f"{field}s: {' vs '.join(v.replace('/', ' – ') for v in values)}"


# ---------------------------------------------------------------------------------------------
# the highlighted article text

@dataclass
class Highlighted:
    markup: str
    shown: int
    overlapped: int
    bad_offsets: int


def _tip(label: str, row: dict) -> str:
    if label == "DATE":
        parts = [_date_range(row.get("date_start"), row.get("date_end")) or "unresolved", row.get("grain"),
                 row.get("resolution"), row.get("timex")]
    elif label == "NUMBER":
        parts = [f"{_fmt(row.get('value'))} {row.get('unit') or ''}".strip(), row.get("kind"),
                 f"counted: {row['counted']}" if row.get("counted") else None, row.get("qualifier")]
    elif label == "OFFICIAL":
        parts = [row.get("text"), row.get("title"), row.get("organization"), row.get("country"), row.get("role")]
    elif label == "ORG":
        parts = [row.get("canonical"), row.get("org_type"), row.get("country")]
    else:
        parts = [row.get("kind")]
    return " · ".join(str(p) for p in parts if p)


def highlight(text: str, mentions: dict[str, list[dict]]) -> Highlighted:
    """displaCy markup of the text with every mention that fits; longer spans win overlaps."""
    from spacy import displacy

    candidates, bad = [], 0
    for label, (table, _color) in LABELS.items():
        for row in mentions.get(table, []):
            start, end = row.get("start"), row.get("end")
            if label == "OFFICIAL" and row.get("name_start") is not None and row.get("name_end") is not None \
                    and row["name_end"] > row["name_start"]:
                start, end = row["name_start"], row["name_end"]
            if start is None or end is None or not 0 <= start < end <= len(text):
                bad += 1
                continue
            candidates.append((start, end, label, row))
    order = list(LABELS)
    candidates.sort(key=lambda c: (-(c[1] - c[0]), order.index(c[2]), c[0]))
    taken: list[tuple[int, int, str, dict]] = []
    for cand in candidates:
        if all(cand[1] <= t[0] or cand[0] >= t[1] for t in taken):
            taken.append(cand)
    taken.sort(key=lambda c: c[0])
    ents = [{"start": s, "end": e, "label": label, "params": {"tip": html.escape(_tip(label, row))}}
            for s, e, label, row in taken]
    options = {"colors": {label: color for label, (_t, color) in LABELS.items()}, "template": ENT_TEMPLATE}
    markup = displacy.render({"text": text, "ents": ents, "title": None}, style="ent", manual=True, page=False,
                             options=options)
    return Highlighted(markup, len(taken), len(candidates) - len(taken), bad)


# ---------------------------------------------------------------------------------------------
# the pages

def _rows(store: Store, name: str) -> list[dict]:
    return store.read(name).to_pylist()


def _by_article(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        out[row["article_id"]].append(row)
    for values in out.values():
        values.sort(key=lambda r: (r.get("start") is None, r.get("start") or 0, r.get("end") or 0))
    return out


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = _fmt
    env.filters["count_text"] = _count_text
    env.filters["conflict_text"] = _conflict_text
    env.filters["when"] = lambda row: date_label(row.get("date_start"), row.get("date_end"), row.get("date_grain"))
    env.globals.update(TITLE=TITLE, TYPE_COLORS=TYPE_COLORS, LABELS=LABELS)
    return env


def _run_rows(runs: list[dict]) -> list[dict]:
    """The last runs, newest first, with rows_written as text."""
    runs = sorted(runs, key=lambda r: (r.get("started_at") is not None, r.get("started_at") or 0), reverse=True)
    out = []
    for run in runs[:MAX_RUNS]:
        written = dict(run.get("rows_written") or [])
        out.append({**run, "rows_written": ", ".join(f"{k} {v}" for k, v in written.items() if v)})
    return out


def _bars(counter: Counter, order: list) -> list[dict]:
    top = max(counter.values(), default=0) or 1
    return [{"key": key, "n": counter[key], "pct": round(100 * counter[key] / top, 1)} for key in order]


def write_report(processed: Path, out: Path) -> Path:
    """Write the report of the tables under ``processed`` into ``out``; returns index.html's path."""
    processed, out = Path(processed), Path(out)
    if not processed.is_dir():
        raise FileNotFoundError(f"no processed folder at {processed}")
    store = Store(processed)
    with store.reading():                # whole commits only; a damaged table is named, not read
        damaged = store.check(set())
        if damaged:
            raise Damaged("damaged tables, run pipeline extract to rebuild them: "
                          + "; ".join(f"{d.table}: {d}" for d in damaged))
        articles = sorted(_rows(store, "articles"), key=lambda a: (a.get("source_path") or "", a["article_id"]))
        mentions = {name: _by_article(_rows(store, name)) for name in MENTION_TABLES}
        events = _by_article(_rows(store, "events"))
        clusters = _rows(store, "event_clusters")
        rejects = sorted(_rows(store, "rejects"), key=lambda r: r.get("source_path") or "")
        runs = _run_rows(_rows(store, "runs"))
    clusters.sort(key=lambda c: (c.get("date_start") is None, c.get("date_start") or date.min, c.get("name") or ""))

    pages = {a["article_id"]: page_name(a["article_id"]) for a in articles}
    names = {a["article_id"]: a.get("publisher") or a.get("source_path") or a["article_id"][:10] for a in articles}
    for cluster in clusters:           # evidence names articles by id: name them by publisher instead
        for conflict in cluster.get("conflicts") or []:
            conflict["evidence"] = [_name_articles(text, names) for text in conflict.get("evidence") or []]
    labels = {a["article_id"]: (a.get("title") or a.get("source_path") or a["article_id"]) for a in articles}
    publishers = {a["article_id"]: a.get("publisher") or "" for a in articles}
    env = _environment()
    (out / ARTICLE_DIR).mkdir(parents=True, exist_ok=True)

    summaries = []
    for i, article in enumerate(articles):
        aid = article["article_id"]
        per_table = {name: mentions[name].get(aid, []) for name in MENTION_TABLES}
        marked = highlight(article.get("text") or "", per_table)
        nav = {"prev": pages[articles[i - 1]["article_id"]] if i > 0 else None,
               "next": pages[articles[i + 1]["article_id"]] if i + 1 < len(articles) else None}
        article_clusters = [c for c in clusters if aid in (c.get("article_ids") or [])]
        people = {o["person_id"]: f"{o['name']} {o.get('title') or ''}".strip()
                  for o in per_table["officials"] if o.get("person_id")}
        page = env.get_template("article.html").render(
            article=article, highlighted=_markup(marked.markup), marked=marked, mentions=per_table,
            columns=ARTICLE_COLUMNS, events=events.get(aid, []), clusters=article_clusters, nav=nav,
            event_names={e["event_id"]: e.get("name") or e["event_id"] for e in events.get(aid, [])}, people=people,
            position=i + 1, total=len(articles))
        (out / ARTICLE_DIR / pages[aid]).write_text(page, encoding="utf-8")
        summaries.append({"first_line": _shorten((article.get("text") or "").strip().split("\n")[0], 40),
                          **{k: article.get(k) for k in ("title", "publisher", "reference_date", "reference_source",
                                                          "source_path", "n_chars_clean")},
                          "page": f"{ARTICLE_DIR}/{pages[aid]}",
                          "n": {name: len(per_table[name]) for name in MENTION_TABLES},
                          "n_events": len(events.get(aid, [])), "n_removed": len(article.get("removed") or [])})
    for stale in (out / ARTICLE_DIR).glob("*.html"):      # pages of articles no longer in the tables
        if stale.name not in set(pages.values()):
            stale.unlink()

    svg, n_drawn, n_left_out = timeline_svg(clusters)
    per_publisher = Counter(a.get("publisher") or "(unknown)" for a in articles)
    per_day = Counter(a.get("reference_date") for a in articles)
    days = sorted((d for d in per_day if d is not None)) + ([None] if None in per_day else [])
    index = env.get_template("index.html").render(
        processed=str(processed), articles=summaries, clusters=clusters, rejects=rejects, runs=runs,
        timeline=_markup(svg), n_drawn=n_drawn, n_left_out=n_left_out,
        outliers=split_outliers([c for c in clusters if c.get("date_start") is not None])[1],
        undated=[c for c in clusters if c.get("date_start") is None],
        article_links=[{"id": aid, "page": f"{ARTICLE_DIR}/{pages[aid]}", "label": labels[aid],
                        "publisher": publishers[aid]} for aid in pages],
        pages={aid: f"{ARTICLE_DIR}/{p}" for aid, p in pages.items()}, labels=labels, publishers=publishers,
        per_publisher=_bars(per_publisher, sorted(per_publisher, key=lambda k: (-per_publisher[k], k))),
        per_day=_bars(per_day, days),
        totals={"articles": len(articles), "rejects": len(rejects), "events": sum(map(len, events.values())),
                "clusters": len(clusters), "conflicts": sum(1 for c in clusters if c.get("conflicts")),
                "mentions": sum(len(rows) for table in mentions.values() for rows in table.values())})
    path = out / "index.html"
    path.write_text(index, encoding="utf-8")
    return path


def _name_articles(text: str, names: dict[str, str]) -> str:
    """Article ids (hex hashes) in a text replaced by the articles' publishers."""
    return re.sub(r"\b[0-9a-f]{16,}\b", lambda m: names.get(m.group(), m.group()), text)


def _markup(text: str):
    from markupsafe import Markup

    return Markup(text)
