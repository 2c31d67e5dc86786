"""``pipeline fetch SOURCES.toml raw/``: the nightly crawl that fills raw/.

Finds article URLs in each publisher's feeds, sitemaps and page lists (``sources``), and saves each new page
as ``raw/<publisher>/<YYYY-MM-DD>/NAME.html`` with a ``NAME.meta.json`` sidecar (url, publisher, fetched_at,
status, the feed's published date and title). Polite: robots.txt obeyed (and its Crawl-delay), a delay and a
concurrency limit per host, retries with backoff (urllib3), conditional requests for feeds and sitemaps
(ETag / Last-Modified), a size limit. A state file (``raw/.fetch-state.json``, written atomically) remembers
what was fetched, so no URL is fetched twice; pages that failed are tried again on later runs.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import urllib3

from pipeline.exits import Busy
from pipeline.settings import Settings
from .sources import Candidate, Publisher, feed_candidates, load_sources, normalize, sitemap_candidates

log = logging.getLogger("pipeline")

STATE_NAME = ".fetch-state.json"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
GONE_STATUS = frozenset({404, 410})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
MAX_SITEMAPS = 50              # sitemaps read per publisher and run, index children included
MAX_CRAWL_DELAY = 60.0         # a robots.txt Crawl-delay above this is capped
SAVE_EVERY = 50                # pages between two writes of the state file
EXIT_OK, EXIT_FAILED = 0, 1


class FetchLocked(Busy):
    """Another fetch holds this state file (exit code 75, as for a locked extract)."""


@contextmanager
def state_lock(state_path: Path):
    """One fetch at a time per state file: an advisory lock on STATE.lock, released when the process ends."""
    import fcntl

    state_path.parent.mkdir(parents=True, exist_ok=True)
    with open(state_path.with_name(state_path.name + ".lock"), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise FetchLocked(f"another fetch is using {state_path}") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class FetchError(Exception):
    """A request that got no usable answer: kind is timeout, connection, too_large, redirects or error."""

    def __init__(self, kind: str, detail: str):
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail


@dataclass(frozen=True)
class Response:
    url: str                   # after redirects
    status: int
    headers: dict
    body: bytes


class HostGate:
    """At most ``limit`` requests in flight to one host, each starting ``delay`` seconds after the previous one."""

    def __init__(self, delay: float, limit: int):
        self.delay, self._slots, self._lock, self._next = delay, threading.Semaphore(max(limit, 1)), threading.Lock(), 0.0

    @contextmanager
    def slot(self):
        with self._slots:
            with self._lock:
                start = max(self._next, time.monotonic())
                self._next = start + self.delay
            time.sleep(max(start - time.monotonic(), 0.0))
            yield


def _failure_kind(reason: Exception | None) -> str:
    from urllib3.exceptions import NewConnectionError, ProtocolError, ResponseError, TimeoutError as Timeout

    if isinstance(reason, Timeout):
        return "timeout"
    if isinstance(reason, (NewConnectionError, ProtocolError)):
        return "connection"
    if isinstance(reason, ResponseError) and "redirect" in str(reason):
        return "redirects"
    return "error"


class Client:
    """urllib3 with per-host gates, robots.txt and a size limit; thread-safe."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.pool = urllib3.PoolManager(num_pools=128, maxsize=max(settings.fetch_per_host, 1),
                                        headers={"User-Agent": settings.user_agent})
        self._lock = threading.Lock()
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, tuple[threading.Lock, list]] = {}
        self.requests = self.answered = self.retries = 0

    def gate(self, url: str) -> HostGate:
        with self._lock:
            host = urlsplit(url).netloc.lower()
            if host not in self._gates:
                self._gates[host] = HostGate(self.settings.fetch_delay, self.settings.fetch_per_host)
            return self._gates[host]

    def get(self, url: str, headers: dict | None = None, known: Callable[[str], bool] = lambda u: False) -> Response:
        """GET with redirects followed one hop at a time, each hop through its host's gate and robots.txt;
        a redirect to a ``known`` URL is not followed (the response is the redirect, its url the target)."""
        for _ in range(MAX_REDIRECTS + 1):
            resp = self._get_once(url, headers)
            location = resp.headers.get("Location")
            if resp.status not in REDIRECT_STATUS or not location:
                return resp
            target = normalize(urljoin(url, location))
            if known(target):
                return Response(target, resp.status, resp.headers, b"")
            if not self.allowed(target):
                raise FetchError("disallowed", f"redirected to {target}, which robots.txt forbids")
            url, headers = target, None
        raise FetchError("redirects", f"more than {MAX_REDIRECTS} redirects")

    def _get_once(self, url: str, headers: dict | None) -> Response:
        s = self.settings
        retry = urllib3.Retry(total=s.fetch_retries, backoff_factor=s.fetch_backoff, status_forcelist=RETRY_STATUS,
                              allowed_methods=frozenset({"GET"}), redirect=False, raise_on_status=False)
        with self.gate(url).slot():
            with self._lock:
                self.requests += 1
            try:
                resp = self.pool.request("GET", url, headers=headers, retries=retry, preload_content=False,
                                         redirect=False,
                                         timeout=urllib3.Timeout(connect=s.fetch_timeout, read=s.fetch_timeout))
            except urllib3.exceptions.MaxRetryError as exc:
                raise FetchError(_failure_kind(exc.reason), str(exc.reason)) from exc
            except urllib3.exceptions.HTTPError as exc:
                raise FetchError(_failure_kind(exc), str(exc)) from exc
            try:
                body = self._read(resp)
            finally:
                resp.release_conn()
        with self._lock:
            self.retries += len(resp.retries.history) if resp.retries else 0
            self.answered += resp.status < 500
        return Response(url, resp.status, dict(resp.headers), body)

    def _read(self, resp) -> bytes:
        limit = self.settings.fetch_max_bytes
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError("too_large", f"Content-Length {declared} over the limit of {limit} bytes")
        chunks, size = [], 0
        try:
            for chunk in resp.stream(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise FetchError("too_large", f"over the limit of {limit} bytes")
                chunks.append(chunk)
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(_failure_kind(exc), str(exc)) from exc
        return b"".join(chunks)

    def allowed(self, url: str) -> bool:
        """robots.txt says this URL may be fetched (read once per host and run)."""
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            lock, holder = self._robots.setdefault(base, (threading.Lock(), []))
        with lock:
            if not holder:
                holder.append(self._read_robots(base))
        return holder[0].can_fetch(self.settings.user_agent, url)

    def _read_robots(self, base: str) -> RobotFileParser:
        parser = RobotFileParser(base + "/robots.txt")
        try:
            resp = self.get(base + "/robots.txt")
        except FetchError as exc:
            log.warning("robots.txt of %s unreadable (%s): nothing fetched from this host in this run", base, exc)
            parser.disallow_all = True
            return parser
        if resp.status == 200:
            parser.parse(resp.body.decode("utf-8", "replace").splitlines())
            delay = parser.crawl_delay(self.settings.user_agent)
            if delay:
                self.gate(base).delay = max(self.settings.fetch_delay, min(float(delay), MAX_CRAWL_DELAY))
        elif resp.status in (401, 403) or resp.status >= 500:
            parser.disallow_all = True
        else:
            parser.allow_all = True
        return parser


class State:
    """What earlier runs fetched, gave up, and still owe; plus the feeds' validators. One JSON file."""

    def __init__(self, path: Path, max_attempts: int = 5):
        self.path, self.max_attempts, self._lock = Path(path), max_attempts, threading.Lock()
        self.data = {"fetched": {}, "gone": {}, "pending": {}, "validators": {}, "children": {}}
        if self.path.exists():
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise RuntimeError(f"fetch state {self.path} unreadable ({exc}); move it away to start afresh") from exc
            if not isinstance(loaded, dict):
                raise RuntimeError(f"fetch state {self.path} is not a JSON object")
            self.data.update({k: v for k, v in loaded.items() if k in self.data and isinstance(v, dict)})

    def known(self, url: str) -> bool:
        return url in self.data["fetched"] or url in self.data["gone"]

    def update(self, section: str, url: str, value: dict | None) -> None:
        with self._lock:
            if value is None:
                self.data[section].pop(url, None)
            else:
                self.data[section][url] = value

    def get(self, section: str, url: str) -> dict:
        with self._lock:
            return dict(self.data[section].get(url, {}))

    def save(self) -> None:
        with self._lock:
            text = json.dumps(self.data, ensure_ascii=False, indent=1, sort_keys=True)
        atomic_write(self.path, text.encode("utf-8"))


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class FetchReport:
    counts: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    elapsed_s: float = 0.0
    exit_status: int = EXIT_OK
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counts[key] += n

    def fail(self, kind: str, url: str, detail: str = "") -> None:
        with self._lock:
            self.failures[kind] += 1
        log.warning("fetch failed (%s): %s%s", kind, url, f": {detail}" if detail else "")

    def summary(self) -> str:
        c = self.counts
        failed = ", ".join(f"{k} {v}" for k, v in sorted(self.failures.items()))
        return (f"fetch: {c['publishers']} publishers, {c['sources_read']} feeds/sitemaps read "
                f"({c['sources_unchanged']} unchanged), {c['found']} URLs found, {c['known']} already fetched, "
                f"{c['saved']} saved, {c['gone']} gone (404/410), {c['disallowed']} disallowed by robots.txt, "
                f"{c['deferred']} deferred, {sum(self.failures.values())} failed{f' ({failed})' if failed else ''}, "
                f"{c['retries']} retries; {self.elapsed_s:.1f}s")


def _conditional(state: State, url: str) -> dict:
    seen = state.get("validators", url)
    headers = {"If-None-Match": seen.get("etag"), "If-Modified-Since": seen.get("last_modified")}
    return {k: v for k, v in headers.items() if v}


def read_source(client: Client, state: State, url: str, report: FetchReport) -> bytes | None:
    """A feed or sitemap, asked conditionally; None when unchanged, forbidden or failed."""
    if not client.allowed(url):
        report.add("disallowed")
        log.info("robots.txt forbids %s", url)
        return None
    try:
        resp = client.get(url, _conditional(state, url))
    except FetchError as exc:
        report.fail(exc.kind, url, exc.detail)
        return None
    if resp.status == 304:
        report.add("sources_unchanged")
        return None
    if resp.status != 200:
        report.fail(f"http_{resp.status}", url)
        return None
    validators = {"etag": resp.headers.get("ETag"), "last_modified": resp.headers.get("Last-Modified")}
    state.update("validators", url, {k: v for k, v in validators.items() if v} or None)
    report.add("sources_read")
    return resp.body


def _parsed(parse, body: bytes, url: str, publisher: str, report: FetchReport):
    """A feed or sitemap parsed; one that is not (an HTML error page, an empty body) is a counted failure."""
    try:
        return parse(body, url, publisher)
    except Exception as exc:            # lxml and feedparser raise many kinds; any of them means: unusable
        report.fail("unparseable", url, f"{type(exc).__name__}: {exc}")
        return None


def discover(client: Client, state: State, pub: Publisher, report: FetchReport) -> list[Candidate]:
    """Every article URL the publisher's feeds, sitemaps and page list name now."""
    found: list[Candidate] = []
    for url in pub.feeds:
        body = read_source(client, state, url, report)
        found += (_parsed(feed_candidates, body, url, pub.name, report) or []) if body is not None else []
    queue, seen = list(pub.sitemaps), set()
    while queue and len(seen) < MAX_SITEMAPS:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        body = read_source(client, state, url, report)
        if body is None:             # unchanged or failed: an index's children may still have changed
            queue += state.get("children", url).get("urls", [])
            continue
        pages, children = _parsed(sitemap_candidates, body, url, pub.name, report) or ([], [])
        found += pages
        queue += children
        state.update("children", url, {"urls": children} if children else None)
    return found + [Candidate(normalize(url), pub.name) for url in pub.pages]


def _slug(url: str) -> str:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", segments[-1]) if segments else ""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:40] or "page"


def save_page(raw: Path, cand: Candidate, resp: Response, fetched_at: datetime) -> Path:
    """Write the page and its sidecar under raw/<publisher>/<date>/; returns the page's path."""
    kind = "text/plain" in resp.headers.get("Content-Type", "").lower()
    name = f"{_slug(resp.url)}-{hashlib.sha256(cand.url.encode()).hexdigest()[:10]}"
    folder = raw / cand.publisher / fetched_at.date().isoformat()
    page = folder / (name + (".txt" if kind else ".html"))
    meta = {"url": resp.url, "requested_url": cand.url if cand.url != resp.url else None, "publisher": cand.publisher,
            "fetched_at": fetched_at.isoformat(timespec="seconds"), "status": resp.status,
            "published": cand.published, "title": cand.title, "content_type": resp.headers.get("Content-Type")}
    atomic_write(page, resp.body)
    atomic_write(folder / (name + ".meta.json"),
                 json.dumps({k: v for k, v in meta.items() if v is not None}, ensure_ascii=False, indent=1).encode())
    return page


def download(client: Client, state: State, raw: Path, cand: Candidate, report: FetchReport,
             now: Callable[[], datetime]) -> None:
    """Fetch one candidate and record the outcome: saved, gone, disallowed, or failed (to be tried again)."""
    if not client.allowed(cand.url):
        report.add("disallowed")
        log.info("robots.txt forbids %s", cand.url)
        return
    detail = ""
    try:
        resp = client.get(cand.url, known=state.known)
        kind = None if 200 <= resp.status < 300 else f"http_{resp.status}"
    except FetchError as exc:
        resp, kind, detail = None, exc.kind, exc.detail
    if resp is not None and resp.url != cand.url and state.known(resp.url):      # redirected to a page we have
        report.add("known")
        state.update("fetched", cand.url, state.get("fetched", resp.url) or state.get("gone", resp.url))
        state.update("pending", cand.url, None)
    elif resp is not None and resp.status in GONE_STATUS:
        report.add("gone")
        log.info("gone (%d): %s", resp.status, cand.url)
        state.update("gone", cand.url, {"status": resp.status, "at": now().isoformat(timespec="seconds")})
        state.update("pending", cand.url, None)
    elif kind is not None:
        report.fail(kind, cand.url, detail)
        _failed(state, cand, kind, now)
    else:
        page = save_page(raw, cand, resp, now())
        report.add("saved")
        record = {"path": page.relative_to(raw).as_posix(), "status": resp.status,
                  "at": now().isoformat(timespec="seconds")}
        for url in {cand.url, resp.url}:
            state.update("fetched", url, record)
        state.update("pending", cand.url, None)


def _failed(state: State, cand: Candidate, kind: str, now: Callable[[], datetime]) -> None:
    attempts = state.get("pending", cand.url).get("attempts", 0) + 1
    if attempts >= state.max_attempts:
        log.warning("giving up %s after %d runs (%s)", cand.url, attempts, kind)
        state.update("gone", cand.url, {"status": kind, "at": now().isoformat(timespec="seconds")})
        state.update("pending", cand.url, None)
    else:
        state.update("pending", cand.url, dict(asdict(cand), attempts=attempts, last_error=kind))


def select(found: list[Candidate], state: State, settings: Settings, report: FetchReport) -> list[Candidate]:
    """New URLs only (first mention wins), at most fetch_max_new per publisher; the rest wait in 'pending'."""
    pending = [Candidate(url, p["publisher"], p.get("title"), p.get("published"))
               for url, p in sorted(state.data["pending"].items())]
    chosen, seen, per_publisher = [], set(), Counter()
    for cand in found + pending:
        if cand.url in seen:
            continue
        seen.add(cand.url)
        if state.known(cand.url):
            report.add("known")
        elif per_publisher[cand.publisher] >= settings.fetch_max_new:
            report.add("deferred")
            if not state.get("pending", cand.url):
                state.update("pending", cand.url, dict(asdict(cand), attempts=0))
        else:
            per_publisher[cand.publisher] += 1
            chosen.append(cand)
    return chosen


def run_fetch(sources: Path, raw: Path, settings: Settings = Settings(), state_path: Path | None = None,
              now: Callable[[], datetime] = lambda: datetime.now().astimezone()) -> FetchReport:
    """Fetch the new pages of every publisher in ``sources`` into ``raw``."""
    clock, report = time.monotonic(), FetchReport()
    publishers = load_sources(Path(sources))
    raw = Path(raw)
    raw.mkdir(parents=True, exist_ok=True)
    state_path = Path(state_path or raw / STATE_NAME)
    with state_lock(state_path):
        _crawl(publishers, raw, State(state_path, settings.fetch_max_attempts), settings, report, now)
    report.elapsed_s = time.monotonic() - clock
    log.info(report.summary())
    return report


def _crawl(publishers: list[Publisher], raw: Path, state: State, settings: Settings, report: FetchReport,
           now: Callable[[], datetime]) -> None:
    client = Client(settings)
    report.counts["publishers"] = len(publishers)
    try:
        with ThreadPoolExecutor(max(settings.fetch_workers, 1), thread_name_prefix="fetch") as pool:
            found = [c for batch in pool.map(lambda p: discover(client, state, p, report), publishers) for c in batch]
            report.counts["found"] = len({c.url for c in found})
            todo = select(found, state, settings, report)
            for start in range(0, len(todo), SAVE_EVERY):     # the state is saved as the pages land
                list(pool.map(lambda c: download(client, state, raw, c, report, now), todo[start:start + SAVE_EVERY]))
                state.save()
    finally:
        state.save()
    report.counts["retries"] = client.retries
    if client.requests and not client.answered:
        report.exit_status = EXIT_FAILED
        log.error("no request got an answer below 500: network or servers down")
