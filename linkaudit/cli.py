"""The command line: typer options in, one library call, output and exit code out.

This is the only module that writes to stdout/stderr or decides exit codes: 0 ok, 1 failing links,
2 usage or configuration error, 130 interrupted.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from typer import TyperException

from linkaudit import __version__
from linkaudit._typer_compat import usage_problem
from linkaudit.extract import DEFAULT_EXTENSIONS, InputFile, UsageError, collect_inputs, extract_files
from linkaudit.extract.document import DEFAULT_MAX_FILE_SIZE
from linkaudit.models import AuditReport, FileError, Verdict
from linkaudit.report import ReportFormat, write_report, write_report_file
from linkaudit.report.extract import ExtractFormat, write_extract
from linkaudit.report.progress import choose_observer, close_observer
from linkaudit.report.read import ReportReadError, read_report
from linkaudit.settings import DEFAULT_USER_AGENT, CheckSettings, HeaderRule, HostPolicy

if TYPE_CHECKING:
    from linkaudit.audit import AuditOutcome
    from linkaudit.check.resolve import Resolver

# The checker (trio, httpx) and the demo are imported by the commands that use them: `extract` and
# `--help` then start without ~0.45 s of imports.

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
    typer.Argument(
        help="Files, folders (searched recursively), globs, or - for standard input.", show_default=False
    ),
]
ExtensionsOpt = Annotated[
    str, typer.Option("--extensions", help="Comma-separated file extensions searched for in folders.")
]
ExcludePathOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude-path", help="Skip files whose path matches this regex (repeatable).", show_default=False
    ),
]
RootOpt = Annotated[
    Path | None,
    typer.Option(
        "--root", help="Folder that root-relative links (/x) resolve against (default: the audited folder)."
    ),
]
ReportFormatOpt = Annotated[
    ReportFormat,
    typer.Option(
        "--format",
        "-f",
        metavar="<format>",
        help=f"Report format: {', '.join(f.value for f in ReportFormat)}.",
    ),
]
MaxSizeOpt = Annotated[
    int, typer.Option("--max-file-size", help="Skip (and report) files larger than this, in bytes.")
]


@app.command()
def extract(
    paths: PathsArg,
    fmt: Annotated[ExtractFormat, typer.Option("--format", "-f", help="Output format.")] = ExtractFormat.TEXT,
    extensions: ExtensionsOpt = ",".join(DEFAULT_EXTENSIONS),
    exclude_path: ExcludePathOpt = None,
    root: RootOpt = None,
    max_file_size: MaxSizeOpt = DEFAULT_MAX_FILE_SIZE,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Processes to extract with (default: all cores).")
    ] = None,
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
        result = replace(result, errors=tuple(walk_errors) + result.errors)
    write_extract(result, fmt, sys.stdout)
    sys.stdout.flush()
    for error in result.errors:
        typer.echo(f"linkaudit: {error.file}: {error.message}", err=True)


def _parse_statuses(values: list[str]) -> frozenset[int]:
    codes: set[int] = set()
    for value in values:
        for raw in value.split(","):
            part = raw.strip()
            if not part:
                continue
            low, sep, high = part.partition("-") if "-" in part else part.partition("..")
            try:
                first, last = int(low), int(high) if sep else int(low)
            except ValueError:
                raise fail_usage(
                    f"--accept {part!r}: expected a status like 403 or a range like 400-499"
                ) from None
            if not (100 <= first <= last <= 999):
                raise fail_usage(f"--accept {part!r}: statuses are 100-999")
            codes.update(range(first, last + 1))
    return frozenset(codes)


def _parse_verdicts(value: str) -> frozenset[Verdict]:
    verdicts: set[Verdict] = set()
    for raw in value.split(","):
        part = raw.strip()
        if not part:
            continue
        try:
            verdicts.add(Verdict(part))
        except ValueError:
            choices = ", ".join(v.value for v in Verdict)
            raise fail_usage(f"--fail-on {part!r}: not a verdict (one of {choices})") from None
    return frozenset(verdicts)


def _parse_headers(values: list[str]) -> tuple[HeaderRule, ...]:
    rules: list[HeaderRule] = []
    for value in values:
        head, sep, rest = value.partition(":")
        host: str | None = None
        if "=" in head:
            host, head = head.split("=", 1)
            host = host.strip().lower()
        name = head.strip()
        if not sep or not name or any(c in name for c in ' \t()<>@,;\\"/[]?={}'):
            raise fail_usage(f"--header {value!r}: expected 'Name: value' or 'HOST=Name: value'")
        rules.append(HeaderRule(name=name, value=rest.strip(), host=host or None))
    return tuple(rules)


def _parse_host_values(
    option: str, values: list[str], cast: type[int] | type[float]
) -> tuple[float | None, dict[str, float]]:
    """`N` sets the default; `HOST=N` sets it for one host."""
    default: float | None = None
    per_host: dict[str, float] = {}
    for value in values:
        host, sep, number = value.rpartition("=")
        try:
            parsed = float(cast(number))
        except ValueError:
            raise fail_usage(f"{option} {value!r}: expected a number or HOST=NUMBER") from None
        if parsed < 0 or (cast is int and parsed < 1):
            raise fail_usage(f"{option} {value!r}: must be positive")
        if sep:
            per_host[host.strip().lower()] = parsed
        else:
            default = parsed
    return default, per_host


def _parse_resolve(value: str) -> tuple[str, str | None]:
    from linkaudit.check.resolve import parse_resolve  # noqa: PLC0415 - lazy: see the imports

    return parse_resolve(value)


def _resolve_map(values: list[str]) -> dict[str, str | None]:
    resolved: dict[str, str | None] = {}
    for value in values:
        try:
            host, target = _parse_resolve(value)
        except ValueError as exc:
            raise fail_usage(str(exc)) from None
        resolved[host] = target
    return resolved


def _collect(
    paths: list[str], extensions: str, exclude_path: list[str] | None, root: Path | None
) -> tuple[list[InputFile], list[FileError]]:
    try:
        return collect_inputs(
            paths, extensions=extensions.split(","), exclude_paths=exclude_path or (), root=root
        )
    except UsageError as exc:
        raise fail_usage(str(exc)) from None


def _run_audit(
    files: list[InputFile],
    walk_errors: list[FileError],
    settings: CheckSettings,
    *,
    fmt: ReportFormat,
    output: str | None,
    quiet: bool,
    verbose: bool,
    max_file_size: int,
    jobs: int | None,
    resolver: Resolver | None = None,
) -> AuditOutcome:
    from linkaudit.audit import audit_extracted  # noqa: PLC0415 - lazy: see the imports

    observer = choose_observer(Console(stderr=True), quiet=quiet, verbose=verbose)
    try:
        extracted = extract_files(files, max_size=max_file_size, jobs=jobs)
        outcome = audit_extracted(
            extracted, settings, observer=observer, resolver=resolver, extra_errors=walk_errors
        )
    finally:
        close_observer(observer)
    target = _write_output(outcome.report, fmt, output, verbose=verbose)
    if target != "-" and fmt is not ReportFormat.TERMINAL and not quiet:
        write_report(
            outcome.report, ReportFormat.TERMINAL, sys.stdout, color=Console().is_terminal, verbose=verbose
        )
    _append_job_summary(outcome.report)
    if outcome.interrupted:
        typer.echo("linkaudit: interrupted; the report holds what was checked (partial)", err=True)
    return outcome


def _write_output(report: AuditReport, fmt: ReportFormat, output: str | None, *, verbose: bool) -> str:
    """Write the report to `output` (stdout when None or -), exit 2 if it cannot be; returns where it went."""
    out_console = Console()
    target = output if output is not None else "-"
    try:
        write_report_file(
            report,
            fmt,
            target,
            color=out_console.is_terminal and target == "-",
            verbose=verbose,
            width=out_console.width if out_console.is_terminal else None,
        )
    except OSError as exc:
        raise fail_usage(f"cannot write report to {target}: {exc.strerror or exc}") from None
    return target


def _append_job_summary(report: AuditReport) -> None:
    """In a GitHub Actions step, add the Markdown summary to the job's summary page (a warning if not)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8", newline="\n") as out:
            if out.tell():
                out.write("\n")
            write_report(report, ReportFormat.MARKDOWN, out, color=False, verbose=False)
    except OSError as exc:
        typer.echo(
            f"linkaudit: warning: cannot add the job summary to {path}: {exc.strerror or exc}", err=True
        )


