"""Smoke tests of the benchmark: the corpus generator at a tiny size, and ``--quick`` end to end.

No timing assertions here: the speed and memory goals live in ``make bench``.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipeline.quality import bench

ROOT = Path(__file__).resolve().parent.parent
N_DOCS = 20


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_corpus_is_reproducible_and_varied(tmp_path):
    sources = bench.load_sources()
    rows_a = bench.write_corpus(tmp_path / "a", N_DOCS, seed=7, sources=sources)
    rows_b = bench.write_corpus(tmp_path / "b", N_DOCS, seed=7, sources=sources)
    files_a, files_b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert files_a == files_b                      # same bytes, same names, with the same seed
    assert rows_a == rows_b
    bench.write_corpus(tmp_path / "c", N_DOCS, seed=8, sources=sources)
    assert _files(tmp_path / "c") != files_a       # and the seed matters

    pages = rows_a
    assert len(pages) == N_DOCS
    kinds = {r["kind"] for r in pages}
    assert kinds == {"html", "text"}
    for row in pages:
        data = files_a[row["path"]]
        assert bench.MIN_BYTES <= len(data) <= bench.MAX_BYTES, (row["path"], len(data))
        assert row["bytes"] == len(data)
        assert row["text"].strip()
        if row["kind"] == "html":
            assert row["path"].endswith(".html") and b"<article" in data and b"<nav" in data and b"<footer>" in data
        else:
            assert row["path"].endswith(".txt")
    cp949 = [r for r in pages if r["encoding"].startswith("cp949")]
    assert cp949
    for row in cp949:
        data = files_a[row["path"]]
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise AssertionError(f"{row['path']} decodes as UTF-8: not a CP949 test page")
        assert data.decode("cp949")
    sidecars = [r["sidecar"] for r in pages if r["sidecar"]]
    assert sidecars and all(s.endswith(".meta.json") for s in sidecars)
    assert {"url", "publisher", "published", "title"} <= set(json.loads(files_a[sidecars[0]]))


def test_small_corpus_is_a_prefix_of_a_larger_one(tmp_path):
    sources = bench.load_sources()
    small = bench.write_corpus(tmp_path / "small", 5, seed=7, sources=sources)
    large = bench.write_corpus(tmp_path / "large", N_DOCS, seed=7, sources=sources)
    assert small == large[:5]


def test_cached_corpus_is_reused(tmp_path):
    first = bench.ensure_corpus(tmp_path, 6, seed=7, log=lambda *_: None)
    marker = first.path / "000" / "untouched"
    marker.write_text("x")
    again = bench.ensure_corpus(tmp_path, 6, seed=7, log=lambda *_: None)
    assert again.path == first.path and marker.exists()
    assert again.stats == first.stats and again.stats["docs"] == 6


def test_quick_bench_runs_end_to_end(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pipeline.quality.bench", "--quick", "--cache-dir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads((tmp_path / "latest-quick.json").read_text(encoding="utf-8"))
    assert figures["measured_at"] and figures["quick"] is True
    labels = [row["label"] for row in figures["rows"]]
    assert any(label.startswith("(a) floor") for label in labels)
    assert any(label.startswith("(b)") for label in labels) and any(label.startswith("(c)") for label in labels)
    assert any(label.startswith("(d)") for label in labels)
    assert {r["name"] for r in figures["ratios"]} >= {"pipeline_over_floor", "all_cores_over_one", "memory_growth",
                                                      "incremental_s", "cpu_over_floor", "startup_s"}
    for side in ("floor", "pipeline"):                  # side by side: throughput at 1 and all cores, CPU per document
        assert set(figures["summary"][side]) >= {"docs_per_s_1", "docs_per_s_all", "cpu_ms_per_doc", "scaling"}
        assert figures["summary"][side]["cpu_ms_per_doc"] > 0
    assert 0 < figures["summary"]["startup_s"] < 600
    assert figures["incremental"]["second_skipped"] == figures["incremental"]["n_inputs"]
    assert figures["incremental"]["second_processed"] == 0
    assert figures["pipeline_1"]["n_processed"] == figures["corpus"]["docs"]
    assert "pipeline ÷ floor" in done.stdout or "÷ floor" in done.stdout
