"""Reading inputs from disk: discovery, stat, bytes, sidecar metadata. The only module that reads raw/.

Every byte under raw/ may be an adversary's. A page or sidecar is read only when the opened
descriptor is a regular file (opened non-blocking, so a FIFO cannot hang the job), never more
than its limit + 1 byte, and, unless symlinks are followed on purpose, only when its real path
lies inside the input folder. Any file name is kept: ``escape_name`` turns undecodable bytes
and control characters into backslash escapes, reversibly, for ``source_path``.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from pipeline.ingest.decoding import scrub

from .exports import COLUMNS_SIDECAR, ExportError, Record, expand, explicit_columns, export_format, load_record

PAGE_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".text": "text"}
SIDECAR = ".meta.json"
META_FIELDS = {"url": 2048, "publisher": 200, "published": 64, "title": 1000}   # field: most characters kept
MAX_META_DEPTH = 16           # a sidecar nested deeper is no crawler's metadata
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class InputFile:
    path: str           # relative to the input folder, '/'-separated, escaped (escape_name): the row's source_path
    abs_path: str       # the OS path (undecodable bytes as surrogate escapes)
    size_bytes: int
    mtime_ns: int
    meta_size: int = -1     # the sidecar's size and mtime, -1 when there is none
    meta_mtime_ns: int = -1
    root: str = ""          # the input folder's real path: what is read must lie inside ("" = anywhere)
    record: Record | None = None    # one record of an export (path 'export.csv#row=12'; see ingest.exports)

    @property
    def kind(self) -> str | None:
        if self.record is not None:
            return self.record.kind
        return PAGE_SUFFIXES.get(os.path.splitext(self.path)[1].lower())


@dataclass(frozen=True)
class Loaded:
    data: bytes
    meta: dict
    content_hash: str       # sha256 of the page's bytes: the article id
    meta_hash: str
    notes: tuple[str, ...] = ()   # sidecar fields dropped, and why


class ReadError(OSError):
    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


# ---------------------------------------------------------------------------------------------
# file names

_ESCAPE = re.compile(r"[\\\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_UNESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})")


def _escape_char(match: re.Match) -> str:
    code = ord(match.group())
    if code == 0x5C:
        return "\\\\"
    if 0xDC80 <= code <= 0xDCFF:                 # an undecodable byte (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def escape_name(name: str) -> str:
    """A file name (as os gives it) as valid, printable text: '\\' → '\\\\', undecodable byte → '\\xNN'
    (NN ≥ 80), control character → '\\xNN' (< 80) or '\\uNNNN'. ``unescape_name`` reverses it."""
    return _ESCAPE.sub(_escape_char, name)


def _unescape_char(match: re.Match) -> str:
    code = match.group(1)
    if code == "\\":
        return "\\"
    value = int(code[1:], 16)
    return chr(0xDC00 + value) if code[0] == "x" and value >= 0x80 else chr(value)


def unescape_name(text: str) -> str:
    """The OS file name (``os.fsencode`` gives its bytes) of an escaped ``source_path``."""
    return _UNESCAPE.sub(_unescape_char, text)


# ---------------------------------------------------------------------------------------------
# discovery

def sidecar_of(path: str) -> str | None:
    """The page's sidecar (NAME.meta.json or STEM.meta.json) if one exists, whatever it is."""
    for candidate in (path + SIDECAR, os.path.splitext(path)[0] + SIDECAR):
        try:
            os.lstat(candidate)
        except (OSError, ValueError):          # absent, or a name over the file-system limit
            continue
        return candidate
    return None


def _stat(path: str) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return -1, -1
    return st.st_size, st.st_mtime_ns


def _export_key(path: str, size: int, mtime: int, columns: dict | None) -> str | None:
    """What an export's records depend on: its size and mtime, and its column mapping (None: unknown)."""
    try:
        mapping = explicit_columns(Path(path), columns)
    except ExportError:
        return None
    return json.dumps([size, mtime, mapping], ensure_ascii=False, sort_keys=True)


_PER_RECORD = ("row", "key", "digest", "kind", "size")


def records_to_json(records: list[Record]) -> dict:
    """An export's records, compactly: what all share once, each column mapping once."""
    mappings: dict[tuple, int] = {}
    rows = [[getattr(rec, name) for name in _PER_RECORD] + [mappings.setdefault(rec.columns, len(mappings))]
            for rec in records]
    first = records[0] if records else None
    return {"file": first.file if first else "", "fmt": first.fmt if first else "",
            "names": list(first.names) if first else [], "mappings": [list(map(list, m)) for m in mappings],
            "rows": rows}


def records_from_json(d: dict) -> list[Record]:
    mappings = [tuple(tuple(pair) for pair in m) for m in d["mappings"]]
    names = tuple(d["names"])
    return [Record(d["file"], d["fmt"], **dict(zip(_PER_RECORD, row[:-1])), columns=mappings[row[-1]], names=names)
            for row in d["rows"]]


