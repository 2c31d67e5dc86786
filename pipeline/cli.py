"""Command line: a thin layer over the Python API (pipeline.runner, annotate, compact, query).

Every non-zero exit ends with one line on stderr, ``pipeline: exit N: reason`` (also under
--quiet); the codes are in pipeline.exits. SIGTERM is handled like SIGINT.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.exits import OK, USAGE, Terminated, UserError, codes_text, exit_of

_json_final_line = False          # extract --log-format json: the final line is a JSON object too


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


def _final_line(code: int, reason: str) -> None:
    """The last line of every non-zero exit."""
    if _json_final_line:
        import time
        print(json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "level": "ERROR",
                          "message": f"exit {code}: {reason}", "exit": code}, ensure_ascii=False), file=sys.stderr)
    else:
        print(f"pipeline: exit {code}: {reason}", file=sys.stderr)


def _share(value: float, flag: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise UserError(f"{flag} must be a share between 0 and 1, not {value}")
    return value


def _extract_options(args) -> dict:
    """The Settings fields of ``extract`` and ``run`` (the same options, checked the same way)."""
    if args.workers < 0 or args.max_doc_bytes <= 0 or args.doc_timeout < 0:
        raise UserError("--workers must be 0 (chosen from the cores and the work) or more, --max-doc-bytes more "
                        "than 0, --doc-timeout 0 (no limit) or more")
    return dict(workers=args.workers, engine=args.engine, scheduler=args.scheduler, full=args.full,
                max_doc_bytes=args.max_doc_bytes, doc_timeout_s=args.doc_timeout,
                reject_threshold=_share(args.reject_threshold, "--reject-threshold"),
                max_deleted_share=_share(args.max_deleted_share, "--max-deleted-share"),
                allow_deletions=args.allow_deletions, quiet=args.quiet, log_format=args.log_format,
                wait_for_lock=args.wait, follow_symlinks=args.follow_symlinks, export_columns=args.columns)


def cmd_extract(args) -> int:
    global _json_final_line
    from pipeline.batch.runner import run_extract
    from pipeline.settings import Settings

    settings = Settings(**_extract_options(args))
    _setup_logging(args.log_format, args.quiet)
    _json_final_line = args.log_format == "json"
    report = run_extract(Path(args.raw), Path(args.processed), settings, _progress_factory(args.quiet))
    if report.exit_status != OK:
        _final_line(report.exit_status, report.reason)
    return report.exit_status


def _fetch_settings(args, base: dict | None = None):
    from pipeline.settings import Settings

    return Settings(**(base or {}), fetch_delay=args.delay, fetch_per_host=args.per_host, fetch_workers=args.fetch_workers,
                    fetch_timeout=args.timeout, fetch_retries=args.retries, fetch_max_bytes=args.max_page_bytes,
                    fetch_max_new=args.max_new, user_agent=args.user_agent or Settings.user_agent)


def _fetch(args, settings) -> int | None:
    """Run the crawl; a bad sources file is a usage error (None: go on; else the exit code)."""
    from pipeline.ingest.fetch import run_fetch
    from pipeline.ingest.sources import SourcesError

    try:
        return run_fetch(Path(args.sources), Path(args.raw), settings,
                         Path(args.state) if args.state else None).exit_status
    except SourcesError as exc:
        raise UserError(str(exc)) from exc


def cmd_fetch(args) -> int:
    _setup_logging(args.log_format, args.quiet)
    return _fetch(args, _fetch_settings(args))


def cmd_run(args) -> int:
    """fetch, then extract (also after a failed fetch: what is in RAW still gets processed)."""
    from pipeline.batch.runner import run_extract

    _setup_logging(args.log_format, args.quiet)
    settings = _fetch_settings(args, _extract_options(args))
    fetched = _fetch(args, settings)             # a bad sources file raises: nothing is extracted
    report = run_extract(Path(args.raw), Path(args.processed), settings, _progress_factory(args.quiet))
    if report.exit_status != OK:
        _final_line(report.exit_status, report.reason)
    return report.exit_status or fetched


def _input_file(path: str, flag: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{flag} {path}: {'is a folder' if p.is_dir() else 'no such file'}")
    return p


def _output_file(path: str, flag: str) -> Path:
    p = Path(path)
    if p.is_dir():
        raise UserError(f"{flag} {path} is a folder; give a file name")
    if not p.parent.is_dir():
        raise UserError(f"{flag} {path}: the folder {p.parent} does not exist")
    return p


def cmd_annotate(args) -> int:
    from pipeline.analyst.annotate import annotate_lines, dumps, read_lines

    source = open(_input_file(args.input, "--input"), "rb") if args.input else sys.stdin.buffer
    sink = open(_output_file(args.output, "--output"), "w", encoding="utf-8") if args.output else sys.stdout
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


def _existing_output_folder(path: str) -> Path:
    p = Path(path)
    if not p.is_dir():
        raise UserError(f"no output folder at {p}" if not p.exists() else f"{p} is a file, not an output folder")
    return p


def cmd_compact(args) -> int:
    from pipeline.batch.compact import compact

    merged = compact(_existing_output_folder(args.processed))
    print(", ".join(f"{k}: {v} parts merged" for k, v in merged.items()) or "nothing to compact", file=sys.stderr)
    return 0


def _write_frame(frame, fmt: str, output: Path | None) -> None:
    if fmt == "csv":
        frame.to_csv(output or sys.stdout, index=False)
    elif fmt == "json":
        text = frame.to_json(orient="records", force_ascii=False, date_format="iso")
        output.write_text(text + "\n", encoding="utf-8") if output else print(text)
    elif fmt == "parquet":
        frame.to_parquet(output, index=False)
    else:
        import pandas as pd
        with pd.option_context("display.max_rows", 200, "display.max_columns", 20, "display.width", 200,
                               "display.max_colwidth", 60):
            text = frame.to_string(index=False) if len(frame) else "(no rows)"
        output.write_text(text + "\n", encoding="utf-8") if output else print(text)


def cmd_query(args) -> int:
    from pipeline.analyst.query import check_folder, connect, damaged_tables, execute
    from pipeline.batch.storage import Store

    if args.format == "parquet" and not args.output:
        raise UserError("--format parquet needs --output FILE")
    output = _output_file(args.output, "--output") if args.output else None
    if output and not args.sql:
        raise UserError("--output needs the SQL to run (the interactive shell prints to the terminal)")
    check_folder(Path(args.processed))
    store = Store(Path(args.processed))
    with store.reading():
        damaged = damaged_tables(store.root)
        con = connect(store.root, args.allow_files, damaged)
    warning = "".join(f"pipeline: warning: table {name} is damaged ({problem}); queries that use it fail until "
                      f"pipeline extract rebuilds it\n" for name, problem in damaged.items())
    if not args.sql:
        print(warning, end="", file=sys.stderr)
        return _shell(con, store, damaged)
    with store.reading():
        frame = execute(con, args.sql, damaged)      # a failure names the damaged table itself
    print(warning, end="", file=sys.stderr)
    _write_frame(frame, args.format, output)
    return 0


def cmd_report(args) -> int:
    from pipeline.analyst.query import check_folder
    from pipeline.analyst.report import write_report

    processed = _existing_output_folder(args.processed)
    check_folder(processed)
    out = Path(args.out) if args.out else processed / "report"
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file; give a folder")
    index = write_report(processed, out)
    print(f"report written: {index}", file=sys.stderr)
    return 0


def _shell(con, store, damaged) -> int:
    from pipeline.exits import PipelineError
    from pipeline.analyst.query import execute

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
                with store.reading():
                    print(execute(con, buffer, damaged).to_string(index=False))
            except PipelineError as exc:      # keep the shell alive on a bad statement
                print(f"error: {exc}", file=sys.stderr)
            buffer = ""


def _column_map(value: str) -> tuple[tuple[str, str], ...]:
    """--columns: a JSON object {"field": "column"}, inline or in a file."""
    try:
        mapping = json.loads(Path(value).read_text(encoding="utf-8") if not value.lstrip().startswith("{") else value)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {value}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a JSON object: {exc}") from exc
    from pipeline.ingest.exports import valid_mapping

    if not valid_mapping(mapping):
        raise argparse.ArgumentTypeError('expected {"field": "column", ...} (and "header": [...] for a header-less file)')
    return tuple(sorted((k, tuple(v) if k == "header" else v) for k, v in mapping.items()))


def _extract_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--columns", type=_column_map, default=(),
                   help='map export fields to columns, e.g. \'{"body": "내용", "date": "입력시각"}\' or a JSON file '
                        "(fields: id, title, body, date, publisher, url, author; a NAME.columns.json sidecar wins)")
    p.add_argument("--workers", type=int, default=0, help="worker processes (default 0: one per core, fewer for a small run)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local process pool, or a Dask cluster (default: local)")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 "
                                       "(default with --engine dask: a LocalCluster on this machine)")
    p.add_argument("--full", action="store_true", help="reprocess every input, ignoring the manifest")
    p.add_argument("--wait", action="store_true", help="wait for a running job instead of exiting with 75")
    p.add_argument("--max-doc-bytes", type=int, default=5 * 1024 * 1024,
                   help="reject inputs larger than this many bytes (default: 5 MiB)")
    p.add_argument("--doc-timeout", type=float, default=300.0, metavar="SECONDS",
                   help="reject an input as 'timeout' when its reading and cleaning, or its extraction, takes "
                        "longer (default: 300; 0: no limit; the local engine only)")
    p.add_argument("--reject-threshold", type=float, default=0.5,
                   help="exit 3 when more than this share of processed inputs is rejected, duplicates not "
                        "counted (default: 0.5)")
    p.add_argument("--max-deleted-share", type=float, default=0.2,
                   help="refuse with exit 4, changing nothing, when the deleted inputs would drop more than this "
                        "share of the known articles (default: 0.2); also refused: an input folder with no inputs")
    p.add_argument("--allow-deletions", action="store_true",
                   help="confirm a run refused for its deletions (or for an empty input folder)")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="read symbolic links that lead outside RAW (by default they are rejected as outside_input)")
    p.add_argument("--quiet", action="store_true", help="no progress bar, warnings only")
    p.add_argument("--log-format", choices=("plain", "json"), default="plain", help="log lines on stderr")


def _fetch_arguments(p: argparse.ArgumentParser) -> None:
    from pipeline.settings import Settings

    d = Settings()
    p.add_argument("sources", help="the sources file (TOML; see sources.example.toml)")
    p.add_argument("raw", help="the folder pages are saved under (e.g. raw/)")
    p.add_argument("--state", help="the fetch state file (default: RAW/.fetch-state.json)")
    p.add_argument("--delay", type=float, default=d.fetch_delay, help="seconds between requests to one host (default: 2)")
    p.add_argument("--per-host", type=int, default=d.fetch_per_host, help="requests in flight per host (default: 1)")
    p.add_argument("--fetch-workers", type=int, default=d.fetch_workers, help="requests in flight in all (default: 4)")
    p.add_argument("--timeout", type=float, default=d.fetch_timeout, help="connect and read timeout, seconds (default: 20)")
    p.add_argument("--retries", type=int, default=d.fetch_retries, help="retries on timeouts, 429 and 5xx (default: 3)")
    p.add_argument("--max-page-bytes", type=int, default=d.fetch_max_bytes,
                   help="do not save larger responses (default: 5 MiB)")
    p.add_argument("--max-new", type=int, default=d.fetch_max_new, help="new pages per publisher and run (default: 200)")
    p.add_argument("--user-agent", help="the User-Agent sent and matched in robots.txt (put your contact in it)")


FETCH_DESCRIPTION = ("Read SOURCES (TOML: [[publisher]] name, feeds, sitemaps, pages), find article URLs in the "
                     "feeds (RSS/Atom) and sitemaps, and save each page not fetched before as "
                     "RAW/<publisher>/<YYYY-MM-DD>/NAME.html with a NAME.meta.json sidecar. Obeys robots.txt; "
                     "one request at a time per host, --delay apart; retries with backoff; conditional requests "
                     "for feeds and sitemaps. Ends with one line of counts. Exit codes: 0 ok (failed pages "
                     "included: they are logged, counted and tried again next run), 1 failed (e.g. no request got "
                     "an answer), 2 bad arguments or sources file, 75 another fetch holds the state file.")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        """Bad arguments: the usage, then the same final line as every other non-zero exit."""
        self.print_usage(sys.stderr)
        _final_line(USAGE, message)
        sys.exit(USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pipeline",
        description="Korean news pages to Parquet tables of policy events.",
        epilog="Example: pipeline extract raw/ processed/ && pipeline query processed/ "
               "\"SELECT type, name, date_start FROM events\"\n\nExit codes (every command):\n" + codes_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("extract", help="process new and changed pages of RAW into tables under PROCESSED",
                       description="Read every .html/.htm/.txt page under RAW (with optional NAME.meta.json "
                                   "sidecars) and every record of the exports there (.csv, .tsv, .json, .jsonl, "
                                   ".xlsx; one article per record), clean, extract and write Parquet tables under "
                                   "PROCESSED. Only new or changed inputs are processed unless --full.",
                       epilog="Every non-zero exit ends with one line, 'pipeline: exit N: reason'. Exit codes:\n"
                              + codes_text(), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("raw", help="input folder (e.g. raw/)")
    p.add_argument("processed", help="output folder (e.g. processed/)")
    _extract_arguments(p)
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("fetch", help="crawl the feeds, sitemaps and pages of SOURCES into RAW",
                       description=FETCH_DESCRIPTION, epilog="Exit codes:\n" + codes_text(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _fetch_arguments(p)
    p.add_argument("--quiet", action="store_true", help="warnings only")
    p.add_argument("--log-format", choices=("plain", "json"), default="plain", help="log lines on stderr")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("run", help="the nightly job: fetch SOURCES into RAW, then extract RAW into PROCESSED",
                       description="pipeline fetch, then pipeline extract (extract runs even when the fetch "
                                   "failed). Exit code: extract's when not 0, else fetch's; 2 for a bad sources file.",
                       epilog="Exit codes:\n" + codes_text(), formatter_class=argparse.RawDescriptionHelpFormatter)
    _fetch_arguments(p)
    p.add_argument("processed", help="output folder (e.g. processed/)")
    _extract_arguments(p)
    p.set_defaults(func=cmd_run)

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
    p.add_argument("--output", help="write the result to this file, in any format (needed for parquet)")
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


def _on_sigterm(signum, frame) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)       # like Ctrl-C: finally blocks run, locks are released
    try:
        return args.func(args)
    except BrokenPipeError:
        return 0
    except BaseException as exc:              # one clear line, not a traceback
        if isinstance(exc, SystemExit):
            raise
        code, reason = exit_of(exc)
        _final_line(code, reason)
        if os.environ.get("PIPELINE_DEBUG"):
            raise
        return code


if __name__ == "__main__":
    sys.exit(main())
