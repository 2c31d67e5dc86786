"""Reading inputs from disk: discovery, stat, bytes, sidecar metadata. The only module that reads raw/."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .exports import COLUMNS_SIDECAR, ExportError, Record, expand, export_format, load_record

PAGE_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".text": "text"}
SIDECAR = ".meta.json"
META_KEYS = ("url", "publisher", "published", "title")


@dataclass(frozen=True)
class InputFile:
    path: str           # relative to the input folder, '/'-separated: the row's source_path
    abs_path: str
    size_bytes: int
    mtime_ns: int
    meta_size: int = -1     # the sidecar's size and mtime, -1 when there is none
    meta_mtime_ns: int = -1
    record: Record | None = None    # one record of an export (path 'export.csv#row=12'; see ingest.exports)

    @property
    def kind(self) -> str | None:
        if self.record is not None:
            return self.record.kind
        return PAGE_SUFFIXES.get(Path(self.path).suffix.lower())


@dataclass(frozen=True)
class Loaded:
    data: bytes
    meta: dict
    content_hash: str       # sha256 of the page's bytes: the article id
    meta_hash: str


class ReadError(OSError):
    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def sidecar_of(path: Path) -> Path | None:
    for candidate in (path.with_name(path.name + SIDECAR), path.with_name(path.stem + SIDECAR)):
        if candidate.is_file():
            return candidate
    return None


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _records(path: Path, rel: str, size: int, mtime: int, columns: dict | None) -> list[InputFile]:
    """An export as one input per record: the record's digest stands in for an mtime, so only new and
    changed records count as changed."""
    found = []
    for rec in expand(path, rel, columns):
        if rec.error:
            found.append(InputFile(rel, str(path), size, mtime, record=rec))
        else:
            found.append(InputFile(f"{rel}#{rec.key}", str(path), rec.size, int(rec.digest[:15], 16),
                                   record=rec))
    return found


def discover(root: Path, columns: dict | None = None) -> list[InputFile]:
    """Every input below root (sorted; an export's records in file order), sidecars and hidden files excepted.
    ``columns`` maps export fields to columns where no ``NAME.columns.json`` does (``--columns``).

    Files that cannot even be stat'ed (a symlink loop, a dangling link) are still listed,
    with size -1, so that they end up as rejects rather than vanish.
    """
    root = Path(root)
    found: list[InputFile] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith((SIDECAR, COLUMNS_SIDECAR)):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            try:
                size, mtime = _stat(path)
            except OSError:
                found.append(InputFile(rel, str(path), -1, -1))
                continue
            if export_format(path):
                found.extend(_records(path, rel, size, mtime, columns))
                continue
            meta = sidecar_of(path)
            msize, mmtime = _stat(meta) if meta else (-1, -1)
            found.append(InputFile(rel, str(path), size, mtime, msize, mmtime))
    return sorted(found, key=lambda f: (f.record.file, f.record.row) if f.record else (f.path, 0))


def _read_meta(path: Path) -> tuple[dict, str]:
    meta_path = sidecar_of(path)
    if meta_path is None:
        return {}, ""
    raw = meta_path.read_bytes()
    try:
        meta = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError("bad_metadata", f"{meta_path.name}: {exc}") from exc
    if not isinstance(meta, dict):
        raise ReadError("bad_metadata", f"{meta_path.name}: expected a JSON object")
    clean = {k: str(meta[k]) for k in META_KEYS if meta.get(k) not in (None, "")}
    return clean, hashlib.sha256(raw).hexdigest()


def load(item: InputFile, max_bytes: int) -> Loaded:
    if item.record is not None:
        try:
            data, meta, article_id = load_record(item.record, item.abs_path, max_bytes)
        except ExportError as exc:
            raise ReadError(exc.reason, exc.detail) from exc
        except OSError as exc:
            raise ReadError("unreadable", f"{exc.strerror or exc}") from exc
        return Loaded(data, meta, article_id, "")
    path = Path(item.abs_path)
    try:
        size = path.stat().st_size
        if item.kind is None:
            raise ReadError("unsupported_type", f"not an .html/.htm/.txt page: {Path(item.path).suffix or 'no suffix'}")
        if size > max_bytes:
            raise ReadError("too_large", f"{size} bytes, over the limit of {max_bytes} (--max-doc-bytes)")
        data = path.read_bytes()
    except ReadError:
        raise
    except OSError as exc:
        raise ReadError("unreadable", f"{exc.strerror or exc}") from exc
    meta, meta_hash = _read_meta(path)
    return Loaded(data, meta, hashlib.sha256(data).hexdigest(), meta_hash)