def _expand_known(path: str, rel: str, size: int, mtime: int, columns: dict | None,
                  known: dict | None) -> list[Record]:
    """The export's records; read again only when the file or its column mapping changed since ``known``
    (the records found by the last run, by export path) says. An export that could not be read is not kept."""
    key = _export_key(path, size, mtime, columns) if known is not None and size >= 0 else None
    entry = known.get(rel) if key is not None else None
    if isinstance(entry, dict) and entry.get("key") == key:
        try:
            return records_from_json(entry["records"])
        except (KeyError, TypeError, ValueError, IndexError):     # a damaged record of it: read the export
            pass
    records = expand(Path(path), rel, columns)
    if key is not None:
        if any(rec.error for rec in records):
            known.pop(rel, None)
        else:
            known[rel] = {"key": key, "records": records_to_json(records)}
    return records


def _records(path: str, rel: str, size: int, mtime: int, columns: dict | None, root: str,
             known: dict | None = None) -> list[InputFile]:
    """An export as one input per record: the record's digest stands in for an mtime, so only new and
    changed records count as changed."""
    found = []
    for rec in _expand_known(path, rel, size, mtime, columns, known):
        if rec.error:
            found.append(InputFile(rel, path, size, mtime, root=root, record=rec))
        else:
            found.append(InputFile(f"{rel}#{rec.key}", path, rec.size, int(rec.digest[:15], 16), root=root,
                                   record=rec))
    return found


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _skip_dirs(dirpath: str, dirnames: list[str], root: str, follow: bool, seen: set) -> list[str]:
    """Subfolders to descend into; links to folders outside root come back (as rejects) when not followed."""
    keep, outside = [], []
    for d in sorted(dirnames):
        if d.startswith("."):
            continue
        full = os.path.join(dirpath, d)
        if os.path.islink(full) and not follow:
            if not _inside(os.path.realpath(full), root):
                outside.append(d)
            continue                             # a link inside: its target is listed where it lives
        try:
            st = os.stat(full)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) not in seen:   # a link loop (when following) is walked once
            seen.add((st.st_dev, st.st_ino))
            keep.append(d)
    dirnames[:] = keep
    return outside


def discover(root: Path, follow_symlinks: bool = False, columns: dict | None = None,
             known_exports: dict | None = None) -> list[InputFile]:
    """Every input below root (sorted; an export's records in file order), sidecars and hidden files excepted.
    ``columns`` maps export fields to columns where no ``NAME.columns.json`` does (``--columns``).
    ``known_exports`` (export path -> its records at the last run, updated in place) spares reading again
    an export whose size, mtime and column mapping are unchanged.

    Files that cannot even be stat'ed (a symlink loop, a dangling link) are still listed,
    with size -1, so that they end up as rejects rather than vanish; so are links that lead
    outside root (unless followed), to be rejected as 'outside_input'.
    """
    root_s = os.fspath(root)
    real_root = os.path.realpath(root_s)
    boundary = "" if follow_symlinks else real_root
    found: list[InputFile] = []
    st = os.stat(root_s)
    seen = {(st.st_dev, st.st_ino)}

    def add(path: str) -> None:
        rel = escape_name(os.path.relpath(path, root_s).replace(os.sep, "/"))
        size, mtime = _stat(path)
        if size >= 0 and export_format(Path(path)) and _regular_inside(path, real_root if boundary else ""):
            found.extend(_records(path, rel, size, mtime, columns, boundary, known_exports))
            return
        meta = sidecar_of(path) if size >= 0 else None
        msize, mmtime = _stat(meta) if meta else (-1, -1)
        found.append(InputFile(rel, path, size, mtime, msize, mmtime, boundary))

    for dirpath, dirnames, filenames in os.walk(root_s, followlinks=follow_symlinks):
        for name in _skip_dirs(dirpath, dirnames, real_root, follow_symlinks, seen):
            add(os.path.join(dirpath, name))
        for name in filenames:
            if not (name.startswith(".") or name.endswith((SIDECAR, COLUMNS_SIDECAR))):
                add(os.path.join(dirpath, name))
    return sorted(found, key=lambda f: (f.record.file, f.record.row) if f.record else (f.path, 0))


def _regular_inside(path: str, root: str) -> bool:
    """An export is expanded only when it is a regular file inside the input folder; else it is read (and
    rejected) like any other input."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode) and (not root or _inside(os.path.realpath(path), root))
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------
# reading

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _fd_path(fd: int) -> str | None:
    """The real path of an open descriptor (Linux /proc), None where the system does not tell."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}").removesuffix(" (deleted)")
    except OSError:
        return None


