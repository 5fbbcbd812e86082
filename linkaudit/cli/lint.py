"""`linkaudit lint`: what can be said about citations without the network, for pre-commit hooks.

It extracts the files given (as `check` does), checks the local links only (the file or folder, and the
`#fragment`, must exist) and fails on invalid URLs, missing local files and unreadable articles. Web
URLs are neither requested nor reported: that is `check`'s job, with its store and its politeness.
"""

from __future__ import annotations

from typing import Annotated

import typer

from linkaudit.cli.app import _require_extraction, app, fail_usage
from linkaudit.cli.options import ExcludePathOpt, ExtensionsOpt, PathsArg, ReportFormatOpt, RootOpt
from linkaudit.defaults import DEFAULT_EXTENSIONS, DEFAULT_MAX_FILE_SIZE
from linkaudit.report import ReportFormat


@app.command(
    epilog="Exit codes: 0 no invalid URL or missing local file, 1 some (or an unreadable article), "
    "2 usage error, 130 interrupted."
)
def lint(
    paths: PathsArg,
    fmt: ReportFormatOpt = ReportFormat.TERMINAL,
    extensions: ExtensionsOpt = ",".join(DEFAULT_EXTENSIONS),
    exclude_path: ExcludePathOpt = None,
    root: RootOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes on stderr.")] = False,
) -> None:
    """Check citations without the network: invalid URLs and missing local files (and #fragments) fail."""
    from linkaudit.cli.run import _collect, _exit_code, _run_audit  # noqa: PLC0415 - lazy: see cli/__init__
    from linkaudit.extract.sources import is_web_address  # noqa: PLC0415
    from linkaudit.models import Verdict  # noqa: PLC0415
    from linkaudit.settings import CheckSettings  # noqa: PLC0415

    _require_extraction(DEFAULT_MAX_FILE_SIZE, None)
    for path in paths:
        if is_web_address(path):
            raise fail_usage(f"{path}: lint reads files (the links of a web page: linkaudit check {path})")
    files, walk_errors = _collect(paths, extensions, exclude_path, root)
    settings = CheckSettings(fail_on=frozenset({Verdict.DEAD, Verdict.INVALID}))
    outcome, delivered = _run_audit(
        files,
        walk_errors,
        settings,
        fmt=fmt,
        output=None,
        quiet=quiet,
        verbose=False,
        max_file_size=DEFAULT_MAX_FILE_SIZE,
        jobs=None,
        keep=lambda occurrence: not occurrence.target.is_http,
    )
    raise typer.Exit(_exit_code(outcome, delivered, settings))
