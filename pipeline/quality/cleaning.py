"""Cleaning measured on real pages with hand-written expectations, side by side with trafilatura alone.

Labels: tests/data/eval/cleaning_labels.jsonl (dev-corpus pages and the samples; see the README beside
it). Per input: the body's first and last sentence kept (``ends``), every listed boilerplate string
gone (``clean``), the listed middle strings kept, no article rejected. "trafilatura alone" is
trafilatura's main text with the pipeline's own call for HTML pages, and the text as read for text
inputs (what a pipeline without a cleaner keeps). Also: how many dev-corpus inputs end as no_text.
"""
from __future__ import annotations

import html
import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "tests" / "data" / "eval" / "cleaning_labels.jsonl"
DEV_CORPUS = ROOT / "tests" / "data" / "dev_corpus" / "pages"
SAMPLES = ROOT / "raw"
SYSTEMS = ("project", "trafilatura")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def project_outputs(folder: Path) -> dict[str, dict]:
    """What the pipeline keeps of each input in a folder: text, metadata, or the reject reason."""
    from pipeline.document import Prepared, prepare_file
    from pipeline.ingest.reading import discover
    from pipeline.settings import Settings

    settings = Settings()
    out = {}
    for item in discover(folder):
        if item.kind is None:
            continue
        result = prepare_file(item, settings)
        if isinstance(result, Prepared):
            c = result.cleaned
            out[item.path] = {"text": c.text, "rejected": None, "title": c.title,
                              "publisher": c.publisher,
                              "authors": list(c.authors), "body_source": c.body_source}
        else:
            out[item.path] = {"text": "", "rejected": result.rows["rejects"][0]["reason"]}
    return out


def trafilatura_outputs(folder: Path, names: set[str]) -> dict[str, dict]:
    import trafilatura

    from pipeline.ingest.decoding import decode

    out = {}
    for name in sorted(names):
        path = folder / name
        is_html = path.suffix.lower() in (".html", ".htm")
        text, _ = decode(path.read_bytes(), html=is_html)
        if is_html:
            doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, include_tables=False,
                                              favor_recall=True)
            text = (doc.text or "") if doc is not None else ""
        out[name] = {"text": text, "rejected": None if len(text.strip()) >= 20 else "no_text"}
    return out


def score_one(label: dict, got: dict) -> dict[str, bool]:
    text = _norm(html.unescape(got["text"])) if got["text"] else ""
    has = lambda s: _norm(s) in text
    rejected = got["rejected"] is not None
    if not label["is_article"]:
        return {"ends": rejected or not text, "clean": rejected or not any(map(has, label["must_be_gone"])),
                "keep": True, "article_rejected": False}
    ends = not rejected and has(label["first_sentence"]) and has(label["last_sentence"])
    clean = not rejected and not any(map(has, label["must_be_gone"]))
    return {"ends": ends, "clean": clean, "keep": not rejected and all(map(has, label.get("must_keep", []))),
            "article_rejected": rejected}


def score_metadata(label: dict, got: dict) -> dict[str, bool]:
    if got.get("rejected") or not label["is_article"]:
        return {}
    squash = lambda s: re.sub(r"\s+", "", unicodedata.normalize("NFC", s or ""))
    out = {"publisher": squash(got.get("publisher")) == squash(label["publisher"])} if label.get("publisher") else {}
    if label.get("title"):
        out["title"] = squash(got.get("title")) == squash(label["title"])
    if label.get("authors"):
        out["authors"] = set(label["authors"]) <= set(got.get("authors") or [])
    return out