def _exit_code(outcome: AuditOutcome, fail_on: frozenset[Verdict]) -> int:
    if outcome.interrupted:
        return 130
    failing = any(result.judgement.verdict in fail_on for result in outcome.report.results)
    return 1 if failing else 0


@app.command()
def check(
    paths: PathsArg,
    fmt: ReportFormatOpt = ReportFormat.TERMINAL,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the report here (- for stdout), atomically.")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Skip URLs matching this regex (repeatable).")
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include", help="Check URLs matching this regex even if --exclude matches (repeatable)."
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Deadline per attempt, in seconds: connect, headers and body.")
    ] = 20.0,
    retries: Annotated[int, typer.Option("--retries", help="Retries of transient failures, per URL.")] = 3,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Requests in flight, in all.")] = 64,
    host_concurrency: Annotated[
        list[str] | None,
        typer.Option(
            "--host-concurrency", help="Requests in flight per host: N, or HOST=N (repeatable; default 4)"
        ),
    ] = None,
    host_interval: Annotated[
        list[str] | None,
        typer.Option(
            "--host-interval",
            help="Seconds between request starts per host: S, or HOST=S (repeatable; default 0.1)",
        ),
    ] = None,
    max_redirects: Annotated[int, typer.Option("--max-redirects", help="Redirect hops followed.")] = 10,
    max_retry_wait: Annotated[
        float,
        typer.Option("--max-retry-wait", help="Longest wait honoured from Retry-After or backoff, seconds."),
    ] = 60.0,
    user_agent: Annotated[str, typer.Option("--user-agent", help="User-Agent header.")] = DEFAULT_USER_AGENT,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header", "-H", help="Extra header 'Name: value', or 'HOST=Name: value' for one host."
        ),
    ] = None,
    accept: Annotated[
        list[str] | None, typer.Option("--accept", help="Extra statuses counted live, e.g. 403 or 400-499.")
    ] = None,
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Comma-separated verdicts that make the run fail (exit 1).")
    ] = "dead",
    resolve: Annotated[
        list[str] | None,
        typer.Option(
            "--resolve",
            help="HOST:ADDR[:PORT] like curl (HOST may be * or *.domain; ADDR 'nxdomain' = name not found).",
        ),
    ] = None,
    extensions: ExtensionsOpt = ",".join(DEFAULT_EXTENSIONS),
    exclude_path: ExcludePathOpt = None,
    root: RootOpt = None,
    max_file_size: MaxSizeOpt = DEFAULT_MAX_FILE_SIZE,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Processes to extract with.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes on stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show live links too, and notes.")] = False,
) -> None:
    """Extract every link, probe each distinct URL once, and report verdicts with their evidence."""
    if timeout <= 0 or retries < 0 or concurrency < 1 or max_redirects < 0 or max_retry_wait < 0:
        raise fail_usage(
            "--timeout and --concurrency must be positive; --retries, --max-redirects and waits >= 0"
        )
    conc_default, conc_hosts = _parse_host_values("--host-concurrency", host_concurrency or [], int)
    gap_default, gap_hosts = _parse_host_values("--host-interval", host_interval or [], float)
    base = HostPolicy(
        concurrency=int(conc_default) if conc_default is not None else 4,
        interval=gap_default if gap_default is not None else 0.1,
    )
    overrides = {
        host: HostPolicy(
            concurrency=int(conc_hosts.get(host, base.concurrency)),
            interval=gap_hosts.get(host, base.interval),
        )
        for host in set(conc_hosts) | set(gap_hosts)
    }
    for pattern in (exclude or []) + (include or []):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise fail_usage(f"bad URL pattern {pattern!r}: {exc}") from None
    settings = CheckSettings(
        concurrency=concurrency,
        host=base,
        host_overrides=overrides,
        timeout=timeout,
        retries=retries,
        max_retry_wait=max_retry_wait,
        max_redirects=max_redirects,
        user_agent=user_agent,
        headers=_parse_headers(header or []),
        accept=_parse_statuses(accept or []),
        include=tuple(include or ()),
        exclude=tuple(exclude or ()),
        resolve=_resolve_map(resolve or []),
        fail_on=_parse_verdicts(fail_on),
    )
    files, walk_errors = _collect(paths, extensions, exclude_path, root)
    outcome = _run_audit(
        files,
        walk_errors,
        settings,
        fmt=fmt,
        output=output,
        quiet=quiet,
        verbose=verbose,
        max_file_size=max_file_size,
        jobs=jobs,
    )
    raise typer.Exit(_exit_code(outcome, settings.fail_on))


