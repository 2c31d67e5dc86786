"""``make bench``: speed, memory and scaling of the extraction pipeline on a synthetic corpus.

One run measures, on the same corpus (``--docs``, default 2,000 documents):

(a) the *floor*: Kiwi tokenisation alone over the clean article texts plus trafilatura alone over
    the HTML pages -- the work no Kiwi-based pipeline can skip (one Kiwi load included);
(b) the full pipeline (``run_extract``) with 1 worker;
(c) the full pipeline with all cores (``workers = os.cpu_count()``);
(d) an incremental re-run with nothing new over ``--incremental`` (10,000) small inputs, after a
    first full run over them (the wall time of the second run);
(e) peak memory (RSS of the process tree) of (b) and (c), and of (b) at every size of ``--sizes``
    (500, 2,000, 8,000) to see how it grows.

Every measurement runs in a fresh subprocess (``python -m pipeline.bench --child SPEC``); the parent
samples the RSS of the child and its descendants with psutil (falling back to ``getrusage`` max RSS
reported by the child). Pipeline timings are cold: the child has imported the modules, but Kiwi is
loaded inside the timed region, as in a real run (the floor includes one Kiwi load too, shown apart).

The corpus is generated reproducibly (fixed seed; document ``i`` depends only on the seed, ``i``
and the source texts, so a small corpus is a prefix of a larger one) from the shipped samples in
``raw/`` and the news sentences of ``tests/data/eval/klue_ner_dev_A.jsonl``, wrapped in varied
boilerplate (weather widgets, headline lists, menus, promos, copyright lines), as text dumps and
HTML pages, some CP949-encoded, some with ``NAME.meta.json`` sidecars. It is cached in
``.bench-cache/corpus/`` and rebuilt when missing, when ``GENERATOR_VERSION`` changes, or when the
source texts change.

Figures go to stdout as a table and to ``.bench-cache/latest.json`` (``latest-quick.json`` for
``--quick``). ``--profile`` adds a profiled 1-worker run and prints the top functions beyond the floor.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

GENERATOR_VERSION = 1          # bump when the generator's output changes: cached corpora are rebuilt
DEFAULT_SEED = 20240522
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = ROOT / ".bench-cache"
KLUE = Path("tests") / "data" / "eval" / "klue_ner_dev_A.jsonl"
MIN_BYTES, MAX_BYTES = 1024, 15 * 1024

GOALS = {"pipeline_over_floor": 0.8, "all_cores_over_one": 1.7, "memory_growth": 0.20, "incremental_s": 2.0}
# Same call as pipeline.clean.clean_html, so the floor's trafilatura does the pipeline's trafilatura work.
TRAFILATURA_OPTIONS = dict(with_metadata=True, include_comments=False, include_tables=False, favor_recall=True,
                           date_extraction_params={"extensive_search": False, "original_date": True})


# --------------------------------------------------------------------------------------------
# Corpus: source texts
# --------------------------------------------------------------------------------------------

HANGUL = re.compile("[가-힣]")
SENTENCE_END = (".", "다", "”", '"', "’", "'", ")", "요")
DATELINE = re.compile(r"^(\((?:[가-힣A-Za-z ]{1,12}=)?[가-힣A-Za-z0-9 ]{2,15}\)\s*([가-힣]{2,4}\s?(기자|특파원)\s*=?\s*)?"
                      r"|\[?[가-힣A-Za-z0-9]{2,15}\]?\s+[가-힣]{2,4}\s?(기자|특파원)\s*[|=│]\s*)")
HEADLINE_ROW = re.compile(r"^\d{3,}\s+(?P<title>.{8,}?)\s+\S{2,10}\s+\d{4}[.-]\d{2}[.-]\d{2}\.?$")


@dataclass(frozen=True)
class Sources:
    paragraphs: tuple[str, ...]     # article paragraphs of the shipped samples
    sentences: tuple[str, ...]      # news sentences (KLUE wikitree) when the file is there
    headlines: tuple[str, ...]      # headline-like lines for titles and headline lists
    digest: str                     # of every input file: a change rebuilds the cached corpora


def load_sources(root: Path = ROOT) -> Sources:
    digest = hashlib.sha256()
    paragraphs: list[str] = []
    headlines: list[str] = []
    samples = sorted((root / "raw").glob("*.txt"))
    if not samples:
        raise FileNotFoundError(f"no sample pages in {root / 'raw'}")
    for path in samples:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        for line in data.decode("utf-8", errors="replace").splitlines():
            s = line.strip()
            row = HEADLINE_ROW.match(s)
            if row:
                headlines.append(row.group("title"))
                continue
            if (len(s) >= 40 and HANGUL.search(s) and "@" not in s and "email protected" not in s
                    and not s.startswith(("▶", "►", "☞", "•", "*", "<")) and s.endswith(SENTENCE_END)):
                paragraphs.append(DATELINE.sub("", s))
    sentences: list[str] = []
    klue = root / KLUE
    if klue.is_file():
        data = klue.read_bytes()
        digest.update(b"klue\0" + data)
        for line in data.decode("utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                text = record.get("text", "").strip()
                if record.get("source") == "wikitree" and len(text) >= 20:
                    sentences.append(text)
    if not sentences:                   # without KLUE: split the sample paragraphs into sentences
        sentences = [s.strip() for p in paragraphs for s in re.split(r"(?<=다\.)\s+", p) if len(s.strip()) >= 20]
    headlines += [s[:s.find(" ", 24)] if s.find(" ", 24) > 0 else s[:40] for s in sentences[::7]]
    return Sources(tuple(paragraphs), tuple(sentences), tuple(h.strip() for h in headlines if h.strip()),
                   digest.hexdigest()[:16])


# --------------------------------------------------------------------------------------------
# Corpus: boilerplate
# --------------------------------------------------------------------------------------------

PUBLISHERS = (  # name, domain, agency (dateline style)
    ("연합뉴스", "yna.co.kr", True), ("뉴시스", "newsis.com", True), ("뉴스1", "news1.kr", True),
    ("한겨레", "hani.co.kr", False), ("경향신문", "khan.co.kr", False), ("한국일보", "hankookilbo.com", False),
    ("서울신문", "seoul.co.kr", False), ("전자신문", "etnews.com", False), ("포탈뉴스통신", "portalnews.co.kr", False),
    ("경제인투데이", "econotoday.co.kr", False), ("지디넷코리아", "zdnet.co.kr", False),
)
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = "민서지현우준도훈영수진아경호성은혜승태"
CITIES = ("서울", "인천", "수원", "춘천", "강릉", "청주", "대전", "세종", "전주", "광주", "목포", "대구", "안동",
          "포항", "울산", "부산", "창원", "제주", "동두천", "고창", "강화", "보은", "금산", "강진군")
SKIES = ("맑음", "흐림", "구름많음", "구름조금", "비", "", "")
WEEKDAYS = "월화수목금토일"
SECTIONS = ("정치", "경제", "사회", "국제", "문화", "생활", "스포츠", "연예", "IT/과학", "오피니언", "포토", "영상")
TAIL_LABELS = ("많이 본 뉴스", "실시간 뉴스", "주요뉴스", "최신뉴스", "인기기사", "관련기사", "경제핫이슈", "포토이슈")
PROMOS = (
    "▶ {pub} 뉴스레터 구독하기", "▶ 네이버에서 {pub} 채널 구독하기", "▶▶권력에 타협하지 않는 언론, {pub} [후원하기]",
    "▷ 제보는 카카오톡 okjebo", "☞ 오늘의 주요뉴스 바로가기", "▶ 지금 가장 많이 본 뉴스",
    "{pub} 뉴스레터 모아보기", "기사제보 및 보도자료 : press@{dom}", "▶ [기획] 누구나 한번은 1인가구가 된다",
)
COPYRIGHTS = (
    "ⓒ {pub}, 무단 전재 및 재배포 금지", "<저작권자(c) {pub}, 무단 전재-재배포, AI 학습 및 활용 금지>",
    "Copyright © {pub}. All rights reserved.", "저작권자 © {pub} 무단전재 및 재배포 금지",
    "Copyright ⓒ {pub} 무단 복제 및 재배포 금지",
)
DISCLAIMERS = ("이 기사의 카테고리는 언론사의 분류를 따릅니다.", "언론사는 한 기사를 두 개 이상의 카테고리로 분류할 수 있습니다.")
# The mix of every block of 20 documents (permuted per block): kind / encoding.
SCHEDULE = (("html", "utf-8"),) * 6 + (("html", "cp949"), ("html", "cp949-undeclared")) + \
           (("text", "utf-8"),) * 9 + (("text", "cp949"),) * 2 + (("text", "utf-8-sig"),)
SIDECARS_PER_BLOCK = 5


@dataclass
class Page:
    """One generated document before rendering."""
    title: str
    paragraphs: list[str]
    publisher: str
    domain: str
    agency: bool
    reporter: str
    published: datetime
    url: str


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def _weather(rng: random.Random, page: Page) -> list[str]:
    lines = [f"{page.published:%Y.%m.%d} ({WEEKDAYS[page.published.weekday()]})", ""]
    for city in rng.sample(CITIES, rng.randint(6, 17)):
        lines.append(f"  • {rng.choice(SKIES)}{city} {rng.uniform(-5, 30):.1f}℃")
    return lines


def _headline_list(rng: random.Random, src: Sources, page: Page) -> list[str]:
    first = rng.randint(10_000, 99_999)
    rows = ["번호 제목 글쓴이 날짜"]
    for k in range(rng.randint(5, 25)):
        rows.append(f"{first - k} {rng.choice(src.headlines)} {page.publisher} {page.published:%Y.%m.%d}")
    return rows


def _menu_tail(rng: random.Random, src: Sources) -> list[str]:
    lines: list[str] = []
    for label in rng.sample(TAIL_LABELS, rng.randint(2, 4)):
        lines += [label, ""]
        if rng.random() < 0.4:
            lines += [rng.choice(src.headlines), ""]
    return lines + ["더보기"]


def _fill(template: str, page: Page) -> str:
    return template.format(pub=page.publisher, dom=page.domain)


# --------------------------------------------------------------------------------------------
# Corpus: documents
# --------------------------------------------------------------------------------------------

@dataclass
class Document:
    path: str                 # relative to the corpus folder
    kind: str                 # html | text
    encoding: str             # utf-8 | utf-8-sig | cp949 | cp949-undeclared
    data: bytes
    sidecar: tuple[str, bytes] | None
    text: str                 # the article text a perfect cleaner returns (paragraphs joined by newlines)


CP949_LOOKALIKES = str.maketrans({"•": "·", "‧": "·", "\u00a0": " "})   # not in CP949: what such pages use


def _cp949_safe(text: str) -> str:
    return text.translate(CP949_LOOKALIKES).encode("cp949", errors="replace").decode("cp949")


def _encode(text: str, encoding: str) -> bytes:
    if encoding.startswith("cp949"):
        return text.translate(CP949_LOOKALIKES).encode("cp949", errors="replace")
    return text.encode(encoding)


def _paragraph(rng: random.Random, src: Sources, mode: str) -> str:
    if mode == "samples" or (mode == "mixed" and rng.random() < 0.4):
        return rng.choice(src.paragraphs)
    if mode == "short":
        return " ".join(rng.choice(src.sentences) for _ in range(rng.randint(1, 2)))
    return " ".join(rng.choice(src.sentences) for _ in range(rng.randint(2, 5)))


def _page(rng: random.Random, src: Sources, i: int) -> Page:
    publisher, domain, agency = rng.choice(PUBLISHERS)
    published = datetime(2023, 1, 1, 6) + (datetime(2025, 11, 30) - datetime(2023, 1, 1)) * rng.random()
    published = published.replace(second=0, microsecond=0)
    return Page(rng.choice(src.headlines), [], publisher, domain, agency, _name(rng), published,
                f"https://www.{domain}/news/article/{published:%Y%m%d}{i:07d}")


def _render_text(rng: random.Random, src: Sources, page: Page, plan: dict) -> str:
    lines: list[str] = []
    if plan["skip_link"]:
        lines += ["메뉴 건너뛰기", ""]
    if plan["weather"]:
        lines += _weather(rng, page) + [""]
    if plan["sections"]:
        lines += list(SECTIONS[: rng.randint(4, len(SECTIONS))]) + [""]
    lines += [page.title, "", ""]
    sep = [""] if plan["blank_between"] else []
    for k, para in enumerate(page.paragraphs):
        if k == 0 and page.agency and plan["dateline"]:
            para = f"(서울={page.publisher}) {page.reporter} 기자 = {para}"
        lines += [para] + sep
    if plan["byline"]:
        lines.append(f"{page.reporter} 기자 {plan['email']}")
    lines += [_fill(p, page) for p in plan["promos"]]
    if plan["copyright"]:
        lines.append(_fill(plan["copyright"], page))
    if plan["disclaimer"]:
        lines += list(DISCLAIMERS)
    if plan["tail"] == "headlines":
        lines += [""] + plan["tail_lines"]
    elif plan["tail"] == "menu":
        lines += ["", ""] + plan["tail_lines"]
    return "\n".join(lines) + "\n"


def _render_html(rng: random.Random, src: Sources, page: Page, plan: dict, charset: str | None) -> str:
    e = html.escape
    head = [f'<meta charset="{charset}">' if charset else "",
            f"<title>{e(page.title)} - {e(page.publisher)}</title>",
            f'<meta property="og:title" content="{e(page.title)}">',
            f'<meta property="og:site_name" content="{e(page.publisher)}">',
            f'<meta property="og:url" content="{e(page.url)}">']
    if plan["meta_date"]:
        head.append(f'<meta property="article:published_time" content="{page.published:%Y-%m-%dT%H:%M:00+09:00}">')
    if plan["byline"]:
        head.append(f'<meta name="author" content="{e(page.reporter)} 기자">')
    nav = "".join(f'<li><a href="/section/{k}">{e(s)}</a></li>' for k, s in enumerate(SECTIONS[: plan["n_sections"]]))
    body = [f'<header><a class="skip" href="#content">본문 바로가기</a><div class="logo"><a href="/">{e(page.publisher)}</a></div>',
            f'<nav class="gnb"><ul>{nav}</ul></nav>']
    if plan["weather"]:
        items = "".join(f"<li>{e(line.strip(' •'))}</li>" for line in _weather(rng, page)[2:])
        body.append(f'<div class="weather-widget"><span class="date">{page.published:%Y.%m.%d}</span><ul>{items}</ul></div>')
    body.append("</header>")
    body.append('<main id="content"><article class="news-article">')
    body.append(f'<h1 class="headline">{e(page.title)}</h1>')
    body.append(f'<div class="info"><span class="date">입력 {page.published:%Y.%m.%d %H:%M}</span></div>')
    for k, para in enumerate(page.paragraphs):
        if k == 0 and page.agency and plan["dateline"]:
            para = f"(서울={page.publisher}) {page.reporter} 기자 = {para}"
        body.append(f"<p>{e(para)}</p>")
        if k == 0 and plan["figure"]:
            body.append(f'<figure><img src="/photo/{page.published:%Y%m%d}_{rng.randint(1, 99999)}.jpg" alt="">'
                        f"<figcaption>{e(rng.choice(src.headlines))} {e(page.publisher)} 제공</figcaption></figure>")
    if plan["byline"]:
        body.append(f'<p class="byline">{e(page.reporter)} 기자 {e(plan["email"])}</p>')
    body += [f'<p class="promo">{e(_fill(p, page))}</p>' for p in plan["promos"]]
    body.append("</article>")
    if plan["tail"] == "headlines":
        rows = "".join(f'<li><a href="/news/{rng.randint(10_000, 99_999)}">{e(rng.choice(src.headlines))}</a></li>'
                       for _ in range(rng.randint(5, 12)))
        body.append(f'<aside class="popular"><h2>많이 본 뉴스</h2><ol>{rows}</ol></aside>')
    body.append("</main>")
    footer = [f"<p>{e(_fill(plan['copyright'], page))}</p>"] if plan["copyright"] else []
    footer.append(f'<ul class="footer-menu">{nav}</ul>')
    body.append(f"<footer>{''.join(footer)}</footer>")
    return ('<!DOCTYPE html>\n<html lang="ko">\n<head>\n' + "\n".join(h for h in head if h) + "\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _plan(rng: random.Random, src: Sources, page: Page, small: bool) -> dict:
    tail = rng.choices(("none", "headlines", "menu"), (5, 3, 2))[0] if not small else "none"
    return {
        "skip_link": rng.random() < 0.4 and not small, "weather": rng.random() < 0.3 and not small,
        "sections": rng.random() < 0.2 and not small, "blank_between": rng.random() < 0.6,
        "dateline": rng.random() < 0.7, "byline": rng.random() < 0.7,
        "email": f"{rng.choice('abcdhjkmsy')}{rng.randint(1, 999)}@{page.domain}",
        "promos": rng.sample(PROMOS, rng.randint(0, 3 if not small else 1)),
        "copyright": rng.choice(COPYRIGHTS) if rng.random() < 0.6 else None,
        "disclaimer": rng.random() < 0.15 and not small,
        "tail": tail,
        "tail_lines": _headline_list(rng, src, page) if tail == "headlines" else _menu_tail(rng, src) if tail == "menu" else [],
        "meta_date": rng.random() < 0.8, "figure": rng.random() < 0.3, "n_sections": rng.randint(5, len(SECTIONS)),
    }


def make_document(i: int, seed: int, src: Sources, small: bool = False) -> Document:
    """Document ``i`` of the corpus: a function of (seed, i, small, sources) only."""
    block = random.Random(f"bench:{GENERATOR_VERSION}:{seed}:block:{i // 20}")
    schedule = list(SCHEDULE)
    block.shuffle(schedule)
    with_sidecar = set(block.sample(range(20), SIDECARS_PER_BLOCK))
    rng = random.Random(f"bench:{GENERATOR_VERSION}:{seed}:doc:{i}:{small}")
    kind, encoding = ("text", "utf-8") if small else schedule[i % 20]
    sidecar = (i % 20 in with_sidecar) if not small else rng.random() < 0.1
    page = _page(rng, src, i)
    plan = _plan(rng, src, page, small)
    mode = rng.choice(("samples", "klue", "mixed", "mixed")) if not small else "short"
    if encoding.startswith("cp949"):
        page.title = _cp949_safe(page.title)
    low, high = (MIN_BYTES + 50, 1536) if small else (MIN_BYTES + 100, MAX_BYTES - 400)
    target = int(rng.triangular(low, high, low + (high - low) * 0.25))

    def render() -> str:
        if kind == "html":
            charset = {"utf-8": "utf-8", "cp949": "euc-kr"}.get(encoding)
            return _render_html(random.Random(f"{seed}:{i}:render"), src, page, plan, charset)
        return _render_text(random.Random(f"{seed}:{i}:render"), src, page, plan)

    def add() -> None:
        para = _paragraph(rng, src, mode)
        page.paragraphs.append(_cp949_safe(para) if encoding.startswith("cp949") else para)

    add()
    size = len(_encode(render(), encoding))
    per_char = 3 if not encoding.startswith("cp949") else 2
    while size < target:                # add paragraphs by estimate, then check with a real render
        while size < target:
            add()
            size += per_char * len(page.paragraphs[-1]) + 12
        size = len(_encode(render(), encoding))
    data = _encode(render(), encoding)
    while len(data) > MAX_BYTES and len(page.paragraphs) > 1:
        page.paragraphs.pop()
        data = _encode(render(), encoding)
    for _ in range(50):
        if len(data) >= MIN_BYTES:
            break
        add()
        data = _encode(render(), encoding)
    if not MIN_BYTES <= len(data) <= MAX_BYTES:           # a long paragraph can still overshoot: cut it
        page.paragraphs[-1] = page.paragraphs[-1][: max(40, len(page.paragraphs[-1]) // 2)]
        data = _encode(render(), encoding)
    if not MIN_BYTES <= len(data) <= MAX_BYTES:
        raise RuntimeError(f"document {i}: {len(data)} bytes, outside {MIN_BYTES}-{MAX_BYTES}")
    folder = f"{i // 1000:03d}"
    stem = f"doc{i:06d}"
    path = f"{folder}/{stem}.{'html' if kind == 'html' else 'txt'}"
    side = None
    if sidecar:
        meta = {"url": page.url, "publisher": page.publisher, "published": page.published.strftime("%Y-%m-%dT%H:%M:00+09:00"),
                "title": page.title}
        side_name = f"{folder}/{stem}.meta.json" if i % 2 else f"{path}.meta.json"
        side = (side_name, json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
    return Document(path, kind, encoding, data, side, "\n".join(page.paragraphs))


# --------------------------------------------------------------------------------------------
# Corpus: on disk, cached
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Corpus:
    path: Path                  # the input folder
    manifest: Path              # JSON Lines: path, kind, encoding, bytes, clean_chars, sidecar, text
    n_docs: int
    stats: dict


def write_corpus(dest: Path, n_docs: int, seed: int = DEFAULT_SEED, small: bool = False,
                 sources: Sources | None = None) -> list[dict]:
    """Write ``n_docs`` documents (and sidecars) under ``dest``; return the manifest rows."""
    src = sources or load_sources()
    dest.mkdir(parents=True, exist_ok=True)
    rows, seen = [], set()
    for i in range(n_docs):
        doc = make_document(i, seed, src, small)
        digest = hashlib.sha256(doc.data).digest()
        if digest in seen:          # the pipeline would reject a byte-identical copy as a duplicate
            raise RuntimeError(f"generator produced a duplicate document at {i}: change the seed")
        seen.add(digest)
        target = dest / doc.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(doc.data)
        if doc.sidecar:
            (dest / doc.sidecar[0]).write_bytes(doc.sidecar[1])
        rows.append({"path": doc.path, "kind": doc.kind, "encoding": doc.encoding, "bytes": len(doc.data),
                     "clean_chars": len(doc.text), "sidecar": doc.sidecar[0] if doc.sidecar else None,
                     "text": doc.text})
    return rows


def corpus_stats(rows: list[dict]) -> dict:
    return {"docs": len(rows), "html": sum(r["kind"] == "html" for r in rows),
            "text": sum(r["kind"] == "text" for r in rows),
            "cp949": sum(r["encoding"].startswith("cp949") for r in rows),
            "sidecars": sum(bool(r["sidecar"]) for r in rows), "bytes": sum(r["bytes"] for r in rows),
            "clean_chars": sum(r["clean_chars"] for r in rows),
            "min_bytes": min((r["bytes"] for r in rows), default=0),
            "max_bytes": max((r["bytes"] for r in rows), default=0)}


def ensure_corpus(cache: Path, n_docs: int, seed: int = DEFAULT_SEED, small: bool = False,
                  sources: Sources | None = None, log=print) -> Corpus:
    """The cached corpus of this size, built first when missing or stale."""
    src = sources or load_sources()
    base = cache / "corpus"
    name = f"v{GENERATOR_VERSION}-s{seed}-{'small' if small else 'mixed'}-n{n_docs}"
    path, manifest, stamp_path = base / name, base / f"{name}.jsonl", base / f"{name}.stamp.json"
    stamp = {"generator_version": GENERATOR_VERSION, "seed": seed, "n_docs": n_docs, "small": small,
             "sources": src.digest}
    try:
        if json.loads(stamp_path.read_text())["build"] == stamp and path.is_dir() and manifest.is_file():
            return Corpus(path, manifest, n_docs, json.loads(stamp_path.read_text())["stats"])
    except (OSError, ValueError, KeyError):
        pass
    stale = re.compile(rf"(\.building-)?v\d+-s{seed}-{'small' if small else 'mixed'}-n{n_docs}"
                       rf"(\.jsonl|\.stamp\.json|-\d+|-\d+\.jsonl)?")
    for old in base.glob("*") if base.is_dir() else ():   # this size of any generator version, half-built ones
        if stale.fullmatch(old.name):
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
    clock = time.perf_counter()
    tmp = base / f".building-{name}-{os.getpid()}"
    rows = write_corpus(tmp, n_docs, seed, small, src)
    stats = corpus_stats(rows)
    with open(f"{tmp}.jsonl", "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)
    os.replace(f"{tmp}.jsonl", manifest)
    stamp_path.write_text(json.dumps({"build": stamp, "stats": stats}, indent=1))
    log(f"built corpus {name}: {stats['docs']} docs, {stats['bytes'] / 1e6:.1f} MB in {time.perf_counter() - clock:.1f}s")
    return Corpus(path, manifest, n_docs, stats)


def read_manifest(corpus: Corpus) -> list[dict]:
    with open(corpus.manifest, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# --------------------------------------------------------------------------------------------
# Measurements: the child side (runs in a fresh interpreter)
# --------------------------------------------------------------------------------------------

def _max_rss() -> dict:
    import resource
    scale = 1 if sys.platform == "darwin" else 1024          # ru_maxrss: KiB on Linux, bytes on macOS
    return {"self_max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale,
            "children_max_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale}


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and its waited-for children so far."""
    import resource
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def child_floor(spec: dict) -> dict:
    import trafilatura
    from pipeline.decoding import decode
    from pipeline.nlp import get_kiwi

    options = _trafilatura_options()
    rows = read_manifest(Corpus(Path(spec["corpus"]), Path(spec["manifest"]), 0, {}))
    root = Path(spec["corpus"])
    pages = [decode((root / r["path"]).read_bytes(), html=True)[0] for r in rows if r["kind"] == "html"]
    texts = [r["text"] for r in rows]
    clock, cpu = time.perf_counter(), _cpu_s()
    kiwi = get_kiwi()
    kiwi_load = time.perf_counter() - clock
    clock = time.perf_counter()
    for page in pages:
        trafilatura.bare_extraction(page, **options)
    traf = time.perf_counter() - clock
    clock = time.perf_counter()
    tokens = sum(len(kiwi.tokenize(text)) for text in texts)
    tok = time.perf_counter() - clock
    return {"wall_s": kiwi_load + traf + tok, "cpu_s": _cpu_s() - cpu, "kiwi_load_s": kiwi_load,
            "trafilatura_s": traf, "kiwi_tokenize_s": tok, "n_html": len(pages), "n_texts": len(texts),
            "n_tokens": tokens, **_max_rss()}


