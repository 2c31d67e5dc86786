"""The bench corpus, generated reproducibly (fixed seed; document ``i`` depends only on the seed, ``i`` and the
source texts, so a small corpus is a prefix of a larger one) from the shipped samples in ``raw/`` and the
news sentences of ``tests/data/eval/klue_ner_dev_A.jsonl``, wrapped in varied boilerplate (weather
widgets, headline lists, menus, promos, copyright lines), as text dumps and HTML pages, some
CP949-encoded, some with ``NAME.meta.json`` sidecars. Cached in ``.bench-cache/corpus/`` and rebuilt
when missing, when ``GENERATOR_VERSION`` changes, or when the source texts change.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import random
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

GENERATOR_VERSION = 1          # bump when the generator's output changes: cached corpora are rebuilt
DEFAULT_SEED = 20240522
ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CACHE = ROOT / ".bench-cache"
KLUE = Path("tests") / "data" / "eval" / "klue_ner_dev_A.jsonl"
MIN_BYTES, MAX_BYTES = 1024, 15 * 1024

GOALS = {"pipeline_over_floor": 0.8, "all_cores_over_one": 1.6, "cpu_over_floor": 1.3, "memory_growth": 0.20,
         "incremental_s": 2.0, "startup_s": 3.0, "default_over_best": 0.95}
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


