"""Bad and unusual input: every file ends up as an article row or a reject row with a reason."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.ingest.decoding import DecodeError, decode
from pipeline.batch.runner import run_extract
from pipeline.settings import Settings

ARTICLE = ("과학기술정보통신부는 22일 서울에서 열린 인공지능 정상회의에 참석했다고 밝혔다. "
           "이번 회의에는 28개국 대표단이 참석해 공동 성명을 채택했다.")


def _html(body: str, charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<html><head>{meta}<title>AI 정상회의</title></head><body><article><p>{body}</p></article></body></html>"


@pytest.fixture(scope="module")
def odd_run(tmp_path_factory):
    raw = tmp_path_factory.mktemp("odd") / "raw"
    raw.mkdir()
    (raw / "empty.txt").write_bytes(b"")
    (raw / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (raw / "broken.txt").write_bytes(b"\xff\xfe\xfd garbage \x80\x81\x82 " * 40 + b"\xc3\x28" * 50)
    (raw / "legacy.html").write_bytes(_html(ARTICLE, charset=None).encode("cp949"))
    (raw / "declared.htm").write_bytes(_html(ARTICLE, charset="euc-kr").encode("euc-kr"))
    (raw / "menus.html").write_text("<html><body><nav><ul><li>메뉴 건너뛰기</li><li>정치</li><li>경제</li>"
                                    "</ul></nav><footer>ⓒ 예시일보 무단 전재 및 재배포 금지</footer></body></html>")
    (raw / "bom.txt").write_bytes("\ufeff".encode() + ARTICLE.encode())
    (raw / "utf16.txt").write_bytes(ARTICLE.encode("utf-16"))
    (raw / "note.pdf").write_bytes(b"%PDF-1.4 not a page")
    (raw / "with meta.txt").write_text(ARTICLE)
    (raw / "with meta.meta.json").write_text('{"url": "https://example.com/a/1", "publisher": "예시일보", '
                                             '"published": "2024-05-22", "title": "제목"}')
    out = raw.parent / "processed"
    run_extract(raw, out, Settings(workers=1, quiet=True))
    return raw, pd.read_parquet(out / "articles"), pd.read_parquet(out / "rejects")


def test_each_input_lands_once(odd_run):
    raw, articles, rejects = odd_run
    inputs = sorted(p.name for p in raw.iterdir() if not p.name.endswith(".meta.json"))
    assert sorted(list(articles.source_path) + list(rejects.source_path)) == inputs


@pytest.mark.parametrize("name, reason", [("empty.txt", "empty"), ("image.html", "binary"),
                                          ("broken.txt", "undecodable"), ("menus.html", "no_text"),
                                          ("note.pdf", "unsupported_type")])
def test_rejected_with_reason(odd_run, name, reason):
    _, _, rejects = odd_run
    row = rejects.set_index("source_path").loc[name]
    assert row["reason"] == reason and row["detail"]


@pytest.mark.parametrize("name", ["legacy.html", "declared.htm", "bom.txt", "utf16.txt"])
def test_encodings_decode_to_the_same_text(odd_run, name):
    _, articles, _ = odd_run
    text = articles.set_index("source_path").loc[name, "text"]
    assert "28개국 대표단이 참석해" in text and "\ufeff" not in text


def test_sidecar_metadata_wins(odd_run):
    _, articles, _ = odd_run
    row = articles.set_index("source_path").loc["with meta.txt"]
    assert row["url"] == "https://example.com/a/1" and row["publisher"] == "예시일보"
    assert str(row["reference_date"]) == "2024-05-22" and row["reference_source"] == "metadata"


def test_decode_prefers_declared_charset_and_normalises():
    text, encoding = decode(_html("한글 기사", charset="euc-kr").encode("euc-kr"), html=True)
    assert "한글 기사" in text and encoding == "cp949"
    import unicodedata
    nfd = unicodedata.normalize("NFD", "한글 기사입니다").encode()
    assert decode(nfd)[0] == "한글 기사입니다"


def test_decode_errors_carry_reasons():
    with pytest.raises(DecodeError) as err:
        decode(b"   \n ")
    assert err.value.reason == "empty"


def test_undeclared_cp949_text_dump_decodes():
    data = ("과학기술정보통신부는 22일 서울에서 회의를 열었다. " * 3).encode("cp949")
    text, encoding = decode(data)
    assert encoding in ("cp949", "detected") and text.startswith("과학기술정보통신부는")


# ---------------------------------------------------------------------------------------------
# hostile inputs: every kind ends as exactly one article or one reject, within a time bound

HOSTILE_RUN = r"""
import os, sys
from pathlib import Path
import pipeline.batch.runner as runner
from pipeline.settings import Settings

raw, out, new_text = sys.argv[1], sys.argv[2], sys.argv[3]
listed = runner.discover

