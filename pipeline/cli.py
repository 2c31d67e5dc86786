"""Command line: a thin layer over the Python API (pipeline.runner, annotate, compact, query).

Errors are one line on stderr, with exit codes: 0 ok, 1 failed, 2 usage, 3 too many rejects,
75 another run holds the output folder.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from pipeline import __version__

EXIT_FAILED, EXIT_USAGE = 1, 2


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                           "message": record.getMessage()}, ensure_ascii=False)


def _setup_logging(fmt: str, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger("pipeline")
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if quiet else logging.INFO)
    for noisy in ("distributed", "trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def _progress_factory(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None

    def factory(total: int):
        from tqdm import tqdm
        bar = tqdm(total=total, unit="doc", file=sys.stderr, smoothing=0.1)
        return lambda: bar.update(1)
    return factory


def cmd_extract(args) -> int:
    from pipeline.batch.runner import EXIT_OK, run_extract
    from pipeline.settings import Settings

    settings = Settings(workers=args.workers or os.cpu_count() or 1, engine=args.engine, scheduler=args.scheduler,
                        full=args.full, max_doc_bytes=args.max_doc_bytes, reject_threshold=args.reject_threshold,
                        quiet=args.quiet, log_format=args.log_format, wait_for_lock=args.wait,
                        follow_symlinks=args.follow_symlinks)
    _setup_logging(args.log_format, args.quiet)
    report = run_extract(Path(args.raw), Path(args.processed), settings, _progress_factory(args.quiet))
    return report.exit_status


def cmd_annotate(args) -> int:
    from pipeline.analyst.annotate import annotate_lines, dumps, read_lines

    source = open(args.input, "rb") if args.input else sys.stdin.buffer
    sink = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        for result in annotate_lines(read_lines(source)):
            sink.write(dumps(result) + "\n")
            sink.flush()
    finally:
        if args.input:
            source.close()
        if args.output:
            sink.close()
    return 0


def cmd_compact(args) -> int:
    from pipeline.batch.compact import compact

    merged = compact(Path(args.processed))
    print(", ".join(f"{k}: {v} parts merged" for k, v in merged.items()) or "nothing to compact", file=sys.stderr)
    return 0


def cmd_query(args) -> int:
    from pipeline.analyst.query import connect

    con = connect(Path(args.processed), allow_files=args.allow_files)
    sqls = [args.sql] if args.sql else None
    if sqls is None:
        return _shell(con)
    frame = con.execute(args.sql).df()
    if args.format == "csv":
        frame.to_csv(args.output or sys.stdout, index=False)
    elif args.format == "json":
        text = frame.to_json(orient="records", force_ascii=False, date_format="iso")
        (open(args.output, "w", encoding="utf-8").write(text) if args.output else print(text))
    elif args.format == "parquet":
        if not args.output:
            raise ValueError("--format parquet needs --output FILE")
        frame.to_parquet(args.output, index=False)
    else:
        import pandas as pd
        with pd.option_context("display.max_rows", 200, "display.max_columns", 20, "display.width", 200,
                               "display.max_colwidth", 60):
            print(frame.to_string(index=False) if len(frame) else "(no rows)")
    return 0


def cmd_report(args) -> int:
    from pipeline.analyst.report import write_report

    index = write_report(Path(args.processed), Path(args.out) if args.out else Path(args.processed) / "report")
    print(f"report written: {index}", file=sys.stderr)
    return 0


def _shell(con) -> int:
    print("DuckDB over the pipeline tables; views: articles, events, event_clusters, officials, organizations, "
          "locations, dates, numbers, rejects, runs. End a statement with ';'. Ctrl-D quits.", file=sys.stderr)
    buffer = ""
    while True:
        try:
            line = input("sql> " if not buffer else "...> ")
        except EOFError:
            return 0
        buffer += line + "\n"
        if buffer.strip().endswith(";"):
            try:
                print(con.execute(buffer).df().to_string(index=False))
            except Exception as exc:      # keep the shell alive on a bad statement
                print(f"error: {exc}", file=sys.stderr)
            buffer = ""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline",
        description="Korean news pages to Parquet tables of policy events.",
        epilog="Example: pipeline extract raw/ processed/ && pipeline query processed/ "
               "\"SELECT type, name, date_start FROM events\"")
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("extract", help="process new and changed pages of RAW into tables under PROCESSED",
                       description="Read every .html/.htm/.txt page under RAW (with optional NAME.meta.json "
                                   "sidecars), clean, extract and write Parquet tables under PROCESSED. Only new or "
                                   "changed inputs are processed unless --full. Exit codes: 0 ok (rejects included), "
                                   "1 failed, 3 more than --reject-threshold of inputs rejected, 75 another run "
                                   "holds PROCESSED.")
    p.add_argument("raw", help="input folder (e.g. raw/)")
    p.add_argument("processed", help="output folder (e.g. processed/)")
    p.add_argument("--workers", type=int, default=0, help="worker processes (default: all cores)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local process pool, or a Dask cluster (default: local)")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 "
                                       "(default with --engine dask: a LocalCluster on this machine)")
    p.add_argument("--full", action="store_true", help="reprocess every input, ignoring the manifest")
    p.add_argument("--wait", action="store_true", help="wait for a running job instead of exiting with 75")
    p.add_argument("--max-doc-bytes", type=int, default=5 * 1024 * 1024,
                   help="reject inputs larger than this many bytes (default: 5 MiB)")
    p.add_argument("--reject-threshold", type=float, default=0.5,
                   help="exit 3 when more than this share of processed inputs is rejected (default: 0.5)")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="read symbolic links that lead outside RAW (by default they are rejected as outside_input)")
    p.add_argument("--quiet", action="store_true", help="no progress bar, warnings only")
    p.add_argument("--log-format", choices=("plain", "json"), default="plain", help="log lines on stderr")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("annotate", help="mentions for ad-hoc text: JSON Lines in, JSON Lines out",
                       description='Each input line: {"id": ..., "text": ..., "anchor": "YYYY-MM-DD"}; each '
                                   'output line: {"id": ..., "mentions": [...]} or {"id": ..., "error": ...}.')
    p.add_argument("--input", help="read this file instead of stdin")
    p.add_argument("--output", help="write this file instead of stdout")
    p.set_defaults(func=cmd_annotate)

    p = sub.add_parser("compact", help="merge each table's part files into one")
    p.add_argument("processed")
    p.set_defaults(func=cmd_compact)

    p = sub.add_parser("query", help="SQL over the tables with DuckDB (views named after the tables)")
    p.add_argument("processed")
    p.add_argument("sql", nargs="?", help="the SQL to run; without it, an interactive shell")
    p.add_argument("--format", choices=("table", "csv", "json", "parquet"), default="table")
    p.add_argument("--output", help="write the result here (needed for parquet)")
    p.add_argument("--allow-files", action="store_true",
                   help="let SQL read and write files outside PROCESSED (read_csv, COPY ... TO, ATTACH); "
                        "by default only the tables' folder is reachable and extensions never auto-load")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("report", help="static HTML report: events timeline, clusters, highlighted articles",
                       description="Writes index.html (and one page per article) that open from disk with no "
                                   "server and no network.")
    p.add_argument("processed")
    p.add_argument("--out", help="output folder (default: PROCESSED/report)")
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pipeline.batch.locking import LockedError
    try:
        return args.func(args)
    except LockedError as exc:
        print(f"pipeline: {exc}", file=sys.stderr)
        return 75
    except KeyboardInterrupt:
        print("pipeline: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:                   # one clear line, not a traceback
        print(f"pipeline: error: {exc}", file=sys.stderr)
        if os.environ.get("PIPELINE_DEBUG"):
            raise
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