def _trafilatura_options() -> dict:
    from pipeline import clean
    return dict(getattr(clean, "TRAFILATURA_OPTIONS", TRAFILATURA_OPTIONS))


def child_extract(spec: dict) -> dict:
    import logging

    from pipeline.runner import run_extract
    from pipeline.settings import Settings

    logging.getLogger("pipeline").setLevel(logging.WARNING)
    settings = Settings(workers=spec["workers"], engine="local", quiet=True)
    raw, out = Path(spec["corpus"]), Path(spec["out"])
    profiler = None
    gc_time = _time_gc_collect()
    if spec.get("profile"):
        profiler = _start_profiler()
    clock, cpu = time.perf_counter(), _cpu_s()
    report = run_extract(raw, out, settings)
    wall, cpu = time.perf_counter() - clock, _cpu_s() - cpu
    if profiler is not None:
        _stop_profiler(profiler, Path(spec["profile"]))
    reasons: dict[str, int] = {}
    try:                        # why inputs were rejected (outside the timed region)
        import pyarrow.dataset as ds
        if (out / "rejects").is_dir():
            for row in ds.dataset(out / "rejects", format="parquet").to_table(columns=["reason"]).to_pylist():
                reasons[row["reason"]] = reasons.get(row["reason"], 0) + 1
    except Exception as exc:    # the table's layout is the pipeline's business: never fail the measurement
        reasons = {"(unreadable)": repr(exc)}
    return {"wall_s": wall, "cpu_s": cpu, "n_seen": report.n_seen, "n_skipped": report.n_skipped,
            "n_processed": report.n_processed, "n_rejected": report.n_rejected, "reject_reasons": reasons, "elapsed_s": report.elapsed_s, "exit_status": report.exit_status,
            "rows_written": report.rows_written, "profiler": profiler[0] if profiler else None,
            "gc_collect_s": gc_time[0], "gc_collect_calls": gc_time[1], **_max_rss()}


