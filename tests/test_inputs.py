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