@app.command()
def demo(
    fmt: ReportFormatOpt = ReportFormat.TERMINAL,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the report here (- for stdout).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show live links too.")] = False,
) -> None:
    """Audit bundled articles against a small simulated web on loopback: every verdict, no internet needed."""
    from linkaudit.check.resolve import Resolver  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.demo import (  # noqa: PLC0415
        DEMO_EXPECTED,
        build_demo_web,
        closing_line,
        demo_articles,
        demo_name,
    )

    web = build_demo_web()
    with web:
        # Every name the articles cite is mapped here; any other is "name not found", never the system DNS.
        resolver = Resolver({**web.resolve, "*": None}, system=False)
        settings = CheckSettings(retry_base=0.2, max_retry_wait=5.0, rate_limit_retries=2)
        files, walk_errors = _collect([str(demo_articles())], ",".join(DEFAULT_EXTENSIONS), None, None)
        files = [replace(file, display=demo_name(file.path)) for file in files]
        walk_errors = [replace(error, file=demo_name(error.file)) for error in walk_errors]
        outcome = _run_audit(
            files,
            walk_errors,
            settings,
            fmt=fmt,
            output=output,
            quiet=quiet,
            verbose=verbose,
            max_file_size=DEFAULT_MAX_FILE_SIZE,
            jobs=1,
            resolver=resolver,
        )
    if outcome.interrupted:
        raise typer.Exit(130)
    got = {r.target.url: r.judgement.verdict.value for r in outcome.report.results if r.target.is_http}
    wrong = {url: (want, got.get(url)) for url, want in DEMO_EXPECTED.items() if got.get(url) != want}
    for url, (want, seen) in sorted(wrong.items()):
        typer.echo(f"linkaudit demo: {url}: expected {want}, got {seen}", err=True)
    typer.echo(f"{closing_line(outcome.report)} — now try: linkaudit check examples/articles", err=True)
    raise typer.Exit(1 if wrong else 0)


