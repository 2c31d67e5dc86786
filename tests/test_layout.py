"""The package's layout rules (issue 13), stated as tests so a later change cannot quietly break them.

- ``pipeline/`` reads as the path of a document: one folder per stage, each with a docstring saying what
  enters and what leaves;
- no module over 600 lines;
- imports point one way, down the stages (reading → cleaning → vocabulary → tokeniser → extractors → events
  → one document → the batch job → the analyst's tools → the CLI; the measuring tools may use anything,
  nothing uses them);
- the stages between reading and writing are pure: no disk (their own packaged ``data/`` files aside), no
  clock, no environment, no processes or network.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
MAX_LINES = 600

# rank of each top-level unit; a module may import units of its own rank or lower, and the shared leaves
RANK = {"ingest": 0, "clean": 1, "lexicon": 2, "nlp": 3, "extract": 4, "events": 5, "document": 6,
        "batch": 7, "analyst": 8, "cli": 9, "__main__": 10, "quality": 11}
SHARED_LEAVES = {"settings", "schema", "exits", ""}   # "" is the package itself (``__version__``); exits: the exit codes
PURE_STAGES = {"clean", "lexicon", "nlp", "extract", "events"}
IMPURE_MODULES = {"os", "sys", "time", "subprocess", "socket", "shutil", "tempfile", "glob", "random",
                  "urllib", "http", "requests", "multiprocessing", "threading", "logging"}
IMPURE_ATTRIBUTES = {"now", "today", "utcnow", "write_text", "write_bytes", "mkdir", "unlink", "rename",
                     "rmtree", "touch", "environ", "getenv"}
READS = {"open", "read_text", "read_bytes"}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def unit_of(module: str) -> str:
    """``pipeline.extract.dates`` -> ``extract``; ``pipeline.settings`` -> ``settings``; ``pipeline`` -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def dotted(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path) -> list[str]:
    """Every pipeline module ``path`` imports (relative imports resolved), at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = dotted(path) if path.name == "__init__.py" else dotted(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "pipeline" or target.startswith("pipeline."):
                found += [f"{target}.{a.name}" if target == "pipeline" and a.name != "__version__" else target
                          for a in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("pipeline")]
    return found


def test_every_stage_folder_says_what_enters_and_leaves():
    folders = [p for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
               and p.name not in ("templates",) and any(p.glob("*.py"))]
    assert {f.name for f in folders} >= {"ingest", "clean", "lexicon", "extract", "events", "batch", "analyst",
                                          "quality"}
    for folder in folders:
        init = folder / "__init__.py"
        assert init.exists(), f"{folder.name}/ has no __init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc.split()) >= 20, f"{folder.name}/__init__.py needs a paragraph: what enters, what leaves"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_the_limit(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {n} lines (limit {MAX_LINES}): split it along its jobs"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_stages(path):
    own = unit_of(dotted(path))
    if own in SHARED_LEAVES:          # the leaves import nothing above themselves
        ups = [m for m in imported_modules(path) if unit_of(m) not in SHARED_LEAVES]
        assert not ups, f"{path.name} is a shared leaf but imports {ups}"
        return
    assert own in RANK, f"{own}: a new top-level unit needs a place in RANK (tests/test_layout.py)"
    for target in imported_modules(path):
        unit = unit_of(target)
        if unit in SHARED_LEAVES or unit == own:
            continue
        assert unit in RANK, f"{path.name} imports unknown unit {target}"
        assert RANK[unit] <= RANK[own], (f"{path.relative_to(PACKAGE)} ({own}) imports {target} ({unit}): "
                                         "imports must point down the stages")


def _reads_own_data_only(tree: ast.Module, source: str) -> bool:
    """A module may read files only if it reads its own packaged data: a path built from ``__file__`` and data/."""
    for node in tree.body:
        if isinstance(node, ast.Assign):
            text = ast.get_source_segment(source, node.value) or ""
            if "__file__" in text and "data" in text:
                return True
    return "__file__" in source and '"data"' in source


@pytest.mark.parametrize("path", [p for p in modules() if unit_of(dotted(p)) in PURE_STAGES],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_stages_between_reading_and_writing_are_pure(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bad = [a.name for a in node.names if a.name.split(".")[0] in IMPURE_MODULES]
            assert not bad, f"{path.name} imports {bad}: pure stages touch no disk, clock, environment or process"
        elif isinstance(node, ast.ImportFrom) and not node.level:
            assert (node.module or "").split(".")[0] not in IMPURE_MODULES, f"{path.name} imports from {node.module}"
        elif isinstance(node, ast.Attribute):
            assert node.attr not in IMPURE_ATTRIBUTES, f"{path.name} uses .{node.attr} (line {node.lineno})"
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in READS:
                assert _reads_own_data_only(tree, source), (
                    f"{path.name} reads a file (line {node.lineno}) but only a stage's own data/ may be read")


def test_the_layout_rules_can_fail(tmp_path):
    """The checks above find a violation when there is one (so a green run means something)."""
    bad = PACKAGE / "clean" / "_layout_probe.py"
    bad.write_text("from pipeline.batch.runner import run_extract\nimport time\n", encoding="utf-8")
    try:
        assert "pipeline.batch.runner" in imported_modules(bad)
        with pytest.raises(AssertionError):
            test_imports_point_down_the_stages(bad)
        with pytest.raises(AssertionError):
            test_stages_between_reading_and_writing_are_pure(bad)
    finally:
        bad.unlink()
