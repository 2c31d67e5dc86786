"""The analysts' HTML report (pipeline.report): its content on the samples, escaping, and a real browser.

The browser test uses Debian's chromium (/usr/bin/chromium); when it is missing the test installs it
with apt-get (CI runs as root and has no other way to get it) and fails with a clear message if it
cannot. It also installs a Hangul font (fonts-nanum) when fontconfig knows none, so that the
screenshot shows the Korean text; the report itself needs no font (see pipeline.report).
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from conftest import GOLD, sample_inputs
from pipeline.quality.gold import squash
from pipeline.analyst.report import (LABELS, TITLE, _conflict_text, _count_text, date_label, split_outliers,
                                     write_report)
from pipeline.schema import from_rows
from pipeline.batch.storage import Store, atomic_write_table

CHROMIUM = Path("/usr/bin/chromium")
EXTERNAL_REF = re.compile(r"""(?:\bsrc|\bhref|xlink:href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.I)
TAG = re.compile(r"<[a-zA-Z][^<>]*>")
CSS_EXTERNAL = re.compile(r"""(?:url\(\s*["']?\s*(?:https?:)?//|@import)""", re.I)
MARK = re.compile(r'<mark class="entity"[^>]*>(.*?)<span class="entity-label"[^>]*>(\w+)</span>\s*</mark>', re.S)


@pytest.fixture(scope="module")
def report(sample_run, tmp_path_factory) -> Path:
    return write_report(sample_run, tmp_path_factory.mktemp("report") / "report")


def _pages(index: Path) -> list[Path]:
    return [index, *sorted((index.parent / "articles").glob("*.html"))]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _external_refs(page: str) -> list[str]:
    """src=/href= attributes of the page's tags that point to another host."""
    return [ref.group() for tag in TAG.findall(page) for ref in [EXTERNAL_REF.search(tag)] if ref]


def _article_pages(report: Path, store: Store) -> dict[str, str]:
    """source_path -> that article's page (each page names its source file), all linked from the index."""
    index = _text(report)
    out = {}
    for page in _pages(report)[1:]:
        text = _text(page)
        source = re.search(r'<dt>Source file</dt><dd class="mono">([^<]*)</dd>', text)
        assert source, page.name
        assert f'href="articles/{page.name}"' in index, f"index does not link to {page.name}"
        out[html.unescape(source.group(1))] = text
    assert sorted(out) == sorted(a["source_path"] for a in store.read("articles").to_pylist())
    return out


def test_report_lists_every_gold_event(report, sample_run):
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["articles"]
    index = squash(html.unescape(_text(report)))
    pages = _article_pages(report, Store(sample_run))
    for source, expected in gold.items():
        page = squash(html.unescape(pages[source]))
        for event in expected.get("events", {}).get("must", []):
            name = squash(event["name_contains"])
            assert name in index, f"gold event {event['name_contains']!r} ({source}) not in index.html"
            assert name in page, f"gold event {event['name_contains']!r} not on the page of {source}"


def _spans(row: dict, label: str) -> tuple[int, int]:
    if label == "OFFICIAL" and row.get("name_start") is not None and (row.get("name_end") or 0) > row["name_start"]:
        return row["name_start"], row["name_end"]
    return row["start"], row["end"]


