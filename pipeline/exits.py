"""Exit codes of every command, and the errors that carry them.

The CLI turns each error into one line on stderr, ``pipeline: exit N: reason``, and exits with N.
"""
from __future__ import annotations

OK, FAILED, USAGE, TOO_MANY_REJECTS, REFUSED, DAMAGED, BUSY, INTERRUPTED, TERMINATED = 0, 1, 2, 3, 4, 5, 75, 130, 143

CODES = {
    OK: "all inputs handled (rejects included)",
    FAILED: "the run failed (a fault: full disk, a bug); tables as before, or completed by the next run",
    USAGE: "bad arguments or paths (missing, not permitted), missing tables, an SQL error",
    TOO_MANY_REJECTS: "more than --reject-threshold of the processed inputs rejected (duplicates not counted)",
    REFUSED: "refused, nothing changed: no inputs, or deletions over --max-deleted-share (--allow-deletions)",
    DAMAGED: "query, report, compact: a table is damaged; pipeline extract rebuilds it",
    BUSY: "another run holds the output folder (query/report: its commit is pending)",
    INTERRUPTED: "interrupted (SIGINT)",
    TERMINATED: "terminated (SIGTERM)",
}


def codes_text() -> str:
    """Every code with its meaning, one a line, for --help."""
    return "\n".join(f"  {code:>3} {meaning}" for code, meaning in CODES.items())


class PipelineError(Exception):
    """An error with an exit code and a message that is one plain sentence."""
    code = FAILED


class UserError(PipelineError, ValueError):
    code = USAGE


class Damaged(PipelineError):
    code = DAMAGED


class Busy(PipelineError):
    code = BUSY


class Terminated(BaseException):
    """Raised by the SIGTERM handler, so that ``finally`` blocks run and locks are released."""
    code = TERMINATED


def exit_of(exc: BaseException) -> tuple[int, str]:
    """The exit code and reason for an exception that ends a command."""
    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED, "interrupted (SIGINT)"
    if isinstance(exc, Terminated):
        return TERMINATED, "terminated (SIGTERM)"
    if isinstance(exc, PipelineError):
        return exc.code, one_line(str(exc))
    if isinstance(exc, PermissionError):        # an operator's setup, not a fault of the run
        return USAGE, one_line(f"permission denied: {exc.filename or exc}")
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return FAILED, one_line(f"{exc.strerror.lower()}{where}")
    return FAILED, one_line(f"{type(exc).__name__}: {exc}")


def one_line(text: str) -> str:
    return " ".join(text.split())