def _time_gc_collect() -> list:
    """Count the time spent in explicit ``gc.collect()`` calls (trafilatura's reset_caches makes one per batch)."""
    import gc
    spent = [0.0, 0]
    collect = gc.collect

    def timed(*args, **kwargs):
        clock = time.perf_counter()
        try:
            return collect(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - clock
            spent[1] += 1
    gc.collect = timed
    return spent


def _start_profiler():
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        prof = cProfile.Profile()
        prof.enable()
        return ("cProfile", prof)
    prof = Profiler(interval=0.001)
    prof.start()
    return ("pyinstrument", prof)


def _stop_profiler(profiler, path: Path) -> None:
    kind, prof = profiler
    if kind == "cProfile":
        prof.disable()
        prof.dump_stats(str(path))
        return
    session = prof.stop()
    path.with_suffix(".txt").write_text(prof.output_text(unicode=True, color=False, show_all=False))
    try:
        summary = _pyinstrument_summary(session)
    except Exception as exc:        # an API change in pyinstrument: keep the text report
        summary = {"total_s": session.duration, "floor_s": 0.0, "self_beyond_floor": {}, "error": repr(exc)}
    path.with_suffix(".json").write_text(json.dumps(summary))


def _pyinstrument_summary(session) -> dict:
    """Self time per function outside the floor's subtrees, from pyinstrument's frame tree."""
    totals: dict[str, float] = {}
    floor = 0.0

    def walk(frame, in_floor: bool) -> None:
        nonlocal floor
        where = f"{getattr(frame, 'file_path', '') or ''}"
        name = f"{getattr(frame, 'function', '?')} ({_short(where)}:{getattr(frame, 'line_no', 0)})"
        is_floor = in_floor or _floor_entry((where, 0, getattr(frame, "function", "")))
        children = list(getattr(frame, "children", []))
        self_time = frame.time - sum(c.time for c in children)
        if is_floor and not in_floor:
            floor += frame.time
        if not is_floor:
            totals[name] = totals.get(name, 0.0) + self_time
        for child in children:
            walk(child, is_floor)

    root = session.root_frame()
    walk(root, False)
    return {"total_s": root.time, "floor_s": floor, "self_beyond_floor": totals}


# --------------------------------------------------------------------------------------------
# Measurements: the parent side
# --------------------------------------------------------------------------------------------

def _tree_rss(proc) -> int:
    import psutil
    total = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_child(kind: str, spec: dict, cache: Path) -> dict:
    """Run one measurement in a fresh interpreter; add the process wall time and peak RSS of its tree."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", dir=cache, delete=False) as tmp:
        result_path = Path(tmp.name)
    payload = json.dumps({"kind": kind, "result": str(result_path), **spec})
    load_before, code_before = _load(), code_digest()
    clock = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.bench", "--child", payload], cwd=str(ROOT))
    peak, sampled = 0, False
    try:
        import psutil
        watched = psutil.Process(proc.pid)
        sampled = True
        while proc.poll() is None:
            peak = max(peak, _tree_rss(watched))
            time.sleep(0.05)
    except ImportError:
        pass
    except Exception:           # psutil.NoSuchProcess: the child was already gone
        sampled = False
    rc = proc.wait()
    wall = time.perf_counter() - clock
    try:
        if rc != 0:
            raise RuntimeError(f"measurement {kind} failed with exit status {rc}")
        result = json.loads(result_path.read_text())
    finally:
        result_path.unlink(missing_ok=True)
    result["process_wall_s"] = wall
    result["load_avg_1min"] = {"before": load_before, "after": _load()}
    result["code_digest"] = code_before
    result["code_changed"] = code_digest() != code_before
    fallback = result.get("self_max_rss", 0) + result.get("children_max_rss", 0)
    result["peak_rss"] = peak if sampled and peak else fallback
    result["peak_rss_method"] = "psutil tree sum, sampled every 50 ms" if sampled and peak else \
        "getrusage max RSS self + largest child"
    return result


def code_digest() -> str:
    """Digest of the pipeline's code and rule data (bench.py excepted): a change mid-run spoils comparisons."""
    digest = hashlib.sha256()
    package = ROOT / "pipeline"
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.name != "bench.py" and "__pycache__" not in path.parts and not path.name.startswith("."):
            try:
                digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
            except OSError:
                pass
    return digest.hexdigest()[:16]


def _same_code(*results: dict) -> bool:
    return len({r["code_digest"] for r in results}) == 1 and not any(r["code_changed"] for r in results)


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def measure_extract(corpus: Corpus, workers: int, cache: Path, profile: Path | None = None) -> dict:
    work = Path(tempfile.mkdtemp(prefix="processed-", dir=cache / "work"))
    try:
        spec = {"corpus": str(corpus.path), "out": str(work), "workers": workers,
                "profile": str(profile) if profile else None}
        return run_child("extract", spec, cache)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure_incremental(corpus: Corpus, cache: Path, workers: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="incremental-", dir=cache / "work"))
    try:
        spec = {"corpus": str(corpus.path), "out": str(work), "workers": workers}
        first = run_child("extract", spec, cache)
        second = run_child("extract", spec, cache)
        return {"first": first, "second": second}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Profile summary