def discover(root, follow_symlinks=False, columns=None, known=None):   # the folder changes between listing and reading
    found = listed(root, follow_symlinks, columns, known)
    os.remove(os.path.join(raw, "vanish.txt"))
    Path(raw, "change.txt").write_text(new_text, encoding="utf-8")
    os.remove(os.path.join(raw, "swap.txt"))
    os.symlink("/etc/passwd", os.path.join(raw, "swap.txt"))
    return found

runner.discover = discover
report = runner.run_extract(Path(raw), Path(out), Settings(workers=1, quiet=True, max_meta_bytes=64 * 1024))
print(report.exit_status)
"""
MEMORY_CAP = 4 << 30
LONG_NAME = "가" * 83 + ".txt"                       # 253 bytes: its sidecar's name would pass 255
ODD_NAMES = {b"bad\xff\xfe.txt": "bad\\xff\\xfe.txt", b"new\nline.txt": "new\\x0aline.txt",
             b"back\\slash.txt": "back\\\\slash.txt"}
EXPECTED = {                                           # source_path -> article, or the reject's reason
    "good.txt": "article", "fifo.html": "not_a_file",
    "zero.html": "outside_input", "passwd.txt": "outside_input", "etc": "outside_input",
    "inside-link.txt": "duplicate", "dangling.txt": "unreadable", "loop.txt": "unreadable",
    LONG_NAME: "article", **{escaped: "article" for escaped in ODD_NAMES.values()},
    "deep-meta.txt": "bad_metadata", "nested-meta.txt": "bad_metadata", "huge-meta.txt": "bad_metadata", "fifo-meta.txt": "bad_metadata",
    "dir-meta.txt": "bad_metadata", "outside-meta.txt": "bad_metadata", "typed-meta.txt": "article",
    "utf16le.txt": "article", "utf16be.html": "article", "deep.html": "article",
    "vanish.txt": "unreadable", "change.txt": "article", "swap.txt": "outside_input",
}


def _text(n: int) -> str:
    """Distinct article texts (identical bytes would be duplicates of each other)."""
    return f"{n}번째 기사. " + ARTICLE


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    import os
    import subprocess
    import sys

    raw = tmp_path_factory.mktemp("hostile") / "raw"
    raw.mkdir()
    texts = iter(range(100))
    put = lambda name, text=None: (raw / name).write_text(text or _text(next(texts)), encoding="utf-8")
    put("good.txt")
    os.mkfifo(raw / "fifo.html")
    os.symlink("/dev/zero", raw / "zero.html")
    os.symlink("/etc/passwd", raw / "passwd.txt")
    os.symlink("/etc", raw / "etc")
    os.symlink("good.txt", raw / "inside-link.txt")
    os.symlink("nowhere.txt", raw / "dangling.txt")
    os.symlink("loop.txt", raw / "loop.txt")
    put(LONG_NAME)
    for name in ODD_NAMES:
        with open(os.path.join(os.fsencode(raw), name), "w", encoding="utf-8") as fh:
            fh.write(_text(next(texts)))
    for name in ("deep-meta", "nested-meta", "huge-meta", "fifo-meta", "dir-meta", "outside-meta", "typed-meta"):
        put(f"{name}.txt")
    (raw / "deep-meta.txt.meta.json").write_text('{"title": ' + "[" * 30_000 + "]" * 30_000 + "}")
    (raw / "nested-meta.txt.meta.json").write_text('{"a": ' + '{"b": ' * 20 + "1" + "}" * 21)
    (raw / "huge-meta.txt.meta.json").write_text('{"title": "' + "가" * 300_000 + '"}')
    os.mkfifo(raw / "fifo-meta.txt.meta.json")
    (raw / "dir-meta.txt.meta.json").mkdir()
    os.symlink("/etc/hostname", raw / "outside-meta.txt.meta.json")
    (raw / "typed-meta.txt.meta.json").write_text(
        '{"title": ["a", {"b": 1}], "url": 5, "publisher": "예시일보 \\ud800", "published": "2024-05-22"}')
    (raw / "utf16le.txt").write_bytes(_text(next(texts)).encode("utf-16-le"))
    (raw / "utf16be.html").write_bytes(_html(_text(next(texts))).encode("utf-16-be"))
    (raw / "deep.html").write_text("<html><head><title>깊은 페이지</title></head><body>" + "<div>" * 1000
                                   + f"<p>{_text(next(texts))}</p>" + "</div>" * 1000 + "</body></html>")
    put("vanish.txt")
    put("change.txt")
    put("swap.txt")
    out = raw.parent / "processed"
    import resource

    cap = lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))   # /dev/zero must not eat the host
    done = subprocess.run([sys.executable, "-c", HOSTILE_RUN, str(raw), str(out), "바뀐 내용. " + _text(99)],
                          capture_output=True, text=True, timeout=300, preexec_fn=cap)
    assert done.returncode == 0 and done.stdout.strip() in ("0", "3"), done.stderr[-3000:]
    return raw, pd.read_parquet(out / "articles"), pd.read_parquet(out / "rejects")


def test_hostile_inputs_each_end_once_with_a_reason(hostile_run):
    _, articles, rejects = hostile_run
    outcome = {**{p: "article" for p in articles.source_path}, **dict(zip(rejects.source_path, rejects.reason))}
    assert len(articles) + len(rejects) == len(outcome) == len(EXPECTED)
    assert outcome == EXPECTED
    assert rejects.detail.str.len().min() > 5


def test_hostile_reject_details(hostile_run):
    _, _, rejects = hostile_run
    detail = dict(zip(rejects.source_path, rejects.detail))
    assert "named pipe" in detail["fifo.html"]
    assert "nested" in detail["deep-meta.txt"] and "nested more than 16" in detail["nested-meta.txt"]
    assert "over the limit" in detail["huge-meta.txt"]
    assert "named pipe" in detail["fifo-meta.txt"] and "folder" in detail["dir-meta.txt"]
    assert "outside the input folder" in detail["outside-meta.txt"]
    assert detail["inside-link.txt"] == "same bytes as good.txt"        # a link inside the folder is read once


def test_hostile_articles_keep_text_and_drop_bad_fields(hostile_run):
    _, articles, _ = hostile_run
    rows = articles.set_index("source_path")
    assert "root:" not in " ".join(articles.text) and "root:" not in " ".join(articles.title.fillna(""))
    for name in ("utf16le.txt", "utf16be.html", "deep.html", LONG_NAME, *ODD_NAMES.values()):
        assert "28개국 대표단이 참석해" in rows.loc[name, "text"], name
    assert rows.loc["utf16le.txt", "encoding"] == "utf-16-le" and rows.loc["utf16be.html", "encoding"] == "utf-16-be"
    assert rows.loc["change.txt", "text"].startswith("바뀐 내용")
    typed = rows.loc["typed-meta.txt"]
    assert typed["publisher"] == "예시일보 \ufffd" and pd.isna(typed["url"])
    assert "[" not in str(typed["title"]) and str(typed["reference_date"]) == "2024-05-22"
    notes = [r["line"] for r in typed["removed"] if r["rule"] == "metadata.field_dropped"]
    assert any("'title' dropped: a list" in n for n in notes) and any("'url' dropped: a number" in n for n in notes)


def test_escaped_names_are_reversible():
    import os

    from pipeline.ingest.reading import escape_name, unescape_name

    for raw_name in [*ODD_NAMES, b"\\x41\\\\", b"\x7f\x01\xc2\x85\xed\xa0\x80", "é가\u2028".encode()]:
        name = os.fsdecode(raw_name)
        escaped = escape_name(name)
        assert escaped.isprintable() or "\u2028" in escaped
        escaped.encode("utf-8")
        assert os.fsencode(unescape_name(escaped)) == raw_name
    assert escape_name(os.fsdecode(b"bad\xff.txt")) == "bad\\xff.txt"


def test_a_failure_on_one_input_is_that_inputs_reject(tmp_path, monkeypatch):
    """An unexpected exception while reading, or Kiwi failing on one text of a batch: a reject, the rest go on."""
    import pipeline.document as document
    import pipeline.nlp as nlp
    from pipeline.ingest.reading import discover

    for i in range(4):
        (tmp_path / f"{i}.txt").write_text(_text(i) + (" 토큰화 실패" if i == 2 else ""), encoding="utf-8")
    real_load, real_docs = document.load, nlp.make_docs

    def load(item, *args):
        if item.path == "1.txt":
            raise RuntimeError("a reader bug")
        return real_load(item, *args)

    def make_docs(texts):
        texts = list(texts)
        for text in texts:
            if "토큰화 실패" in text:
                raise ValueError("Kiwi cannot take this text")
        return real_docs(texts)

    monkeypatch.setattr(document, "load", load)
    monkeypatch.setattr(nlp, "make_docs", make_docs)
    results = document.process_files(discover(tmp_path), Settings(workers=1))
    outcome = {r.source_path: r.rows["rejects"][0]["reason"] if r.outcome == "rejected" else "article"
               for r in results}
    assert outcome == {"0.txt": "article", "1.txt": "unreadable", "2.txt": "extract_failed", "3.txt": "article"}
    details = {r.source_path: r.rows["rejects"][0]["detail"] for r in results if r.outcome == "rejected"}
    assert "a reader bug" in details["1.txt"] and "Kiwi cannot take this text" in details["2.txt"]


@pytest.mark.parametrize("depth", [300, 100_000])
def test_pages_nested_deeper_than_the_parser_keep_their_text(depth):
    from pipeline.clean.cleaner import clean_html

    page = (f"<html><head><title>깊은 &amp; 제목</title><script>var s = '<p>스크립트</p>';</script></head><body>"
            f"<nav>메뉴 정치 경제</nav>" + "<div>" * depth + f"<p>{ARTICLE}</p>" + "</div>" * depth + "</body></html>")
    cleaned = clean_html(page)
    assert "28개국 대표단이 참석해" in cleaned.text and cleaned.title == "깊은 & 제목"
    assert "스크립트" not in cleaned.text and "메뉴" not in cleaned.text