def test_article_pages_highlight_mentions_with_displacy(report, sample_run):
    store = Store(sample_run)
    pages = _article_pages(report, store)
    tables = {label: store.read(table).to_pylist() for label, (table, _color) in LABELS.items()}
    seen_labels = set()
    for article in store.read("articles").to_pylist():
        page, text = pages[article["source_path"]], article["text"]
        assert '<div class="entities"' in page                        # displaCy's entity markup
        marks = {(html.unescape(t).strip(), label) for t, label in MARK.findall(page)}
        seen_labels |= {label for _t, label in marks}
        spans = [(label, *_spans(row, label)) for label, rows in tables.items() for row in rows
                 if row["article_id"] == article["article_id"]]
        for label, start, end in spans:
            alone = all(e <= start or s >= end for other, s, e in spans if (other, s, e) != (label, start, end))
            if alone and 0 <= start < end <= len(text):
                assert (text[start:end].strip(), label) in marks, \
                    f"{label} {text[start:end]!r} not highlighted on the page of {article['source_path']}"
        # the removed boilerplate lines and the article's rows from each table are listed below the text
        unescaped = html.unescape(page)
        for removed in article["removed"] or []:
            assert removed["line"] in unescaped and removed["rule"] in unescaped
        for label, (table, _color) in LABELS.items():
            n = sum(1 for row in tables[label] if row["article_id"] == article["article_id"])
            assert f"<h3>{table} ({n})</h3>" in page
    assert seen_labels == set(LABELS), f"labels never highlighted: {set(LABELS) - seen_labels}"


def test_report_is_self_contained_utf8(report):
    for page in _pages(report):
        text = _text(page)
        assert '<meta charset="utf-8">' in text[:300], page
        assert not _external_refs(text), f"{page.name}: external references {_external_refs(text)}"
        assert not CSS_EXTERNAL.search(text), f"{page.name}: external style reference"
        assert "<script" not in text and "<link" not in text, page
        for ref in re.findall(r'(?:src|href)="([^"#]+)', text):        # every local link resolves
            assert (page.parent / ref).exists(), f"{page.name}: broken link {ref}"


def test_index_has_timeline_clusters_counts_and_runs(report, sample_run):
    store = Store(sample_run)
    index = _text(report)
    svg = re.search(r"<svg.*?</svg>", index, re.S)
    assert svg and "<title>" in svg.group() and "<text" in svg.group()     # hover titles, labels kept as text
    assert "font-family: 'Noto Sans KR'" in svg.group()
    clusters = store.read("event_clusters").to_pylist()
    for cluster in clusters:
        row = re.search(rf'<tr id="c-{cluster["cluster_id"]}"( class="conflict")?>', index)
        assert row, cluster["name"]
        assert bool(row.group(1)) == bool(cluster["conflicts"]), f"conflict highlight of {cluster['name']}"
    articles = store.read("articles").to_pylist()
    unescaped = html.unescape(index)
    for article in articles:
        assert article["publisher"] in unescaped
        if article["reference_date"]:
            assert article["reference_date"].isoformat() in index
    for run in store.read("runs").to_pylist():
        assert run["run_id"] in index


