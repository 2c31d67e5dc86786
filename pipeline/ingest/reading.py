"""Reading inputs from disk: discovery, stat, bytes, sidecar metadata. The only module that reads raw/."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

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

    @property
    def kind(self) -> str | None:
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


def discover(root: Path) -> list[InputFile]:
    """Every input file below root (sorted), sidecars and hidden files excepted.

    Files that cannot even be stat'ed (a symlink loop, a dangling link) are still listed,
    with size -1, so that they end up as rejects rather than vanish.
    """
    root = Path(root)
    found: list[InputFile] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(SIDECAR):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            try:
                size, mtime = _stat(path)
            except OSError:
                found.append(InputFile(rel, str(path), -1, -1))
                continue
            meta = sidecar_of(path)
            msize, mmtime = _stat(meta) if meta else (-1, -1)
            found.append(InputFile(rel, str(path), size, mtime, msize, mmtime))
    return sorted(found, key=lambda f: f.path)


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