# --------------------------------------------------------------------------------------------

def _short(path: str) -> str:
    parts = Path(path).parts
    for anchor in ("site-packages", "pipeline", "lib"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[i + (anchor != "pipeline"):])
    return path


def _label(func) -> str:
    path, line, name = func
    return f"{name} ({_short(path)}:{line})" if path != "~" else name


def _floor_entry(func) -> bool:
    """The calls the floor makes: ``trafilatura.bare_extraction``, ``Kiwi.tokenize`` and loading Kiwi."""
    file, _, name = func
    parts = Path(file).parts
    return ((name == "bare_extraction" and "trafilatura" in parts) or (name == "tokenize" and "kiwipiepy" in parts)
            or (name == "get_kiwi" and "pipeline" in parts) or (file == "~" and "Kiwi." in name))


def _floor_wait(func) -> bool:
    """Kiwi's batch mode tokenises in its own thread; the main thread waits for it inside the generator
    ``KiwiTokenizer.pipe`` (iterating Kiwi's results is not a profiled call): its self time is floor."""
    file, _, name = func
    return name == "pipe" and Path(file).name == "nlp.py" and "pipeline" in Path(file).parts


def floor_shares(stats: dict, rounds: int = 60) -> dict:
    """For every profiled function, the share of its time spent on behalf of the floor's calls.

    A function's share is the cumulative-time-weighted share of its callers (1 for the floor's
    entry points), found by iterating over the call graph: ``gc.collect`` called by the pipeline's
    own ``reset_caches`` counts as pipeline time, ``re`` matching inside trafilatura as floor.
    """
    share = {func: 1.0 if _floor_entry(func) else 0.0 for func in stats}
    for _ in range(rounds):
        changed = 0.0
        for func, (_, _, _, _, callers) in stats.items():
            if _floor_entry(func) or not callers:
                continue
            weight = sum(v[3] for v in callers.values()) or sum(v[1] for v in callers.values()) or 1
            key = 3 if sum(v[3] for v in callers.values()) else 1
            value = sum(v[key] * share.get(caller, 0.0) for caller, v in callers.items()) / weight
            changed = max(changed, abs(value - share[func]))
            share[func] = value
        if changed < 1e-4:
            break
    return share


