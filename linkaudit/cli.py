"""The command line: typer options in, one library call, output and exit code out.

This is the only module that writes to stdout/stderr or decides exit codes: 0 ok, 1 failing links,
2 usage or configuration error, 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from linkaudit import __version__
from linkaudit.extract import DEFAULT_EXTENSIONS, UsageError, collect_inputs, extract_files
from linkaudit.extract.document import DEFAULT_MAX_FILE_SIZE
from linkaudit.report.extract import ExtractFormat, write_extract

__all__ = ["app", "main"]

app = typer.Typer(
    name="linkaudit",
    help="Audit the links and images that articles cite: find link rot, with the evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"linkaudit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Audit the links and images that articles cite: find link rot, with the evidence."""


def fail_usage(message: str) -> typer.Exit:
    typer.echo(f"linkaudit: error: {message}", err=True)
    return typer.Exit(2)


PathsArg = Annotated[
    list[str],
    typer.Argument(help="Files, folders (searched recursively), globs, or - for standard input.", show_default=False),
]
ExtensionsOpt = Annotated[
    str, typer.Option("--extensions", help="Comma-separated file extensions searched for in folders.")
]
ExcludePathOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude-path", help="Skip files whose path matches this regex (repeatable).", show_default=False),
]
RootOpt = Annotated[
    Path | None,
    typer.Option("--root", help="Folder that root-relative links (/x) resolve against [default: the audited folder]."),
]
MaxSizeOpt = Annotated[int, typer.Option("--max-file-size", help="Skip (and report) files larger than this, in bytes.")]


@app.command()
def extract(
    paths: PathsArg,
    fmt: Annotated[ExtractFormat, typer.Option("--format", "-f", help="Output format.")] = ExtractFormat.TEXT,
    extensions: ExtensionsOpt = ",".join(DEFAULT_EXTENSIONS),
    exclude_path: ExcludePathOpt = None,
    root: RootOpt = None,
    max_file_size: MaxSizeOpt = DEFAULT_MAX_FILE_SIZE,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Processes to extract with [default: all cores].")] = None,
) -> None:
    """List every cited URL and image, with file, line and column. Touches no network."""
    try:
        files, walk_errors = collect_inputs(
            paths, extensions=extensions.split(","), exclude_paths=exclude_path or (), root=root
        )
    except UsageError as exc:
        raise fail_usage(str(exc)) from None
    result = extract_files(files, max_size=max_file_size, jobs=jobs)
    if walk_errors:
        from dataclasses import replace

        result = replace(result, errors=tuple(walk_errors) + result.errors)
    write_extract(result, fmt, sys.stdout)
    sys.stdout.flush()
    for error in result.errors:
        typer.echo(f"linkaudit: {error.file}: {error.message}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    try:
        app(args=argv, prog_name="linkaudit")
    except BrokenPipeError:
        sys.stderr.close()
        raise SystemExit(0) from None
