"""`pipeline fetch` against a real HTTP server on 127.0.0.1 (no other network): what lands in raw/, the counts,
robots.txt, retries, timeouts, redirects, conditional requests, and a second run that fetches nothing new."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.ingest.decoding import decode
from pipeline.ingest.fetch import HostGate, run_fetch
from pipeline.ingest.sources import SourcesError, load_sources
from pipeline.settings import Settings

KST = timezone(timedelta(hours=9))
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=KST)
BODY = "과학기술정보통신부는 22일 서울에서 열린 인공지능 정상회의에 참석했다고 밝혔다."
FAST = Settings(fetch_delay=0.0, fetch_timeout=1.0, fetch_retries=1, fetch_backoff=0.0, fetch_max_bytes=50_000,
                fetch_workers=4)


def _page(body: str, charset: str = "utf-8") -> bytes:
    return (f'<html><head><meta charset="{charset}"><title>정상회의</title></head>'
            f"<body><article><p>{body}</p></article></body></html>").encode(charset)


def _feed(base: str) -> bytes:
    items = [("utf8.html", "인공지능 정상회의 개막", "Mon, 30 Nov 2026 09:00:00 +0900"),
             ("euckr.html", "지역 언론 보도", "Mon, 30 Nov 2026 08:00:00 +0900"),
             ("slow.html", "느린 기사", None), ("missing.html", "없는 기사", None), ("flaky.html", "재시도 기사", None),
             ("../old/moved.html", "옮긴 기사", None), ("../private/secret.html", "비공개", None)]
    xml = "".join(f"<item><title>{t}</title><link>{base}/news/{p}</link>"
                  + (f"<pubDate>{d}</pubDate>" if d else "") + "</item>" for p, t, d in items)
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>예시</title>{xml}</channel></rss>'.encode()


def _sitemaps(base: str) -> dict[str, bytes]:
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
    index = f'<?xml version="1.0"?><sitemapindex {ns}><sitemap><loc>{base}/sitemap-news.xml</loc></sitemap></sitemapindex>'
    news = (f'<?xml version="1.0"?><urlset {ns}><url><loc>{base}/news/from-sitemap.html</loc><news:news>'
            "<news:publication_date>2026-11-29T18:30:00+09:00</news:publication_date><news:title>사이트맵 기사</news:title>"
            f"</news:news></url><url><loc>{base}/news/utf8.html</loc></url></urlset>")
    return {"/sitemap.xml": index.encode(), "/sitemap-news.xml": news.encode()}


class Site(BaseHTTPRequestHandler):
    routes: dict = {}
    log: list = []
    hits: Counter = Counter()

    def log_message(self, *args):      # keep pytest output quiet
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", **headers) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        Site.log.append((path, dict(self.headers)))
        Site.hits[path] += 1
        if path == "/news/slow.html":
            time.sleep(2.5)
            return self._send(200, _page(BODY))
        if path == "/news/flaky.html" and Site.hits[path] == 1:
            return self._send(500, b"busy")
        if path == "/old/moved.html":
            return self._send(301, b"", Location="/news/moved.html")
        if path == "/old/again.html":             # a second address of a page fetched before
            return self._send(301, b"", Location="/news/utf8.html")
        if path == "/old/hidden.html":            # a redirect into the path robots.txt forbids
            return self._send(302, b"", Location="/private/hidden.html")
        if path in ("/feed.xml", "/sitemap.xml", "/sitemap-news.xml"):
            if self.headers.get("If-None-Match") == '"v1"':
                return self._send(304)
            return self._send(200, Site.routes[path], "application/xml", ETag='"v1"')
        if path in Site.routes:
            body, ctype = Site.routes[path]
            return self._send(200, body, ctype)
        return self._send(404, b"not found")


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):      # the client gave up on the slow page: expected
        pass


@pytest.fixture()
def site(tmp_path):
    server = Server(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    Site.log, Site.hits = [], Counter()
    Site.routes = {
        "/robots.txt": (b"User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/feed.xml": _feed(base), **_sitemaps(base),
        "/news/utf8.html": (_page(BODY), "text/html; charset=utf-8"),
        "/news/euckr.html": (_page(BODY, "euc-kr"), "text/html; charset=euc-kr"),
        "/news/flaky.html": (_page(BODY + " 재시도"), "text/html"),
        "/news/moved.html": (_page(BODY + " 이동"), "text/html"),
        "/news/from-sitemap.html": (_page(BODY + " 사이트맵"), "text/html"),
        "/news/listed.txt": (BODY.encode(), "text/plain; charset=utf-8"),
        "/news/huge.html": (b"<html>" + b"x" * 60_000 + b"</html>", "text/html"),
        "/private/secret.html": (_page("비공개"), "text/html"),
        "/broken-sitemap.xml": (b"<html><body>Service temporarily unavailable</body></html>", "text/html"),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[publisher]]\nname = "example"\nfeeds = ["{base}/feed.xml"]\n'
                       f'sitemaps = ["{base}/sitemap.xml", "{base}/broken-sitemap.xml"]\npages = ["{base}/news/listed.txt", "{base}/news/huge.html", "{base}/old/hidden.html"]\n',
                       encoding="utf-8")
    yield base, sources
    server.shutdown()
    server.server_close()


def _saved(raw: Path) -> dict[str, dict]:
    """url -> sidecar, for every page saved under raw/."""
    return {json.loads(p.read_text(encoding="utf-8"))["url"]: json.loads(p.read_text(encoding="utf-8"))
            for p in raw.rglob("*.meta.json")}


def test_fetch_saves_new_pages_politely_and_counts_everything(site, tmp_path):
    base, sources = site
    raw = tmp_path / "raw"
    report = run_fetch(sources, raw, FAST, now=lambda: NOW)
    saved = _saved(raw)
    assert sorted(saved) == sorted(f"{base}/news/{n}" for n in
                                   ("utf8.html", "euckr.html", "flaky.html", "moved.html", "from-sitemap.html",
                                    "listed.txt"))
    meta = saved[f"{base}/news/utf8.html"]
    assert meta["publisher"] == "example" and meta["status"] == 200 and meta["fetched_at"] == NOW.isoformat()
    assert meta["title"] == "인공지능 정상회의 개막" and meta["published"] == "2026-11-30T09:00:00+09:00"
    assert saved[f"{base}/news/from-sitemap.html"]["title"] == "사이트맵 기사"
    assert saved[f"{base}/news/moved.html"]["requested_url"] == f"{base}/old/moved.html"
    folder = raw / "example" / "2026-11-30"
    assert {p.parent for p in raw.rglob("*.html")} == {folder}
    assert [p.name for p in folder.glob("*.txt")][0].startswith("listed-")
    euckr = next(p for p in folder.glob("euckr-*.html"))
    assert euckr.read_bytes() == _page(BODY, "euc-kr") and BODY in decode(euckr.read_bytes(), html=True)[0]
    assert not any(p.startswith("/private/") for p in Site.hits) and Site.hits["/robots.txt"] == 1
    c = report.counts
    assert (c["saved"], c["gone"], c["disallowed"], c["known"]) == (6, 1, 1, 0)
    assert report.failures == Counter({"timeout": 1, "too_large": 1, "disallowed": 1, "unparseable": 1})
    assert c["retries"] >= 1 and Site.hits["/news/flaky.html"] == 2 and report.exit_status == 0
    assert "6 saved" in report.summary() and "4 failed (disallowed 1, timeout 1, too_large 1, unparseable 1)" in report.summary()
    assert not list(raw.rglob("*.tmp"))


def test_second_fetch_fetches_nothing_new(site, tmp_path):
    base, sources = site
    raw = tmp_path / "raw"
    run_fetch(sources, raw, FAST, now=lambda: NOW)
    files = sorted(p.relative_to(raw) for p in raw.rglob("*"))
    first = Counter(path for path, _ in Site.log)
    Site.log = []
    sources.write_text(sources.read_text(encoding="utf-8").replace('pages = [', f'pages = ["{base}/old/again.html", '),
                       encoding="utf-8")
    report = run_fetch(sources, raw, FAST, now=lambda: NOW + timedelta(days=1))
    assert report.counts["saved"] == 0 and sorted(p.relative_to(raw) for p in raw.rglob("*")) == files
    again = Counter(path for path, _ in Site.log)
    assert again["/feed.xml"] == 1 and report.counts["sources_unchanged"] == 3      # feed + 2 sitemaps: 304
    feed_headers = next(h for p, h in Site.log if p == "/feed.xml")
    assert feed_headers.get("If-None-Match") == '"v1"'
    pages = {p for p in again if p.startswith("/news/")}
    assert pages == {"/news/slow.html", "/news/huge.html"}      # only the failed ones are tried again
    assert again["/old/again.html"] == 1 and "/news/utf8.html" not in again     # a redirect to a known page
    state = json.loads((raw / ".fetch-state.json").read_text(encoding="utf-8"))
    assert state["fetched"][f"{base}/old/again.html"] == state["fetched"][f"{base}/news/utf8.html"]
    assert first["/news/missing.html"] == 1 and "/news/missing.html" not in again   # a 404 is not asked again
    state = json.loads((raw / ".fetch-state.json").read_text(encoding="utf-8"))
    assert state["pending"][f"{base}/news/slow.html"]["attempts"] == 2


def test_cli_fetch_exit_codes(site, tmp_path):
    base, sources = site
    raw = tmp_path / "raw"
    assert main(["fetch", str(sources), str(raw), "--delay", "0", "--timeout", "1.0", "--retries", "0",
                 "--max-page-bytes", "50000", "--quiet"]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('[[publisher]]\nname = "../up"\nfeeds = ["ftp://x"]\n', encoding="utf-8")
    assert main(["fetch", str(bad), str(raw)]) == 2
    assert main(["fetch", str(tmp_path / "absent.toml"), str(raw)]) == 2
    assert main(["run", str(bad), str(raw), str(tmp_path / "processed")]) == 2
    assert not (tmp_path / "processed").exists()                      # nothing extracted after a usage error


def test_no_answer_at_all_exits_1(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[publisher]]\nname = "down"\npages = ["http://127.0.0.1:9/a.html"]\n', encoding="utf-8")
    report = run_fetch(sources, tmp_path / "raw", FAST, now=lambda: NOW)
    assert report.exit_status == 1 and report.counts["saved"] == 0


@pytest.mark.parametrize("text, message", [
    ('[[publisher]]\nname = "a"\nfeeds = "https://x/rss"\n', "must be a list"),
    ('[[publisher]]\nname = "a b"\n', "folder name"),
    ('[[publisher]]\nname = "a"\nfeed = []\n', "unknown keys"),
    ('[[publisher]]\nname = "a"\n[[publisher]]\nname = "a"\n', "repeat"),
    ("name = 'a'\n", "no [[publisher]]"),
    ("[[publisher]\n", "not valid TOML"),
])
def test_bad_sources_files_are_named(tmp_path, text, message):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError, match=message.replace("[", r"\[")):
        load_sources(path)


def test_example_sources_file_is_valid():
    example = Path(__file__).resolve().parent.parent / "sources.example.toml"
    publishers = load_sources(example)
    assert len(publishers) >= 3 and all(p.feeds for p in publishers)


def test_host_gate_spaces_requests():
    gate, starts = HostGate(delay=0.15, limit=2), []

    def hit():
        with gate.slot():
            starts.append(time.monotonic())
    threads = [threading.Thread(target=hit) for _ in range(3)]
    before = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(starts) == 3 and max(starts) - before >= 2 * 0.15 - 0.005     # the third waits two delays


def test_pipeline_run_fetches_then_extracts(site, tmp_path):
    base, sources = site
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    code = main(["run", str(sources), str(raw), str(processed), "--delay", "0", "--timeout", "1.0", "--retries", "0",
                 "--max-page-bytes", "50000", "--workers", "1", "--quiet"])
    assert code == 0
    import pandas as pd
    articles = pd.read_parquet(processed / "articles")
    assert f"{base}/news/utf8.html" in set(articles.url) and set(articles.publisher) >= {"example"}
    assert all(p.startswith("example/") for p in articles.source_path)


def test_atom_feed_and_gzipped_sitemap_parse():
    import gzip

    from pipeline.ingest.sources import feed_candidates, sitemap_candidates

    atom = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>예시</title>'
            '<entry><title>정책 브리핑</title><link href="/a/1.html"/><published>2026-11-29T23:10:00Z</published>'
            '</entry></feed>').encode()
    [entry] = feed_candidates(atom, "https://example.org/atom.xml", "p")
    assert (entry.url, entry.title, entry.published) == ("https://example.org/a/1.html", "정책 브리핑",
                                                         "2026-11-29T23:10:00+00:00")
    sitemap = gzip.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                            b"<url><loc>https://example.org/b#top</loc><lastmod>2026-11-28</lastmod></url></urlset>")
    pages, children = sitemap_candidates(sitemap, "https://example.org/sitemap.xml.gz", "p")
    assert [(c.url, c.published) for c in pages] == [("https://example.org/b", "2026-11-28T00:00:00")] and not children
    with pytest.raises(ValueError):
        sitemap_candidates(b"", "https://example.org/s.xml", "p")
    with pytest.raises(ValueError):
        feed_candidates(b"<html><body>oops</body></html>", "https://example.org/rss", "p")


def test_one_fetch_at_a_time_per_state_file(tmp_path):
    from pipeline.ingest.fetch import FetchLocked, state_lock

    sources = tmp_path / "sources.toml"
    sources.write_text('[[publisher]]\nname = "p"\npages = ["http://127.0.0.1:9/a.html"]\n', encoding="utf-8")
    raw = tmp_path / "raw"
    with state_lock(raw / ".fetch-state.json"):
        with pytest.raises(FetchLocked):
            run_fetch(sources, raw, FAST)
        assert main(["fetch", str(sources), str(raw), "--quiet"]) == 75
    assert run_fetch(sources, raw, FAST).counts["publishers"] == 1       # free again once released