def test_cli_writes_the_report(sample_run, tmp_path):
    from pipeline.cli import main

    assert main(["report", str(sample_run), "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "index.html").exists() and len(list((tmp_path / "r" / "articles").glob("*.html"))) == len(sample_inputs())


HOSTILE = '<script>alert("x")</script><img src="http://evil.example/x.png">'


def _hostile_folder(root: Path) -> Path:
    """A processed folder whose every text field holds markup, as a scraped page could."""
    text = f"2024년 5월 22일 {HOSTILE} 서울에서 $x$ 정상회의가 28개국 참여로 열렸다."
    aid = "a" * 64
    start = text.index("2024")
    rows = {
        "articles": [{"article_id": aid, "source_path": "x<y>.html", "url": "javascript:alert(1)", "publisher": HOSTILE,
                      "authors": [HOSTILE], "title": HOSTILE, "reference_date": date(2024, 5, 22),
                      "reference_source": "body", "text": text, "paragraphs": [], "n_chars_raw": 1,
                      "n_chars_clean": len(text), "lang": "ko", "encoding": "utf-8", "pipeline_version": "t",
                      "schema_version": 1, "removed": [{"line": HOSTILE, "rule": "r<", "category": "menu"}]}],
        "dates": [{"article_id": aid, "sentence_index": 0, "start": start, "end": start + 11, "text": "2024년 5월 22일",
                   "date_start": date(2024, 5, 22), "date_end": date(2024, 5, 22), "grain": "day",
                   "resolution": "absolute", "timex": "2024-05-22", "rule": HOSTILE}],
        "locations": [{"article_id": aid, "sentence_index": 0, "start": text.index("<img"), "end": text.index("서울") + 2,
                       "text": "x", "kind": HOSTILE, "rule": "r"}],
        "events": [{"event_id": "e1", "article_id": aid, "type": "summit", "name": f"$x$ {HOSTILE}",
                    "date_start": date(2024, 5, 22), "date_end": date(2024, 5, 22), "location": HOSTILE,
                    "counts": [{"value": 28.0, "counted": "country", "role": HOSTILE, "qualifier": "exact",
                                "text": HOSTILE}], "evidence": [{"text": HOSTILE, "start": 0, "end": 1}]}],
        "event_clusters": [{"cluster_id": "c1", "type": "summit", "name": f"$x$ {HOSTILE}", "names": [HOSTILE],
                            "date_start": date(2024, 5, 22), "date_end": date(2024, 5, 22), "location": HOSTILE,
                            "article_ids": [aid, "missing"], "event_ids": ["e1"], "n_articles": 1, "n_sources": 1,
                            "counts": [{"value": 28.0, "counted": "country", "role": "x", "qualifier": "exact",
                                        "article_ids": [aid], "evidence": [HOSTILE]}],
                            "conflicts": [{"field": HOSTILE, "counted": "country", "values": ["1", HOSTILE],
                                           "evidence": [HOSTILE]}]}],
        "runs": [{"run_id": HOSTILE, "started_at": datetime(2024, 1, 1, tzinfo=timezone.utc), "rows_written": [("a", 1)],
                  "exit_status": 0}],
    }
    for name, table_rows in rows.items():
        atomic_write_table(name, from_rows(name, table_rows), root / name / "part-test.parquet")
    return root


def test_report_escapes_untrusted_text(tmp_path):
    index = write_report(_hostile_folder(tmp_path / "processed"), tmp_path / "report")
    pages = _pages(index)
    assert len(pages) == 2
    for page in pages:
        text = _text(page)
        assert "<script" not in text and "<img" not in text, page.name
        assert not _external_refs(text), page.name
        assert "&lt;script&gt;" in text
    assert "<svg" in _text(index) and "$x$" in html.unescape(_text(index))     # a '$' is not mathtext
    assert "javascript:" not in re.sub(r"<dd class=\"mono\">[^<]*</dd>", "", _text(pages[1]))


def test_report_of_an_empty_folder(tmp_path):
    (tmp_path / "processed").mkdir()
    index = write_report(tmp_path / "processed", tmp_path / "report")
    assert TITLE in _text(index) and "No consolidated events." in _text(index)
    with pytest.raises(FileNotFoundError):
        write_report(tmp_path / "nope", tmp_path / "report2")


# ---------------------------------------------------------------------------------------------
# a real browser

def _apt(*packages: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    update = subprocess.run(["apt-get", "update"], env=env, capture_output=True, text=True, timeout=600)
    if update.returncode != 0:
        return update
    return subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *packages], env=env,
                          capture_output=True, text=True, timeout=900)


def _has_korean_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True, timeout=60)
    return bool(out.stdout.strip())