@app.command(name="report")
def report_command(
    path: Annotated[
        str,
        typer.Argument(
            metavar="REPORT.json", help="A JSON report saved by check --format json.", show_default=False
        ),
    ],
    fmt: ReportFormatOpt = ReportFormat.TERMINAL,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the report here (- for stdout), atomically.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show live links too.")] = False,
) -> None:
    """Draw a saved JSON report in any format, without checking anything again."""
    try:
        saved = read_report(path)
    except ReportReadError as exc:
        raise fail_usage(str(exc)) from None
    _write_output(saved, fmt, output, verbose=verbose)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: usage errors become one line on stderr (exit 2), never a panel or a traceback."""
    try:
        code = app(args=argv, prog_name="linkaudit", standalone_mode=False)
    except TyperException as exc:
        problem = usage_problem(exc)
        if problem.show_help is not None:  # bare `linkaudit`: the help is the answer
            problem.show_help()
            raise SystemExit(problem.exit_code) from None
        hint = f" (see: {problem.command} --help)" if problem.exit_code == 2 else ""
        typer.echo(f"linkaudit: error: {problem.message}{hint}", err=True)
        raise SystemExit(problem.exit_code) from None
    except typer.Abort:
        raise SystemExit(130) from None
    except BrokenPipeError:
        sys.stderr.close()
        raise SystemExit(0) from None
    raise SystemExit(code if isinstance(code, int) else 0)