def _own_floor_share(func, share: dict) -> float:
    return 1.0 if _floor_wait(func) else share[func]


def summarise_cprofile(path: Path, top: int = 25) -> dict:
    """Time beyond the floor, by self time (anywhere) and by cumulative time (pipeline functions)."""
    import pstats

    stats = pstats.Stats(str(path)).stats          # func -> (cc, nc, tt, ct, callers)
    total = sum(tt for (_, _, tt, _, _) in stats.values())
    share = floor_shares(stats)
    floor = sum(tt * _own_floor_share(func, share) for func, (_, _, tt, _, _) in stats.items())
    beyond_self = sorted(((tt * (1 - _own_floor_share(func, share)), func) for func, (_, _, tt, _, _) in stats.items()),
                         reverse=True)
    pipeline_cum = sorted(((ct, nc, func) for func, (_, nc, _, ct, _) in stats.items()
                           if f"{os.sep}pipeline{os.sep}" in func[0] and "bench.py" not in func[0]), reverse=True)
    return {"total_s": total, "floor_s": floor,
            "self_beyond_floor": [{"function": _label(f), "self_s": round(t, 3)} for t, f in beyond_self[:top]],
            "pipeline_cumulative": [{"function": _label(f), "cum_s": round(t, 3), "calls": n}
                                    for t, n, f in pipeline_cum[:top]]}


