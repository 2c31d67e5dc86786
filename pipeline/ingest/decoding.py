"""Bytes to text: BOMs, declared charsets, then detection. Pure functions.

Korean pages come in UTF-8 (with or without BOM), legacy CP949/EUC-KR (often undeclared), and
now and then UTF-16 (with a BOM, or without one: then told by where its NUL bytes fall).
``decode`` returns NFC text or raises ``DecodeError`` with a reason the rejects table can carry.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF",
                b"OggS", b"ID3", b"\x28\xb5\x2f\xfd")
ALIASES = {"ks_c_5601-1987": "cp949", "ksc5601": "cp949", "euc-kr": "cp949", "euc_kr": "cp949",
           "x-windows-949": "cp949", "unicode": "utf-16", "utf8": "utf-8"}
MAX_BAD_SHARE = 0.005        # a stray broken byte is repaired; more than this is not text we trust
UTF16_MIN_NUL_SHARE = 0.02   # UTF-16 without a BOM: at least this share of bytes NUL, nearly all on one side
SURROGATES = re.compile("[\ud800-\udfff]")


class DecodeError(ValueError):
    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def _bom(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def scrub(text: str) -> str:
    """Lone surrogates (JSON escapes, surrogate-escaped bytes) cannot be encoded: U+FFFD, one for one."""
    return SURROGATES.sub("\ufffd", text) if SURROGATES.search(text) else text


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or '-be' when NUL bytes sit on one side only (ASCII spaces, digits, punctuation)."""
    head = data[:8192]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if len(data) % 2 or max(even, odd) < UTF16_MIN_NUL_SHARE * len(head) or min(even, odd) * 10 > max(even, odd):
        return None
    return "utf-16-be" if even > odd else "utf-16-le"


def declared_charset(data: bytes) -> str | None:
    match = META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    name = ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def looks_binary(data: bytes) -> bool:
    if data.startswith(BINARY_MAGIC):
        return True
    head = data[:8192]
    return head.count(b"\x00") > max(1, len(head) // 100)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=["cp949", "euc_kr", "utf_8", "utf_16"]).best()
    if best is None or best.chaos > 0.3:
        return None
    return _strict(data, best.encoding)


def _repaired_utf8(data: bytes) -> str | None:
    text = data.decode("utf-8", errors="replace")
    return text if text.count("\ufffd") <= MAX_BAD_SHARE * max(len(text), 1) else None


def decode(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """Return (NFC text, encoding used)."""
    if not data.strip():
        raise DecodeError("empty", "the file has no content")
    bom = _bom(data)
    if bom:
        text = _strict(data, bom)
        if text is None:
            raise DecodeError("undecodable", f"invalid bytes after a {bom} byte-order mark")
        return _finish(text), bom
    utf16 = None if data.startswith(BINARY_MAGIC) else utf16_without_bom(data)
    if utf16:
        text = _strict(data, utf16)
        if text is not None and plausible(text):
            return _finish(text), utf16
    if looks_binary(data):
        raise DecodeError("binary", "binary content (NUL bytes or a known file signature)")
    candidates = ([declared_charset(data)] if html else []) + ["utf-8", "cp949"]
    for encoding in filter(None, candidates):
        text = _strict(data, encoding)
        if text is not None and (encoding != "cp949" or plausible(text)):   # cp949 accepts many byte strings
            return _finish(text), encoding
    text = _detect(data)
    if text is not None:
        return _finish(text), "detected"
    text = _repaired_utf8(data)
    if text is not None:
        return _finish(text), "utf-8-repaired"
    raise DecodeError("undecodable", "not valid UTF-8, and no Korean legacy encoding fits")


PLAUSIBLE = re.compile(r"[\s!-~\u00a0-\u024f\u2000-\u33ff\u3130-\u318f\uac00-\ud7a3\u1100-\u11ff\uff00-\uffef]")
MIN_PLAUSIBLE_SHARE = 0.6     # Korean news is Hangul, Latin, digits and punctuation (Hanja only here and there)


def plausible(text: str) -> bool:
    """False for text decoded with the wrong codec: mostly rare ideographs or control characters."""
    sample = text[:20_000]
    if not sample:
        return True
    return len(PLAUSIBLE.findall(sample)) / len(sample) >= MIN_PLAUSIBLE_SHARE


def _finish(text: str) -> str:
    text = unicodedata.normalize("NFC", scrub(text.replace("\x00", "").lstrip("\ufeff")))
    if not plausible(text):
        raise DecodeError("undecodable", "the decoded text is mostly characters Korean news does not use "
                                         "(a wrong or unknown encoding)")
    return text
