"""One frozen options object, passed down from the CLI or the Python API."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__

PACKAGE_DIR = Path(__file__).parent
OUTPUT_FIELDS = ("max_doc_bytes", "min_text_chars", "max_text_chars", "max_meta_bytes", "follow_symlinks")


@dataclass(frozen=True)
class Settings:
    workers: int = 1                      # worker processes (0: one per core, fewer for a small run; the CLI's default)
    engine: str = "local"                 # local | dask
    scheduler: str | None = None          # dask scheduler address (tcp://host:8786); None starts a LocalCluster
    full: bool = False                    # reprocess every input, ignoring the manifest
    max_doc_bytes: int = 5 * 1024 * 1024  # larger inputs are rejected ('too_large'): bounds memory per document
    min_text_chars: int = 20              # less clean text than this is rejected ('no_text')
    max_text_chars: int = 100_000         # clean text beyond this is cut before tokenising (noted in 'removed')
    max_meta_bytes: int = 256 * 1024      # a larger sidecar is rejected ('bad_metadata')
    follow_symlinks: bool = False         # read links that lead outside the input folder (else 'outside_input')
    batch_size: int = 32                  # documents per Parquet row group / per task
    doc_timeout_s: float = 300.0          # a document's reading and cleaning, or its extraction, over this is rejected ('timeout'); 0: no limit
    reject_threshold: float = 0.5         # exit code 3 when a larger share of the processed inputs was rejected
    max_deleted_share: float = 0.2        # refuse (exit 4) a run that would delete a larger share of the known articles
    allow_deletions: bool = False         # ... unless confirmed; also needed to run over an input folder with no inputs
    quiet: bool = False
    log_format: str = "plain"             # plain | json
    wait_for_lock: bool = False
    export_columns: tuple[tuple[str, str], ...] = ()   # field -> column for exports without NAME.columns.json
    # pipeline fetch (ingest/fetch.py): politeness and limits of the crawl
    fetch_delay: float = 2.0              # seconds between requests to one host (a longer robots.txt Crawl-delay wins)
    fetch_per_host: int = 1               # requests in flight per host
    fetch_workers: int = 4                # requests in flight in all
    fetch_timeout: float = 20.0           # connect and read timeout per request, seconds
    fetch_retries: int = 3                # retries on connection errors, timeouts, 429 and 5xx, with backoff
    fetch_backoff: float = 1.0            # backoff factor between retries (0, 2, 4 … seconds)
    fetch_max_bytes: int = 5 * 1024 * 1024  # a larger response is not saved
    fetch_max_new: int = 200              # new pages per publisher and run; the rest wait for the next run
    fetch_max_attempts: int = 5           # runs in which a page may fail before it is given up
    user_agent: str = f"korean-events-pipeline/{__version__} (+https://example.org/korean-events)"

    def output_key(self) -> dict:
        """The settings that change what is written: part of the fingerprint of every output row."""
        return {name: getattr(self, name) for name in OUTPUT_FIELDS}


def rules_digest() -> str:
    """A digest of the rule data files (each stage's ``data/`` folder), so changing a rule reprocesses everything."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.glob("**/data/*")):
        if path.is_file():
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def settings_hash(settings: Settings) -> str:
    payload = json.dumps({"settings": settings.output_key(), "rules": rules_digest(), "version": __version__},
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