def ensure_chromium() -> Path:
    """/usr/bin/chromium, installed with apt-get when absent (as root, as on CI)."""
    can_install = os.geteuid() == 0 and shutil.which("apt-get") is not None
    if not CHROMIUM.exists():
        if not can_install:
            pytest.fail(f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get): "
                        "install Debian's 'chromium' package, e.g. `apt-get install -y chromium`")
        packages = ["chromium"] + ([] if _has_korean_font() else ["fonts-nanum"])
        done = _apt(*packages)
        if done.returncode != 0 or not CHROMIUM.exists():
            pytest.fail(f"could not install {' '.join(packages)} with apt-get (exit {done.returncode}):\n"
                        f"{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    elif can_install and not _has_korean_font():
        _apt("fonts-nanum")
    if not _has_korean_font():
        pytest.fail("no Hangul font: every Korean glyph would be a box; install Debian's fonts-noto-cjk or fonts-nanum")
    return CHROMIUM


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    command = [str(ensure_chromium()), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_report_renders_in_headless_chromium(report, tmp_path):
    url = report.resolve().as_uri()
    dom = _chromium("--dump-dom", url, profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert f"<title>{TITLE}</title>" in dom.stdout and f"<h1>{TITLE}</h1>" in dom.stdout
    assert 'id="runs"' in dom.stdout and "<svg" in dom.stdout               # the whole page was parsed
    shot = tmp_path / "shot.png"
    run = _chromium(f"--screenshot={shot}", "--window-size=1280,2000", url, profile=tmp_path / "profile-shot")
    assert run.returncode == 0, run.stderr[-2000:]
    for problem in ("Uncaught", "Failed to load resource", "ERR_FILE_NOT_FOUND", "ERR_NAME_NOT_RESOLVED",
                    "Content Security Policy"):          # the CSP lets the report itself load whole
        assert problem not in dom.stderr + run.stderr, problem
    assert shot.exists() and shot.stat().st_size > 10_000, "screenshot missing or too small"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1280, 2000)
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50, "a blank page"
    print(f"screenshot: {shot}")


# ---------------------------------------------------------------------------------------------
# hostile pages through the whole pipeline, opened in a real browser: no payload runs
# (each payload would set document.title to 'PWNED-…', a word that appears nowhere in the text)

PAYLOADS = {
    "script": "<script>document.title='PW'+'NED-script'</script>",
    "img": "<img src=x onerror=\"document.title='PW'+'NED-img'\">",
    "js": "javascript:document.title='PW'+'NED-js'",
    "svg": "\"><svg onload=\"document.title='PW'+'NED-svg'\">",
}
NAME_PAYLOADS = ["<img src=x onerror=document.title='PW'+'NED-name'>", "\"><svg onload=document.title='PW'+'NED-name'>",
                 "javascript:document.title='PW'+'NED-name'", "<script>document.title='PW'+'NED-name'"]   # no '/'
BODY = "과학기술정보통신부는 22일 서울에서 열린 인공지능 정상회의에 참석했다고 밝혔다. 이번 회의에는 28개국 대표단이 참석해 공동 성명을 채택했다."


def _hostile_raw(raw: Path) -> Path:
    raw.mkdir(parents=True)
    lines = "\n".join(PAYLOADS.values())
    esc = {k: html.escape(v) for k, v in PAYLOADS.items()}
    (raw / "title.html").write_text(
        f"<html><head><meta charset='utf-8'><title>{esc['script']} 정상회의</title></head><body><article>"
        f"<p>{esc['img']} {BODY}</p><p>{esc['svg']} 1번 {esc['js']}</p></article></body></html>", encoding="utf-8")
    (raw / "body.txt").write_text(f"{PAYLOADS['svg']} 제목\n{lines}\n2번 {BODY}\n{lines}", encoding="utf-8")
    (raw / "meta.txt").write_text(f"3번 {BODY}", encoding="utf-8")
    (raw / "meta.txt.meta.json").write_text(json.dumps({"title": PAYLOADS["img"], "url": PAYLOADS["js"],
                                                        "publisher": PAYLOADS["svg"], "published": "2024-05-22"}))
    for i, name in enumerate(NAME_PAYLOADS, 4):
        (raw / f"{name}.txt").write_text(f"{i}번 {BODY}", encoding="utf-8")
    return raw


def _dom(page: Path, profile: Path) -> str:
    done = _chromium("--dump-dom", page.resolve().as_uri(), profile=profile)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_hostile_pages_run_no_script_in_chromium(tmp_path):
    from pipeline.batch.runner import run_extract
    from pipeline.settings import Settings

    raw = _hostile_raw(tmp_path / "raw")
    run_extract(raw, tmp_path / "processed", Settings(workers=1, quiet=True))
    articles = Store(tmp_path / "processed").read("articles").to_pylist()
    assert len(articles) == 3 + len(NAME_PAYLOADS), [a["source_path"] for a in articles]
    index = write_report(tmp_path / "processed", tmp_path / "report")

    control = tmp_path / "control.html"            # the check itself works: a payload that runs is seen
    control.write_text(f"<html><head><title>clean</title></head><body>{PAYLOADS['script']}</body></html>")
    assert "<title>PWNED-script</title>" in _dom(control, tmp_path / "profile-control")

    shown = ""
    for i, page in enumerate(_pages(index)):
        source = _text(page)
        assert "Content-Security-Policy" in source and "script-src 'none'" in source, page.name
        assert 'href="javascript:' not in source.lower() and "<script" not in source, page.name
        dom = _dom(page, tmp_path / f"profile-{i}")
        assert "PWNED" not in dom, f"{page.name}: a payload ran"     # the payloads only say 'PW'+'NED'
        assert "<svg onload" not in dom and "<img src=\"x\"" not in dom, page.name
        shown += html.unescape(re.sub(r"<[^>]+>", "", dom))
    for payload in [*PAYLOADS.values(), *NAME_PAYLOADS]:     # the text is still there, as text
        assert payload in shown, payload


def test_dates_keep_their_grain():
    assert date_label(date(2025, 1, 1), date(2025, 12, 31)) == "2025"
    assert date_label(date(2025, 3, 1), date(2025, 3, 31)) == "2025-03"
    assert date_label(date(2025, 3, 4), date(2025, 3, 4)) == "2025-03-04"
    assert date_label(date(2025, 3, 30), date(2025, 4, 1)) == "2025-03-30 – 2025-04-01"
    assert date_label(date(2025, 3, 1), date(2025, 3, 1), "month") == "2025-03"
    assert date_label(None, None) == ""


def test_counts_and_conflicts_read_as_words():
    assert _count_text({"value": 87.0, "counted": "country", "role": "participants", "qualifier": "exact"}) == \
        "87 countries (participants)"
    assert _count_text({"value": 100.0, "counted": "country", "role": "signatories", "qualifier": "more_than"}) == \
        "more than 100 countries (signatories)"
    assert _count_text({"value": 1.0, "counted": "person", "role": None, "qualifier": "exact"}) == "1 person"
    conflict = {"field": "count:participants", "counted": "country", "values": ["87", "100"]}
    assert _conflict_text(conflict) == "87 vs 100 countries (participants)"
    assert _conflict_text({"field": "date", "values": ["2025-02-10/2025-02-10", "2025-02-11/2025-02-11"]}) == \
        "dates: 2025-02-10 – 2025-02-10 vs 2025-02-11 – 2025-02-11"


def test_timeline_axis_covers_the_bulk_and_lists_outliers():
    events = [{"name": f"e{i}", "date_start": date(2025, 2, 1 + i), "date_end": date(2025, 2, 1 + i)}
              for i in range(8)]
    old = {"name": "1994 founding", "date_start": date(1994, 5, 1), "date_end": date(1994, 5, 1)}
    bulk, outliers = split_outliers(events + [old])
    assert outliers == [old] and len(bulk) == 8
    assert split_outliers(events)[1] == []


def test_hangul_renders_with_a_real_font(tmp_path):
    """Two different Hangul strings must give different pixels: with no Hangul font both are rows of
    identical boxes."""
    from PIL import Image, ImageChops

    shots = []
    for i, word in enumerate(("가나다라마", "바사아자차")):
        page = tmp_path / f"h{i}.html"
        page.write_text(f'<html><body style="margin:0;font:64px \'Noto Sans KR\', \'Noto Sans CJK KR\', '
                        f'NanumGothic, sans-serif">{word}</body></html>', encoding="utf-8")
        shot = tmp_path / f"h{i}.png"
        run = _chromium(f"--screenshot={shot}", "--window-size=400,100", page.resolve().as_uri(),
                        profile=tmp_path / f"profile-{i}")
        assert run.returncode == 0, run.stderr[-2000:]
        shots.append(Image.open(shot).convert("L"))
    assert ImageChops.difference(*shots).getbbox() is not None, "Hangul is drawn as boxes: no Hangul font"