def summarise_pyinstrument(path: Path, top: int = 25) -> dict:
    data = json.loads(path.with_suffix(".json").read_text())
    ranked = sorted(data["self_beyond_floor"].items(), key=lambda kv: kv[1], reverse=True)[:top]
    return {"total_s": data["total_s"], "floor_s": data["floor_s"],
            "self_beyond_floor": [{"function": k, "self_s": round(v, 3)} for k, v in ranked],
            "pipeline_cumulative": [], "text": str(path.with_suffix(".txt"))}


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def _rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("nan")


def _row(label: str, result: dict, docs: int, chars: int) -> dict:
    seconds, rss = result["wall_s"], result.get("peak_rss")
    return {"label": label, "wall_s": round(seconds, 3), "cpu_s": round(result.get("cpu_s", float("nan")), 2), "docs_per_s": round(_rate(docs, seconds), 2),
            "chars_per_s": round(_rate(chars, seconds)), "peak_rss_mb": round(rss / 2**20, 1) if rss else None}


def _verdict(value: float, goal: float, higher_is_better: bool = True) -> str:
    if value != value:      # NaN
        return "n/a"
    return "MET" if (value >= goal if higher_is_better else value <= goal) else "MISSED"


def print_table(results: dict, out=print) -> None:
    c = results["corpus"]
    out("")
    out(f"pipeline benchmark {results['measured_at']}  ({results['machine']['cpu_count']} cores, "
        f"Python {results['machine']['python']})")
    out(f"corpus: {c['docs']} docs ({c['html']} HTML, {c['text']} text, {c['cp949']} CP949, {c['sidecars']} sidecars), "
        f"{c['bytes'] / 1e6:.1f} MB, {c['clean_chars'] / 1e6:.2f} M clean chars, {c['min_bytes']}-{c['max_bytes']} bytes each")
    out("")
    out(f"{'measurement':<38}{'wall s':>9}{'CPU s':>9}{'docs/s':>10}{'chars/s':>11}{'peak RSS MB':>13}")
    for row in results["rows"]:
        rss = f"{row['peak_rss_mb']:.0f}" if row["peak_rss_mb"] else "-"
        out(f"{row['label']:<38}{row['wall_s']:>9.2f}{row['cpu_s']:>9.1f}{row['docs_per_s']:>10.1f}"
            f"{row['chars_per_s']:>11,.0f}{rss:>13}")
    floor = results.get("floor")
    if floor:
        out(f"  floor parts: Kiwi load {floor['kiwi_load_s']:.2f}s, trafilatura {floor['trafilatura_s']:.2f}s "
            f"({floor['n_html']} pages), Kiwi tokenise {floor['kiwi_tokenize_s']:.2f}s ({floor['n_texts']} texts)")
    inc = results.get("incremental")
    if inc:
        out(f"  incremental: first run {inc['first_wall_s']:.1f}s over {inc['n_inputs']} inputs "
            f"({inc['first_processed']} processed); re-run {inc['second_wall_s']:.2f}s in run_extract, "
            f"{inc['second_process_wall_s']:.2f}s with interpreter start ({inc['second_skipped']} unchanged)")
    growth = results.get("memory_growth")
    if growth:
        series = ", ".join(f"{p['docs']}: {p['peak_rss_mb']:.0f} MB" for p in growth["points"])
        out(f"  memory, 1 worker, by corpus size: {series}")
    rejected = results.get("rejected")
    if rejected and rejected["1"]:
        out(f"  rejected by the pipeline: {rejected['1']} of {c['docs']} ({rejected.get('reasons') or {}})")
    cpu = results.get("cpu_view")
    if cpu:
        out(f"  CPU-time view: pipeline ÷ floor {cpu['pipeline_over_floor']:.2f}; all cores use "
            f"{cpu['all_cores_cpu_over_one']:.2f}× the CPU time of 1 worker")
    if results.get("code_consistent") is False:
        out("  WARNING: the pipeline's code or rule data changed during this run (someone edited pipeline/): "
            "figures compare different code; ratios over changed code are marked INVALID. Run again.")
    inc = results.get("incremental")
    if inc and inc["second_skipped"] != inc["n_inputs"]:
        out(f"  WARNING: the re-run reprocessed {inc['second_processed']} inputs instead of skipping them all "
            f"(rules, settings or code changed between the two runs?): its time is not an incremental re-run")
    if results.get("busy_machine"):
        out("  note: other load on the machine before " + ", ".join(f"{k} (load {v})" for k, v in results["busy_machine"])
            + ": wall times may be inflated; compare the CPU column")
    out("")
    for ratio in results["ratios"]:
        value = ratio["value"]
        shown = f"{value:+.1%}" if ratio["name"] == "memory_growth" else f"{value:.2f}"
        goal = f"{'≤' if ratio['name'] in ('memory_growth', 'incremental_s') else '≥'} " + \
               (f"{ratio['goal']:+.0%}" if ratio["name"] == "memory_growth" else f"{ratio['goal']}")
        out(f"{ratio['label']:<44}{shown:>9}   goal {goal:<8} {ratio['verdict']}")
    out("")


