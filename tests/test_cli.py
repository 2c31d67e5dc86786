"""The real command line, run as subprocesses."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd

from conftest import RAW, sample_inputs

PY = [sys.executable, "-m", "pipeline"]


def run(*args, input_text=None, cwd=None):
    return subprocess.run([*PY, *args], input=input_text, capture_output=True, text=True, cwd=cwd, timeout=600)


def test_help_lists_subcommands():
    out = run("--help")
    assert out.returncode == 0
    for command in ("extract", "annotate", "compact", "query"):
        assert command in out.stdout
    assert "exit" in run("extract", "--help").stdout.lower()


def test_help_lists_every_exit_code():
    from pipeline.exits import CODES

    text = " ".join(run("extract", "--help").stdout.split())
    for code, meaning in CODES.items():
        assert f"{code} {' '.join(meaning.split()[:3])}" in text


def test_missing_input_folder_is_one_clear_line(tmp_path):
    out = run("extract", str(tmp_path / "nope"), str(tmp_path / "out"))
    assert out.returncode == 2
    assert out.stderr.strip() == f"pipeline: exit 2: input folder not found: {tmp_path / 'nope'}"


def _one_line(result, code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"pipeline: exit {code}: "), result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def test_user_errors_are_one_sentence_with_exit_2(tmp_path, sample_run):
    (tmp_path / "empty").mkdir()
    (tmp_path / "a-file").write_text("x")
    _one_line(run("query", str(tmp_path / "procesed"), "SELECT 1"), 2, "no output folder at", "procesed")
    _one_line(run("query", str(tmp_path / "empty"), "SELECT 1"), 2, "no tables in", "_manifest.parquet", "articles")
    _one_line(run("query", str(sample_run), "SELEKT 1"), 2, "SQL error", "syntax error")
    _one_line(run("query", str(sample_run), "SELECT * FROM nonesuch"), 2, "SQL error", "nonesuch")
    _one_line(run("query", str(sample_run), "SELECT 1", "--output", str(tmp_path)), 2, "is a folder")
    _one_line(run("query", str(sample_run), "SELECT 1", "--format", "parquet"), 2, "needs --output")
    _one_line(run("query", str(sample_run), "SELECT 1", "--output", str(tmp_path / "no" / "x.csv")), 2,
              "does not exist")
    _one_line(run("report", str(sample_run), "--out", str(tmp_path / "a-file")), 2, "is a file")
    _one_line(run("report", str(tmp_path / "nope")), 2, "no output folder")
    _one_line(run("compact", str(tmp_path / "nope")), 2, "no output folder")
    _one_line(run("annotate", "--input", str(tmp_path / "nope.jsonl")), 2, "no such file")
    _one_line(run("extract", str(tmp_path / "a-file"), str(tmp_path / "out")), 2, "not a folder")
    _one_line(run("extract", str(tmp_path / "empty"), str(tmp_path / "a-file")), 2, "output folder is a file")
    _one_line(run("extract", str(tmp_path / "empty"), str(tmp_path / "empty" / "out")), 2, "must not be inside")
    _one_line(run("extract", str(tmp_path / "empty"), str(tmp_path / "o"), "--max-deleted-share", "2"), 2,
              "--max-deleted-share must be a share")
    _one_line(run("extract", str(tmp_path / "empty"), str(tmp_path / "o"), "--doc-timeout", "-1"), 2,
              "--doc-timeout 0 (no limit) or more")
    _one_line(run("run", str(tmp_path / "no-sources.toml"), str(tmp_path / "empty"), str(tmp_path / "o"),
                  "--doc-timeout", "-1"), 2, "--doc-timeout 0 (no limit) or more")
    assert run("extract", "--workers", "x").stderr.strip().splitlines()[-1].startswith("pipeline: exit 2: ")


def test_output_works_with_every_format(tmp_path, sample_run):
    sql = "SELECT count(*) AS n FROM articles"
    for fmt in ("table", "csv", "json", "parquet"):
        target = tmp_path / f"out.{fmt}"
        result = run("query", str(sample_run), sql, "--format", fmt, "--output", str(target))
        assert result.returncode == 0 and result.stdout == "", (fmt, result.stderr)
        if fmt == "parquet":
            assert pd.read_parquet(target)["n"].tolist() == [len(sample_inputs())]
        else:
            assert str(len(sample_inputs())) in target.read_text(encoding="utf-8"), fmt


def test_extract_then_rerun_skips_everything(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    first = run("extract", str(raw), str(tmp_path / "out"), "--workers", "1", "--quiet")
    assert first.returncode == 0, first.stderr
    articles = pd.read_parquet(tmp_path / "out" / "articles")
    assert len(articles) == len(sample_inputs())
    second = run("extract", str(raw), str(tmp_path / "out"), "--workers", "1")
    assert second.returncode == 0 and f"{len(sample_inputs())} unchanged, 0 processed" in second.stderr
    runs = pd.read_parquet(tmp_path / "out" / "runs")
    assert list(runs.sort_values("started_at")["n_processed"]) == [len(sample_inputs()), 0]
    query = run("query", str(tmp_path / "out"), "SELECT count(*) AS n FROM articles", "--format", "csv")
    assert query.returncode == 0 and query.stdout.split() == ["n", str(len(sample_inputs()))]


def test_annotate_jsonl_with_a_bad_line():
    lines = "\n".join([
        json.dumps({"id": 1, "text": "정부는 2025년 2월 10일 파리에서 60개 국가와 선언문을 발표했다.", "anchor": "2025-02-11"},
                   ensure_ascii=False),
        "this is not json",
        json.dumps({"id": 3}),
        json.dumps({"id": 4, "text": "이종호 과학기술정보통신부 장관은 22일 70여 명과 만났다.", "anchor": "2024-05-22"},
                   ensure_ascii=False),
    ]) + "\n"
    out = run("annotate", input_text=lines)
    assert out.returncode == 0, out.stderr
    results = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r.get("id") for r in results] == [1, None, 3, 4]
    assert "error" in results[1] and "error" in results[2]
    first = {m["kind"]: m for m in results[0]["mentions"]}
    assert first["date"]["value"]["start"] == "2025-02-10" and first["number"]["value"]["counted"] == "country"
    text = json.loads(lines.splitlines()[0])["text"]
    for m in results[0]["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
    kinds = {m["kind"] for m in results[3]["mentions"]}
    assert {"date", "number", "official", "organization"} <= kinds


def test_query_is_confined_to_the_tables_folder(sample_run, tmp_path):
    import pytest

    from pipeline.analyst.query import run_query
    from pipeline.exits import UserError

    assert run_query(sample_run, "SELECT count(*) AS n FROM articles").n[0] == len(sample_inputs())
    outside = tmp_path / "outside.csv"
    refused = ["SELECT * FROM read_csv('/etc/passwd', sep=':')", "SELECT * FROM read_text('/etc/passwd')",
               f"SELECT * FROM read_text('{sample_run}/../../../../etc/passwd')",
               f"COPY (SELECT 1 AS x) TO '{outside}'", f"ATTACH '{tmp_path / 'new.db'}'",
               "SELECT * FROM read_csv('https://example.com/x.csv')", "INSTALL httpfs",
               "SET enable_external_access = true"]
    for sql in refused:
        with pytest.raises(UserError, match="SQL error"):          # a refused statement is the user's error
            run_query(sample_run, sql)
    assert not outside.exists() and not (tmp_path / "new.db").exists()
    out = run("query", str(sample_run), "SELECT * FROM read_csv('/etc/passwd', sep=':', header=false)")
    assert out.returncode == 2 and out.stderr.startswith("pipeline: exit 2: SQL error: Permission")
    allowed = run("query", str(sample_run), "SELECT count(*) AS n FROM read_text('/etc/passwd')", "--format", "csv",
                  "--allow-files")
    assert allowed.returncode == 0 and allowed.stdout.split() == ["n", "1"], allowed.stderr


def test_annotate_survives_surrogates_bad_bytes_and_deep_json():
    lines = (b'{"id": 1, "text": "\\ud800 \xec\xa0\x95\xeb\xb6\x80\xeb\x8a\x94 2025\xeb\x85\x84 2\xec\x9b\x94 10\xec\x9d\xbc"}\n'
             b"\xff\xfe not utf-8\n" + b"[" * 100_000 + b"\n" + b'{"id": "\\udc80", "text": "x"}\n'
             b'{"id": 5, "text": "ok"}\n')
    out = subprocess.run([*PY, "annotate"], input=lines, capture_output=True, timeout=600)
    assert out.returncode == 0, out.stderr
    results = [json.loads(line) for line in out.stdout.decode("utf-8").splitlines()]
    assert [r.get("id") for r in results] == [1, None, None, "\ufffd", 5]
    assert "mentions" in results[0] and results[0]["mentions"][0]["value"]["start"] == "2025-02-10"
    assert "error" in results[1] and "error" in results[2] and "mentions" in results[4]
