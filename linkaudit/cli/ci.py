"""The CI commands: `linkaudit diff` (what changed between two reports) and `linkaudit merge` (shards)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

# `commands` registers extract, check, demo, report and history first: --help lists them before these.
from linkaudit.cli import commands as _listed_first  # noqa: F401
from linkaudit.cli.app import app, fail_usage
from linkaudit.report import DiffFormat, ReportFormat


@app.command(
    epilog="Exit codes: 0 nothing newly failing, 1 something newly fails, 2 a report cannot be read or "
    "the output cannot be written."
)
def diff(
    old: Annotated[
        str, typer.Argument(metavar="OLD.json", help="The earlier JSON report.", show_default=False)
    ],
    new: Annotated[
        str, typer.Argument(metavar="NEW.json", help="The later JSON report.", show_default=False)
    ],
    fmt: Annotated[
        DiffFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="<format>",
            help=f"Output format: {', '.join(f.value for f in DiffFormat)}.",
        ),
    ] = DiffFormat.TERMINAL,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the diff here (- for stdout), atomically.")
    ] = None,
) -> None:
    """What changed between two JSON reports: URLs newly failing, fixed, gone, with another verdict."""
    from linkaudit.ci.diff import diff_reports  # noqa: PLC0415 - lazy: see cli/__init__
    from linkaudit.ci.diff_report import write_diff  # noqa: PLC0415
    from linkaudit.cli.run import _prepare_output  # noqa: PLC0415
    from linkaudit.report import atomic_text_file  # noqa: PLC0415
    from linkaudit.report.read import ReportReadError, read_report  # noqa: PLC0415

    _prepare_output(output)
    try:
        before, after = read_report(old), read_report(new)
    except ReportReadError as exc:
        raise fail_usage(str(exc)) from None
    changes = diff_reports(before, after)
    try:
        if output is None or output == "-":
            write_diff(changes, fmt, sys.stdout)
            sys.stdout.flush()
        else:
            with atomic_text_file(output) as out:
                write_diff(changes, fmt, out)
    except BrokenPipeError:
        from linkaudit.cli.app import _stdout_gone  # noqa: PLC0415

        _stdout_gone()
    except OSError as exc:
        raise fail_usage(f"cannot write the diff to {output}: {exc.strerror or exc}") from None
    raise typer.Exit(1 if changes.newly_failing else 0)


@app.command(
    epilog="Exit codes: 0 merged (whatever the verdicts: the exit code of a run is its shards'), 2 the "
    "reports are not one run's full set of shards, or cannot be read or written."
)
def merge(
    reports: Annotated[
        list[str],
        typer.Argument(
            metavar="REPORT.json...",
            help="The JSON reports of check --shard I/N, one per shard.",
            show_default=False,
        ),
    ],
    output: Annotated[
        str, typer.Option("--output", "-o", help="Write the merged report here (- for stdout), atomically.")
    ] = "-",
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", metavar="<format>", help="Report format (json to merge again later)."),
    ] = ReportFormat.JSON,
) -> None:
    """Join the shards of a check run (check --shard I/N) into the report a single run would have written."""
    from rich.console import Console  # noqa: PLC0415 - lazy: see cli/__init__

    from linkaudit.ci.merge import MergeError, merge_reports  # noqa: PLC0415
    from linkaudit.cli.run import _deliver, _prepare_output  # noqa: PLC0415
    from linkaudit.report.read import ReportReadError, read_report  # noqa: PLC0415

    _prepare_output(output)
    try:
        merged = merge_reports([(path, read_report(path)) for path in reports])
    except (ReportReadError, MergeError) as exc:
        raise fail_usage(str(exc)) from None
    if not _deliver(merged, fmt, output, verbose=False, console=Console()):
        raise typer.Exit(2)