def print_profile(summary: dict, out=print, top: int = 20) -> None:
    out(f"profile of a 1-worker run over {summary.get('docs', '?')} docs ({summary['profiler']}; "
        f"{summary['wall_s']:.1f}s under the profiler): "
        f"{summary['total_s']:.1f}s profiled, {summary['floor_s']:.1f}s on behalf of the floor's calls "
        f"(Kiwi.tokenize, trafilatura.bare_extraction), {summary['total_s'] - summary['floor_s']:.1f}s beyond the floor")
    out("  (a profiler slows Python code more than Kiwi's C++: the shares are indicative, the timings above are not profiled;"
        " cProfile sees the main thread only: Kiwi's batch thread shows as the main thread's wait in KiwiTokenizer.pipe)")
    if summary.get("same_code_as_measured") is False:
        out("  WARNING: the pipeline's code changed between the measurements and the profiled run")
    out("top functions beyond the floor, by self time:")
    for item in summary["self_beyond_floor"][:top]:
        out(f"  {item['self_s']:>8.2f}s  {item['function']}")
    gc_item = next((i for i in summary["self_beyond_floor"] if "gc.collect" in i["function"]), None)
    if gc_item and summary.get("gc_collect_unprofiled_s") is not None:
        out(f"  note: gc.collect (trafilatura's reset_caches, once per batch) took {gc_item['self_s']:.2f}s under the "
            f"profiler but {summary['gc_collect_unprofiled_s']:.2f}s in the unprofiled 1-worker run: the profiler "
            f"keeps objects alive")
    if summary.get("pipeline_cumulative"):
        out("pipeline functions by cumulative time (includes the floor work they call):")
        for item in summary["pipeline_cumulative"][:top]:
            out(f"  {item['cum_s']:>8.2f}s  {item.get('calls', ''):>8}×  {item['function']}")
    out("")


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def _sizes(text: str) -> list[int]:
    sizes = sorted({int(s) for s in text.replace(" ", "").split(",") if s})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("--sizes wants positive document counts, e.g. 500,2000,8000")
    return sizes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke test (tens of seconds)")
    p.add_argument("--docs", type=int, help="corpus size for the floor, 1-worker and all-cores runs (default 2000)")
    p.add_argument("--sizes", type=_sizes, help="corpus sizes for the memory growth, comma-separated "
                   "(default 500,2000,8000); the growth ratio compares the two largest")
    p.add_argument("--incremental", type=int, help="inputs for the incremental re-run (default 10000; 0 skips it)")
    p.add_argument("--skip-memory-growth", action="store_true", help="no extra 1-worker runs at the --sizes")
    p.add_argument("--profile", action="store_true", help="also profile a 1-worker run (pyinstrument, else cProfile)")
    p.add_argument("--profile-docs", type=int, default=500,
                   help="documents in the profiled run (the first N of the corpus; default 500: a profiler is slow)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="where corpora and results go (.bench-cache/)")
    p.add_argument("--strict", action="store_true", help="exit with status 1 when a goal is missed")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.docs = args.docs or 40
        args.sizes = args.sizes or [20, 40]
        args.incremental = 200 if args.incremental is None else args.incremental
    args.docs = args.docs or 2000
    args.sizes = args.sizes or [500, 2000, 8000]
    args.incremental = 10_000 if args.incremental is None else args.incremental
    return args


def _machine() -> dict:
    commit = None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        import psutil
        memory = psutil.virtual_memory().total
    except ImportError:
        memory = None
    return {"cpu_count": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "memory_bytes": memory, "commit": commit}


def run_bench(args: argparse.Namespace, out=print) -> dict:
    cache: Path = args.cache_dir.resolve()
    (cache / "work").mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    src = load_sources()
    corpus = ensure_corpus(cache, args.docs, args.seed, sources=src, log=out)
    stats = corpus.stats
    docs, chars = stats["docs"], stats["clean_chars"]
    results: dict = {"measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                     "machine": _machine(), "quick": args.quick, "seed": args.seed,
                     "generator_version": GENERATOR_VERSION, "corpus": stats, "rows": [], "ratios": [],
                     "goals": GOALS}

    out(f"(a) floor: Kiwi + trafilatura over {docs} docs ...")
    floor = run_child("floor", {"corpus": str(corpus.path), "manifest": str(corpus.manifest)}, cache)
    results["floor"] = floor
    out(f"(b) pipeline, 1 worker ...")
    one = measure_extract(corpus, 1, cache)
    out(f"(c) pipeline, {cores} workers ...")
    many = measure_extract(corpus, cores, cache)
    results["pipeline_1"], results["pipeline_all"] = one, many
    for result, label in ((one, "1 worker"), (many, f"{cores} workers")):
        if result["n_processed"] != docs:
            out(f"  warning: {label} processed {result['n_processed']} of {docs} inputs")
    results["rows"] += [
        _row("(a) floor: Kiwi + trafilatura", floor, docs, chars),
        _row("(b) pipeline, 1 worker", one, docs, chars),
        _row(f"(c) pipeline, {cores} workers", many, docs, chars),
    ]
    results["rejected"] = {"1": one["n_rejected"], "all": many["n_rejected"], "reasons": one.get("reject_reasons")}

    if args.incremental:
        small = ensure_corpus(cache, args.incremental, args.seed, small=True, sources=src, log=out)
        out(f"(d) incremental: first run over {args.incremental} inputs, then the re-run ...")
        inc = measure_incremental(small, cache, cores)
        first, second = inc["first"], inc["second"]
        results["incremental"] = {
            "n_inputs": args.incremental, "first_wall_s": first["wall_s"], "first_processed": first["n_processed"],
            "first_rejected": first["n_rejected"], "second_wall_s": second["wall_s"],
            "second_process_wall_s": second["process_wall_s"], "second_skipped": second["n_skipped"],
            "second_processed": second["n_processed"], "second_peak_rss": second["peak_rss"],
            "corpus": small.stats}
        results["rows"].append(_row(f"(d) re-run, nothing new ({args.incremental})", second,
                                    args.incremental, small.stats["clean_chars"]))

    points = [{"docs": docs, "peak_rss_mb": round(one["peak_rss"] / 2**20, 1), "wall_s": one["wall_s"], "result": one}]
    if not args.skip_memory_growth:
        for size in args.sizes:
            if size == docs:
                continue
            sized = ensure_corpus(cache, size, args.seed, sources=src, log=out)
            out(f"(e) memory: pipeline, 1 worker, {size} docs ...")
            r = measure_extract(sized, 1, cache)
            points.append({"docs": size, "peak_rss_mb": round(r["peak_rss"] / 2**20, 1), "wall_s": r["wall_s"],
                           "result": r})
            results["rows"].append(_row(f"(e) pipeline, 1 worker, {size} docs", r, size, sized.stats["clean_chars"]))
    points.sort(key=lambda p: p["docs"])
    results["memory_growth"] = {"points": [{k: v for k, v in p.items() if k != "result"} for p in points]}
    measured = [floor, one, many] + [p["result"] for p in points] + \
        ([inc["first"], inc["second"]] if args.incremental else [])
    results["code_consistent"] = _same_code(*measured)
    results["code_digests"] = sorted({r["code_digest"] for r in measured})

    ratios = results["ratios"]
    value = floor["wall_s"] / one["wall_s"]
    ratios.append({"name": "pipeline_over_floor", "label": "pipeline (1 worker) ÷ floor, throughput",
                   "value": value, "goal": GOALS["pipeline_over_floor"], "verdict": _verdict(value, GOALS["pipeline_over_floor"])})
    value = one["wall_s"] / many["wall_s"]
    goal = GOALS["all_cores_over_one"] if cores == 2 else round(0.85 * cores, 2)
    ratios.append({"name": "all_cores_over_one", "label": f"{cores} workers ÷ 1 worker, throughput",
                   "value": value, "goal": goal,
                   "verdict": (_verdict(value, goal) if _same_code(one, many) else "INVALID") if cores > 1 else "n/a"})
    results["cpu_view"] = {"pipeline_over_floor": floor["cpu_s"] / one["cpu_s"],
                           "all_cores_cpu_over_one": many["cpu_s"] / one["cpu_s"]}
    busy = [(k, v["load_avg_1min"]["before"]) for k, v in (("floor", floor), ("1 worker", one), (f"{cores} workers", many))
            if (v["load_avg_1min"]["before"] or 0) > 0.5]
    results["busy_machine"] = busy
    in_sizes = [p for p in points if p["docs"] in args.sizes]
    if len(in_sizes) >= 2:
        a, b = in_sizes[-2], in_sizes[-1]
        value = b["peak_rss_mb"] / a["peak_rss_mb"] - 1
        ratios.append({"name": "memory_growth", "label": f"peak RSS growth {a['docs']} → {b['docs']} docs",
                       "value": value, "goal": GOALS["memory_growth"],
                       "verdict": _verdict(value, GOALS["memory_growth"], higher_is_better=False)
                       if _same_code(a["result"], b["result"]) else "INVALID"})
    if args.incremental:
        value = results["incremental"]["second_wall_s"]
        valid = results["incremental"]["second_skipped"] == args.incremental and _same_code(inc["first"], inc["second"])
        ratios.append({"name": "incremental_s", "label": f"re-run over {args.incremental} unchanged inputs, s",
                       "value": value, "goal": GOALS["incremental_s"],
                       "verdict": _verdict(value, GOALS["incremental_s"], higher_is_better=False) if valid else "INVALID"})

    if args.profile:
        n_prof = min(args.profile_docs, docs)
        out(f"profile: pipeline, 1 worker, {n_prof} docs, under the profiler ...")
        prof_path = cache / "profile-1worker.pstats"
        prof_corpus = corpus if n_prof == docs else ensure_corpus(cache, n_prof, args.seed, sources=src, log=out)
        prof = measure_extract(prof_corpus, 1, cache, profile=prof_path)
        summary = summarise_pyinstrument(prof_path) if prof["profiler"] == "pyinstrument" else summarise_cprofile(prof_path)
        summary["profiler"] = prof["profiler"]
        summary["wall_s"] = prof["wall_s"]
        summary["docs"] = n_prof
        summary["same_code_as_measured"] = _same_code(one, prof)
        summary["unprofiled_wall_s"] = one["wall_s"]
        summary["gc_collect_unprofiled_s"] = one.get("gc_collect_s")
        results["profile"] = summary
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        result = {"floor": child_floor, "extract": child_extract}[spec["kind"]](spec)
        Path(spec["result"]).write_text(json.dumps(result, default=str))
        return 0
    results = run_bench(args)
    print_table(results)
    if "profile" in results:
        print_profile(results["profile"])
    name = "latest-quick.json" if args.quick else "latest.json"
    target = args.cache_dir.resolve() / name
    target.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))
    print(f"figures written to {target}")
    missed = [r["name"] for r in results["ratios"] if r["verdict"] == "MISSED"]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
