"""Stage 5: present an `AuditReport`, for people (terminal, markdown, html, github annotations) or for
machines and their tools (json, junit, sarif, csv).

One enum names the formats and `write_report` dispatches over it, ending in `assert_never`: adding a
format is one new module plus one enum member, and forgetting the dispatch fails type-checking (and the
test that loops over every member). Reporters write only to the stream they are given; `write_report_file`
is the one place that opens a file, and it replaces the destination atomically so an interrupted run never
leaves half a report behind.
"""

from __future__ import annotations

import contextlib
import os
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
    "ExtractFormat",
    "ReportFormat",
    "atomic_text_file",
    "write_report",
    "write_report_file",
]

#: The JSON report's schema name (`linkaudit.report.json` writes it).
REPORT_SCHEMA = "linkaudit.report/1"


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


class ExtractFormat(StrEnum):
    """`--format` of `linkaudit extract` (written by `linkaudit.report.extract`)."""

    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"


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
    """
    destination = Path(path)
    if destination.is_symlink():
        destination = destination.resolve()
    existing_mode: int | None = None
    with contextlib.suppress(FileNotFoundError):
        existing_mode = stat.S_IMODE(destination.stat().st_mode)
    temporary = destination.with_name(f".{destination.name}.{os.urandom(4).hex()}.tmp")
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