def check_inside(path: str, root: str) -> None:
    """Checked by name before opening (so nothing outside is even opened), and again on the descriptor."""
    if root and not _inside(os.path.realpath(path), root):
        raise ReadError("outside_input", "a symbolic link to a path outside the input folder (--follow-symlinks)")


def read_bounded(path: str, limit: int, root: str = "") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, inside ``root`` (when given).

    Raises ReadError: 'outside_input', 'not_a_file', 'too_large' or 'unreadable'."""
    check_inside(path, root)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError) as exc:
        raise ReadError("unreadable", getattr(exc, "strerror", None) or str(exc)) from exc
    try:
        st = os.fstat(fd)
        real = _fd_path(fd)
        if root and real is not None and not _inside(real, root):     # swapped for a link after the check above
            raise ReadError("outside_input", "the opened file lies outside the input folder (--follow-symlinks)")
        if not stat.S_ISREG(st.st_mode):
            raise ReadError("not_a_file", f"{_not_regular(st.st_mode)}, not a regular file")
        if st.st_size > limit:
            raise ReadError("too_large", f"{st.st_size} bytes, over the limit of {limit}")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise ReadError("too_large", f"grew past the limit of {limit} bytes while being read")
        return data
    except OSError as exc:
        if isinstance(exc, ReadError):
            raise
        raise ReadError("unreadable", exc.strerror or str(exc)) from exc
    finally:
        os.close(fd)


def _depth(value) -> int:
    """Nesting depth of parsed JSON (iterative: no recursion limit), stopping past MAX_META_DEPTH."""
    deepest, stack = 0, [(value, 1)]
    while stack and deepest <= MAX_META_DEPTH:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _type_name(value) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)


def meta_fields(meta: dict) -> tuple[dict, tuple[str, ...]]:
    """The known sidecar fields that are strings of a sane length; notes name what was dropped."""
    clean, notes = {}, []
    for key, longest in META_FIELDS.items():
        value = meta.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            notes.append(f"sidecar field {key!r} dropped: {_type_name(value)}, not a string")
        elif len(value) > longest:
            notes.append(f"sidecar field {key!r} dropped: {len(value)} characters, over the limit of {longest}")
        elif value.strip():
            clean[key] = scrub(value).strip()
    return clean, tuple(notes)


def _read_meta(meta_path: str, item: InputFile, max_bytes: int) -> tuple[dict, str, tuple[str, ...]]:
    name = escape_name(os.path.basename(meta_path))
    try:
        raw = read_bounded(meta_path, max_bytes, item.root)
    except ReadError as exc:
        raise ReadError("bad_metadata", f"sidecar {name}: {exc.detail}") from exc
    try:
        meta = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReadError("bad_metadata", f"sidecar {name}: not JSON: {exc}") from exc
    except RecursionError as exc:
        raise ReadError("bad_metadata", f"sidecar {name}: nested too deep to parse") from exc
    if not isinstance(meta, dict):
        raise ReadError("bad_metadata", f"sidecar {name}: expected a JSON object, got {_type_name(meta)}")
    if _depth(meta) > MAX_META_DEPTH:
        raise ReadError("bad_metadata", f"sidecar {name}: nested more than {MAX_META_DEPTH} levels deep")
    clean, notes = meta_fields(meta)
    return clean, hashlib.sha256(raw).hexdigest(), notes


def load(item: InputFile, max_bytes: int, max_meta_bytes: int = 256 * 1024) -> Loaded:
    """The page's (or export record's) bytes and its sidecar's fields, read within the limits; ReadError otherwise."""
    if item.record is not None:
        check_inside(item.abs_path, item.root)
        try:
            data, meta, article_id = load_record(item.record, item.abs_path, max_bytes)
        except ExportError as exc:
            raise ReadError(exc.reason, exc.detail) from exc
        except OSError as exc:
            raise ReadError("unreadable", f"{exc.strerror or exc}") from exc
        return Loaded(data, meta, article_id, "")
    check_inside(item.abs_path, item.root)
    try:
        os.stat(item.abs_path)               # a dangling link or a loop is unreadable, whatever its name
    except (OSError, ValueError) as exc:
        raise ReadError("unreadable", getattr(exc, "strerror", None) or str(exc)) from exc
    if item.kind is None:
        raise ReadError("unsupported_type", f"not an .html/.htm/.txt page: "
                                            f"{os.path.splitext(item.path)[1] or 'no suffix'}")
    try:
        data = read_bounded(item.abs_path, max_bytes, item.root)
    except ReadError as exc:
        if exc.reason == "too_large":
            exc.detail += " (--max-doc-bytes)"
        raise
    meta_path = sidecar_of(item.abs_path)
    meta, meta_hash, notes = _read_meta(meta_path, item, max_meta_bytes) if meta_path else ({}, "", ())
    return Loaded(data, meta, hashlib.sha256(data).hexdigest(), meta_hash, notes)
