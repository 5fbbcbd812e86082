"""Stage 5: present an `AuditReport`, for people (terminal, markdown, html, github annotations) or for
machines and their tools (json, junit, sarif, csv).

One enum names the formats and `write_report` dispatches over it, ending in `assert_never`: adding a
format is one new module plus one enum member, and forgetting the dispatch fails type-checking (and the
test that loops over every member). Reporters write only to the stream they are given; `write_report_file`
is the one place that opens a file, and it replaces the destination atomically so an interrupted run never
leaves half a report behind.

Nothing a run found may be lost: `prepare_destination` checks before any work that the report can be
written where the user asked (and removes the temporary files of runs that were killed there), and
`write_report_fallback` puts the report in the temporary folder when writing still fails at the end.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, assert_never

if TYPE_CHECKING:
    from linkaudit.models import AuditReport

# The writers (and rich, which the terminal's needs) are imported when a report is written: the CLI
# imports this package for `ReportFormat` while it starts.

__all__ = [
    "REPORT_SCHEMA",
    "DestinationError",
    "DiffFormat",
    "ExtractFormat",
    "HistoryFormat",
    "ReportFormat",
    "atomic_text_file",
    "prepare_destination",
    "write_report",
    "write_report_fallback",
    "write_report_file",
]

#: The JSON report's schema name (`linkaudit.report.json` writes it).
REPORT_SCHEMA = "linkaudit.report/1"


class DestinationError(Exception):
    """The report cannot be written where the user asked; the message says why, in a few words."""


class ReportFormat(StrEnum):
    """`--format` of `linkaudit check`. Values are CLI strings: add members, never rename."""

    TERMINAL = "terminal"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"
    JUNIT = "junit"
    SARIF = "sarif"
    GITHUB = "github"
    CSV = "csv"
    #: The Markdown report within GitHub's limit for a pull-request comment (65,536 characters).
    PR_COMMENT = "pr-comment"


class ExtractFormat(StrEnum):
    """`--format` of `linkaudit extract` (written by `linkaudit.report.extract`)."""

    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"


class DiffFormat(StrEnum):
    """`--format` of `linkaudit diff` (written by `linkaudit.ci.diff_report`). Add members, never rename."""

    TERMINAL = "terminal"
    JSON = "json"
    MARKDOWN = "markdown"
    GITHUB = "github"
    CSV = "csv"
    JUNIT = "junit"
    SARIF = "sarif"
    HTML = "html"


class HistoryFormat(StrEnum):
    """`--format` of `linkaudit history` (written by `linkaudit.report.history`)."""

    TERMINAL = "terminal"
    JSON = "json"


def write_report(
    report: AuditReport,
    fmt: ReportFormat,
    out: TextIO,
    *,
    color: bool,
    verbose: bool,
    width: int | None = None,
) -> None:
    """Write `report` to `out` in `fmt`. `color`, `verbose` and `width` matter only to human formats."""
    if fmt is ReportFormat.TERMINAL:
        from linkaudit.report.terminal import write_terminal_report  # noqa: PLC0415 - see the imports

        write_terminal_report(report, out, color=color, verbose=verbose, width=width)
    elif fmt is ReportFormat.JSON:
        from linkaudit.report.json import write_json_report  # noqa: PLC0415 - see the imports

        write_json_report(report, out)
    elif fmt is ReportFormat.MARKDOWN:
        from linkaudit.report.markdown import write_markdown_report  # noqa: PLC0415 - see the imports

        write_markdown_report(report, out, verbose=verbose)
    elif fmt is ReportFormat.HTML:
        from linkaudit.report.html import write_html_report  # noqa: PLC0415 - see the imports

        write_html_report(report, out, verbose=verbose)
    elif fmt is ReportFormat.JUNIT:
        from linkaudit.report.junit import write_junit_report  # noqa: PLC0415 - see the imports

        write_junit_report(report, out)
    elif fmt is ReportFormat.SARIF:
        from linkaudit.report.sarif import write_sarif_report  # noqa: PLC0415 - see the imports

        write_sarif_report(report, out)
    elif fmt is ReportFormat.GITHUB:
        from linkaudit.report.github import write_github_report  # noqa: PLC0415 - see the imports

        write_github_report(report, out, verbose=verbose)
    elif fmt is ReportFormat.CSV:
        from linkaudit.report.csv import write_csv_report  # noqa: PLC0415 - see the imports

        write_csv_report(report, out)
    elif fmt is ReportFormat.PR_COMMENT:
        from linkaudit.report.markdown import COMMENT_MAX_BYTES, write_markdown_report  # noqa: PLC0415

        write_markdown_report(report, out, verbose=verbose, max_bytes=COMMENT_MAX_BYTES)
    else:
        assert_never(fmt)


def write_report_file(
    report: AuditReport,
    fmt: ReportFormat,
    path: str | os.PathLike[str],
    *,
    color: bool = False,
    verbose: bool = False,
    width: int | None = None,
    stdout: TextIO | None = None,
) -> None:
    """Write the report to `path` atomically, or to `stdout` (default `sys.stdout`) when `path` is `-`.

    Raises `OSError` when the file cannot be written (missing folder, permissions); the previous file, if
    any, is then left as it was. Colour is off by default: a file is not a terminal.
    """
    if os.fspath(path) == "-":
        out = stdout if stdout is not None else sys.stdout
        write_report(report, fmt, out, color=color, verbose=verbose, width=width)
        out.flush()
        return
    with atomic_text_file(path) as out:
        write_report(report, fmt, out, color=color, verbose=verbose, width=width)


@contextlib.contextmanager
def atomic_text_file(path: str | os.PathLike[str]) -> Iterator[TextIO]:
    """Yield a UTF-8 text stream that replaces `path` only if the `with` block completes.

    The data goes to a hidden temporary file in the same folder (so `os.replace` is an atomic rename on
    the same file system) and is flushed to disk first. On any exception, or Ctrl-C, the temporary file is
    removed and `path` keeps its old content. A symlink is followed, so the file it points to is replaced.
    A destination that is not a regular file (`/dev/null`, a FIFO) is written to as it is, never replaced.
    """
    destination = _resolved(path)
    try:
        info: os.stat_result | None = destination.stat()
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        with open(destination, "w", encoding="utf-8", newline="\n") as out:
            yield out
        return
    existing_mode = stat.S_IMODE(info.st_mode) if info is not None else None
    temporary = _temporary_for(destination)
    # os.open applies the umask to a new file, as open() would for the destination itself.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        if existing_mode is not None:
            os.chmod(temporary, existing_mode)
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _resolved(path: str | os.PathLike[str]) -> Path:
    destination = Path(path)
    return destination.resolve() if destination.is_symlink() else destination


def _temporary_for(destination: Path) -> Path:
    """`.NAME.PID.RANDOM.tmp` beside the destination: the process id tells a later run whether it is stale."""
    return destination.with_name(f".{destination.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")


def _remove_stale_temporaries(destination: Path) -> None:
    """Remove the temporary files that runs killed while writing `destination` (kill -9) left beside it.

    A temporary file whose process is still running belongs to a run writing now and is left alone;
    one without a process id in its name (written before names had one) is stale too.
    """
    prefix, suffix = f".{destination.name}.", ".tmp"
    with contextlib.suppress(OSError), os.scandir(destination.parent) as entries:
        for entry in entries:
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(suffix)):
                continue
            made_by = _TEMPORARY_ID.fullmatch(name[len(prefix) : -len(suffix)])
            if made_by is None or not entry.is_file(follow_symlinks=False):
                continue
            if made_by.group(1) is not None and _process_alive(int(made_by.group(1))):
                continue
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


# What follows `.NAME.` in a temporary file's name: PID.RANDOM, or RANDOM alone (before names had a PID).
_TEMPORARY_ID = re.compile(r"(?:([0-9]+)\.)?[0-9a-f]{8}")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def prepare_destination(path: str | os.PathLike[str]) -> None:
    """Make sure, before any work, that a report can be written at `path` (`-` is standard output).

    Raises `DestinationError` for a missing folder, a folder where the file should be, or a place that
    cannot be written (read-only, no permission): creating and removing the temporary file the report
    will be written through is the one honest test. Removes what killed runs left there.
    """
    if os.fspath(path) == "-":
        return
    destination = _resolved(path)
    folder = destination.parent
    if destination.is_dir():
        raise DestinationError("it is a folder")
    if not folder.is_dir():
        raise DestinationError(
            f"no such folder: {folder}" if not folder.exists() else f"not a folder: {folder}"
        )
    if destination.exists() and not destination.is_file():
        return  # /dev/null, a FIFO: written to as they are
    _remove_stale_temporaries(destination)
    probe = _temporary_for(destination)
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise DestinationError(exc.strerror or str(exc)) from None
    with contextlib.suppress(OSError):
        os.unlink(probe)


def write_report_fallback(report: AuditReport, fmt: ReportFormat, *, verbose: bool = False) -> Path:
    """Write the report to a new file in the temporary folder and return its path (raises `OSError`)."""
    import tempfile  # noqa: PLC0415 - only a failed write needs it (start-up)

    suffix = ".json" if fmt is ReportFormat.JSON else ".txt"
    fd, name = tempfile.mkstemp(prefix="linkaudit-report-", suffix=suffix)
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as out:
            write_report(report, fmt, out, color=False, verbose=verbose)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)
