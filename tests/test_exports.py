"""Exports as inputs: every record of a .csv/.tsv/.json/.jsonl/.xlsx export is one article (or one reject naming
the file and the record), with its own identity, so appended, changed and removed records are handled one by one."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from pipeline.batch.runner import run_extract
from pipeline.ingest import exports
from pipeline.ingest.exports import field_of, parse_date
from pipeline.ingest.reading import ReadError, discover, load
from pipeline.settings import Settings

CORPUS = Path(__file__).parent / "corpus" / "columns.jsonl"
BODY = ("행정안전부는 10일 정부서울청사에서 지방자치단체 재난안전 점검 회의를 열었다고 밝혔다. "
        "이번 회의에는 17개 시도 관계자 40여 명이 참석했다.")
HTML_BODY = "<p>외교부는 11일 서울에서 한일 국장급 협의를 개최했다고 밝혔다.</p><p>양측은 경제 협력 방안을 논의했다.</p>"
HEADER = ["뉴스 식별자", "일자", "언론사", "기고자", "제목", "본문", "URL"]


def _rows(n: int, start: int = 1) -> list[list[str]]:
    return [[f"N{i}", f"2025021{i % 10}", "예시일보", "홍길동 기자", f"기사 {i}", f"{BODY} ({i}번째 기사)",
             f"https://example.com/{i}"] for i in range(start, start + n)]


def _loaded(raw: Path, columns: dict | None = None) -> dict[str, object]:
    """source_path -> Loaded, or the ReadError it became."""
    out = {}
    for item in discover(raw, columns=columns):
        try:
            out[item.path] = load(item, 100_000)
        except ReadError as exc:
            out[item.path] = exc
    return out


@pytest.mark.parametrize("case", [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()],
                         ids=lambda c: c["header"])
def test_column_names_are_recognised(case):
    assert field_of(case["header"]) == case["field"]


@pytest.mark.parametrize("text, expected", [("20250210", "2025-02-10"), ("2025-02-10 09:30:00", "2025-02-10"),
                                            ("2025.2.10", "2025-02-10"), ("2025년 2월 10일", "2025-02-10"),
                                            ("2025-02-10T09:30:00+09:00", "2025-02-10"), ("어제", None),
                                            ("2025-13-40", None), ("12345678901", None)])
def test_export_dates(text, expected):
    assert parse_date(text) == expected


def test_csv_records_with_html_bodies_and_bad_rows(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = _rows(2) + [["N3", "2025-02-11", "예시일보", "", "HTML", HTML_BODY, ""],
                       ["N4", "어제", "예시일보", "", "날짜", BODY, ""], ["N5", "20250212", "예시일보", "", "빈 본문", "", ""],
                       ["N7", "20250212", "예시일보", "", "긴 본문", "가" * 40_000, ""]]
    pd.DataFrame(rows, columns=HEADER).to_csv(raw / "export.csv", index=False, encoding="cp949")
    with (raw / "export.csv").open("a", encoding="cp949") as handle:
        handle.write("N6,20250212,예시일보,,열이 많음,본문,x,y,z\n")
    got = _loaded(raw)
    assert list(got) == ["export.csv#id=N1", "export.csv#id=N2", "export.csv#id=N3", "export.csv#id=N4",
                         "export.csv#id=N5", "export.csv#id=N7", "export.csv#row=7"]
    assert got["export.csv#id=N7"].reason == "too_large"
    first = got["export.csv#id=N1"]
    assert first.meta == {"url": "https://example.com/1", "publisher": "예시일보", "published": "2025-02-11",
                          "title": "기사 1", "authors": "홍길동 기자"}
    assert first.data.decode("utf-8").startswith(BODY)
    assert [i.kind for i in discover(raw)][:3] == ["text", "text", "html"]
    assert (got["export.csv#id=N4"].reason, got["export.csv#id=N5"].reason) == ("bad_metadata", "empty")
    assert got["export.csv#row=7"].reason == "unreadable" and "record 7" in got["export.csv#row=7"].detail
    assert first.content_hash != got["export.csv#id=N2"].content_hash


def test_tsv_jsonl_json_and_xlsx(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    records = [dict(zip(["title", "content", "published", "press", "link"], ["제목", BODY, "2025-02-10", "예시일보",
                                                                              "https://example.com/t"]))]
    (raw / "a.tsv").write_text("title\tcontent\tpublished\n제목\t" + BODY + "\t2025-02-10\n", encoding="utf-8")
    (raw / "b.jsonl").write_text(json.dumps(records[0], ensure_ascii=False) + "\n{broken\n\n"
                                 + json.dumps({"title": "본문 없음"}, ensure_ascii=False) + "\n", encoding="utf-8")
    (raw / "c.json").write_text(json.dumps(records + [{"text": HTML_BODY}], ensure_ascii=False), encoding="utf-8")
    (raw / "d.json").write_text('[{"body": "' + BODY + '"}, {"body": ', encoding="utf-8")     # cut short
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(["X1", datetime(2025, 2, 12, 9, 30), "예시신문", "김영희", "엑셀 기사", BODY, "https://example.com/x"])
    book.active.append([None] * 7)
    book.active.append(["X2", "20250213", "예시신문", None, "두 번째", HTML_BODY, None])
    book.save(raw / "e.xlsx")
    got = _loaded(raw)
    assert got["a.tsv#row=1"].meta == {"title": "제목", "published": "2025-02-10"}
    assert got["b.jsonl#row=1"].meta["publisher"] == "예시일보" and got["b.jsonl#row=1"].meta["url"].endswith("/t")
    assert got["b.jsonl#row=2"].reason == "unreadable" and got["b.jsonl#row=3"].reason == "empty"
    assert got["c.json#row=1"].content_hash == got["b.jsonl#row=1"].content_hash     # same record, same id
    assert got["c.json#row=2"].data.decode() == HTML_BODY
    assert got["d.json#row=1"].data.decode() == BODY and got["d.json"].reason == "unreadable"
    assert got["e.xlsx#id=X1"].meta["published"] == "2025-02-12" and got["e.xlsx#id=X1"].meta["authors"] == "김영희"
    assert set(k for k in got if k.startswith("e.xlsx")) == {"e.xlsx#id=X1", "e.xlsx#id=X2"}


def test_json_array_is_streamed(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "READ_BYTES", 7)          # refill the buffer mid-record, many times
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"body": f"{BODY} {i}", "n": i} for i in range(30)], ensure_ascii=False, indent=1),
                    encoding="utf-8")
    got = list(exports.iter_records(path, "json"))
    assert [n for n, _ in got] == list(range(1, 31)) and got[29][1]["n"] == 29


def test_columns_sidecar_and_option(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    pd.DataFrame([["헤드라인", BODY, "2025-02-10"]], columns=["헤드", "기사내용", "입력시각"]).to_csv(
        raw / "odd.csv", index=False)
    assert _loaded(raw)["odd.csv"].reason == "bad_metadata"           # no body column recognised
    option = _loaded(raw, {"body": "기사내용", "title": "헤드"})["odd.csv#row=1"]
    assert option.meta == {"title": "헤드라인"}
    (raw / "odd.columns.json").write_text('{"body": "기사내용", "date": "입력시각"}', encoding="utf-8")
    sidecar = _loaded(raw, {"body": "헤드"})["odd.csv#row=1"]
    assert sidecar.meta == {"published": "2025-02-10"} and sidecar.data.decode() == BODY
    assert [i.path for i in discover(raw)] == ["odd.csv#row=1"]        # the sidecar is no input


def test_appended_changed_and_removed_records(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    settings = Settings(workers=1, quiet=True)
    rows = [[r[5], r[4]] for r in _rows(3)]
    pd.DataFrame(rows, columns=["본문", "제목"]).to_csv(raw / "crawl.csv", index=False)
    (raw / "ids.jsonl").write_text("".join(json.dumps({"id": f"K{i}", "body": f"{BODY} K{i}"}, ensure_ascii=False)
                                           + "\n" for i in range(3)), encoding="utf-8")
    first = run_extract(raw, out, settings)
    assert (first.n_processed, first.n_rejected) == (6, 0)
    articles = pd.read_parquet(out / "articles").set_index("source_path")
    assert sorted(articles.index) == ["crawl.csv#row=1", "crawl.csv#row=2", "crawl.csv#row=3",
                                      "ids.jsonl#id=K0", "ids.jsonl#id=K1", "ids.jsonl#id=K2"]
    old_k1 = articles.loc["ids.jsonl#id=K1", "article_id"]

    pd.DataFrame(rows + [[r[5], r[4]] for r in _rows(2, start=4)], columns=["본문", "제목"]).to_csv(
        raw / "crawl.csv", index=False)                                   # two rows appended
    (raw / "ids.jsonl").write_text(json.dumps({"id": "K1", "body": f"{BODY} K1 고침"}, ensure_ascii=False) + "\n"
                                   + json.dumps({"id": "K2", "body": f"{BODY} K2"}, ensure_ascii=False) + "\n",
                                   encoding="utf-8")                      # K0 removed, K1 changed, K2 moved up
    second = run_extract(raw, out, settings)
    assert (second.n_processed, second.n_skipped, second.n_deleted) == (3, 4, 1)
    articles = pd.read_parquet(out / "articles").set_index("source_path")
    assert sorted(articles.index) == ["crawl.csv#row=1", "crawl.csv#row=2", "crawl.csv#row=3", "crawl.csv#row=4",
                                      "crawl.csv#row=5", "ids.jsonl#id=K1", "ids.jsonl#id=K2"]
    assert articles.loc["ids.jsonl#id=K1", "article_id"] != old_k1 and "고침" in articles.loc["ids.jsonl#id=K1", "text"]
    events = pd.read_parquet(out / "dates")
    assert old_k1 not in set(events.article_id)                           # the changed record's old rows are gone
    third = run_extract(raw, out, settings)
    assert (third.n_processed, third.n_skipped) == (0, 7)


def test_an_unchanged_export_is_not_read_again(tmp_path, monkeypatch):
    """The nightly run over old exports: only an export that changed (or whose column mapping did) is read."""
    from pipeline.ingest import reading

    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    settings = Settings(workers=1, quiet=True)
    pd.DataFrame([[r[5], r[4]] for r in _rows(3)], columns=["본문", "제목"]).to_csv(raw / "old.csv", index=False)
    (raw / "new.jsonl").write_text(json.dumps({"id": "K1", "body": f"{BODY} K1"}, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    run_extract(raw, out, settings)
    real, read = reading.expand, []
    monkeypatch.setattr(reading, "expand", lambda path, *a: read.append(path.name) or real(path, *a))

    again = run_extract(raw, out, settings)
    assert read == [] and (again.n_processed, again.n_skipped) == (0, 4)
    with open(raw / "new.jsonl", "a", encoding="utf-8") as fh:          # a crawler appends a record
        fh.write(json.dumps({"id": "K2", "body": f"{BODY} K2"}, ensure_ascii=False) + "\n")
    third = run_extract(raw, out, settings)
    assert read == ["new.jsonl"] and (third.n_processed, third.n_skipped) == (1, 4)
    (raw / "old.columns.json").write_text('{"body": "본문", "title": "제목"}', encoding="utf-8")   # a new mapping
    run_extract(raw, out, settings)
    assert read == ["new.jsonl", "old.csv"]
    (out / ".exports.json").write_text('{"format": [1, "x"], "exports": {"old.csv": 5}}', encoding="utf-8")
    fourth = run_extract(raw, out, settings)                             # an unusable record of them: read all
    assert sorted(read[2:]) == ["new.jsonl", "old.csv"] and fourth.n_processed == 0
    assert sorted(pd.read_parquet(out / "articles")["source_path"]) == [
        "new.jsonl#id=K1", "new.jsonl#id=K2", "old.csv#row=1", "old.csv#row=2", "old.csv#row=3"]


DEV = Path(__file__).parent / "data" / "dev_corpus"


def _dev_records(kind: str) -> list[tuple[str, dict]]:
    """(record text, its .meta.json) for each dev-corpus record of a format (SOURCES.tsv column 8 starts with kind)."""
    out = []
    for line in (DEV / "SOURCES.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if cols[7].startswith(kind):
            page = DEV / "pages" / cols[0]
            meta = page.with_suffix(".meta.json")
            out.append((page.read_bytes().decode("utf-8"),      # not read_text: a stray \r stays
                        json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}))
    return out


def test_real_crawler_dumps_read_as_exports(tmp_path):
    """The dev corpus's crawler records (tests/data/dev_corpus), put back into dumps of their own formats:
    a JSON array (feed summaries; Naver objects with HTML bodies), a header-less TSV (its names in a sidecar) and
    a CSV (with its header). Each record is read with a body, and its date and title agree with the hand-made
    .meta.json of the record."""
    raw = tmp_path / "raw"
    raw.mkdir()
    summaries = _dev_records("json-object (keys: id,title")
    naver = _dev_records("json-object (keys: __id")
    tsv = _dev_records("tsv-line")
    rows = _dev_records("csv-row")
    assert min(len(summaries), len(naver), len(tsv), len(rows)) >= 2
    (raw / "feed.json").write_text("[" + ",".join(t for t, _ in summaries) + "]", encoding="utf-8")
    (raw / "naver.json").write_text("[\n" + ",\n".join(t for t, _ in naver) + "\n]", encoding="utf-8")
    (raw / "crawl.tsv").write_text("".join(t.rstrip("\r\n") + "\n" for t, _ in tsv), encoding="utf-8")
    (raw / "crawl.columns.json").write_text('{"header": ["date", "press", "title", "body", "naver_url"]}')
    (raw / "items.csv").write_text("item_id,title,description,pub_date,author,link,category1,category2,source_name\n"
                                   + "".join(t.rstrip("\r\n") + "\n" for t, _ in rows), encoding="utf-8")
    got = _loaded(raw)
    expected = {"feed.json": summaries, "naver.json": naver, "crawl.tsv": tsv, "items.csv": rows}
    for name, records in expected.items():
        loaded = [v for k, v in got.items() if k.split("#")[0] == name]
        assert len(loaded) == len(records), name
        for item, (_, meta) in zip(loaded, records):
            assert not isinstance(item, ReadError), (name, item)
            assert len(item.data.strip()) > 20
            if meta.get("published"):
                assert item.meta["published"] == meta["published"], (name, meta)
            if meta.get("title") and name != "naver.json":
                assert item.meta["title"] == meta["title"], (name, meta)
    assert all(got[k].meta.get("url") for k in got if k.startswith("crawl.tsv"))
    assert [i.kind for i in discover(raw) if i.path.startswith("naver.json")] == ["html"] * len(naver)


def test_cli_columns_option(tmp_path):
    from pipeline.cli import main

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    pd.DataFrame([["헤드라인", BODY]], columns=["헤드", "기사내용"]).to_csv(raw / "odd.csv", index=False)
    assert main(["extract", str(raw), str(out), "--workers", "1", "--quiet",
                 "--columns", '{"body": "기사내용", "title": "헤드"}']) == 0
    articles = pd.read_parquet(out / "articles")
    assert list(articles.source_path) == ["odd.csv#row=1"] and list(articles.title) == ["헤드라인"]
    with pytest.raises(SystemExit) as exit_:
        main(["extract", str(raw), str(out), "--columns", '{"body": 3}'])
    assert exit_.value.code == 2