def evaluate_cleaning(labels: list[dict] | None = None) -> dict:
    labels = labels if labels is not None else load_labels()
    project = {**project_outputs(DEV_CORPUS), **project_outputs(SAMPLES)}
    baseline = {**trafilatura_outputs(DEV_CORPUS, {l["doc"] for l in labels if l["source"] == "dev_corpus"}),
                **trafilatura_outputs(SAMPLES, {l["doc"] for l in labels if l["source"] == "seeds"})}
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures: list[str] = []
    for label in labels:
        kind = "html" if label["doc"].endswith((".html", ".htm")) else "text"
        for system, outputs in (("project", project), ("trafilatura", baseline)):
            got = outputs.get(label["doc"], {"text": "", "rejected": "missing"})
            checks = score_one(label, got)
            if system == "project":
                checks.update({f"meta_{k}": v for k, v in score_metadata(label, got).items()})
            for metric, ok in checks.items():
                for group in (f"{label['split']}.{kind}", f"{label['split']}.all"):
                    t = tally[f"{system}.{group}.{metric}"]
                    t[0] += ok
                    t[1] += 1
            if system == "project" and label["split"] == "dev" and not (checks["ends"] and checks["clean"]):
                failures.append(f"{label['doc']}: ends={checks['ends']} clean={checks['clean']}")
    dev_rejects = [p for p, o in project.items() if o["rejected"] and (DEV_CORPUS / p).exists()]
    sources = defaultdict(int)
    for o in project.values():
        if o.get("body_source"):
            sources[o["body_source"]] += 1
    return {"tally": dict(tally), "failures": failures, "dev_corpus_inputs": sum(1 for p in project if (DEV_CORPUS / p).exists()),
            "dev_corpus_no_text": dev_rejects, "body_source": dict(sources),
            "suspects": _suspects(project)}


def _suspects(project: dict) -> dict[str, int]:
    from pipeline.quality.mine import mine

    counts, _ = mine([(path, o["text"]) for path, o in project.items() if o["text"]])
    return dict(counts.most_common())


def figures(results: dict) -> dict[str, float]:
    """Shares for the floors: cleaning.<system>.<split>.<kind>.<metric>, and the dev corpus kept share."""
    out = {f"cleaning.{k}": v[0] / v[1] for k, v in results["tally"].items() if v[1]}
    n = results["dev_corpus_inputs"]
    out["cleaning.dev_corpus.not_no_text"] = 1 - len(results["dev_corpus_no_text"]) / n if n else 0.0
    return out


def render(results: dict) -> list[str]:
    t = results["tally"]
    lines = ["Cleaning on real pages (tests/data/eval/cleaning_labels.jsonl), project vs trafilatura alone:",
             f"  {'split/kind':<14}{'metric':<18}{'project':>14}{'trafilatura':>14}"]
    for split in ("dev", "holdout"):
        for kind in ("html", "text", "all"):
            for metric in ("ends", "clean", "keep", "article_rejected"):
                row = [t.get(f"{s}.{split}.{kind}.{metric}") for s in SYSTEMS]
                if row[0] is None:
                    continue
                cells = "".join(f"{f'{r[0]}/{r[1]}':>14}" if r else f"{'-':>14}" for r in row)
                lines.append(f"  {split + '/' + kind:<14}{metric:<18}{cells}")
            for metric in ("meta_title", "meta_publisher", "meta_authors"):
                r = t.get(f"project.{split}.{kind}.{metric}")
                if r:
                    lines.append(f"  {split + '/' + kind:<14}{metric:<18}{f'{r[0]}/{r[1]}':>14}")
    lines.append(f"  dev corpus: {len(results['dev_corpus_no_text'])} of {results['dev_corpus_inputs']} inputs end as no_text"
                 + (f" ({', '.join(results['dev_corpus_no_text'])})" if results["dev_corpus_no_text"] else ""))
    lines.append(f"  body_source: {results['body_source']}")
    lines.append(f"  kept lines that look like boilerplate (pipeline.quality.mine): {results['suspects']}")
    for failure in results["failures"]:
        lines.append(f"    dev miss: {failure}")
    return lines


if __name__ == "__main__":
    print("\n".join(render(evaluate_cleaning())))
