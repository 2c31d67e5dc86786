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


def test_missing_input_folder_is_one_clear_line(tmp_path):
    out = run("extract", str(tmp_path / "nope"), str(tmp_path / "out"))
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0 and "input folder not found" in out.stderr


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
