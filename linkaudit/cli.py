"""The command line: typer options in, one library call, output and exit code out.

This is the only module that writes to stdout/stderr or decides exit codes: 0 ok, 1 failing links or
unreadable articles (`--fail-on`), 2 usage or configuration error (or a report that could not be written
where asked), or a run whose results are in doubt (no network, a captive portal), 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM, handled as Ctrl-C is: partial report). A closed stdout (`| head`) ends
the output quietly; the exit code is the run's own.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import os
import re
import signal
import stat
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.exceptions import TyperException

from linkaudit import __version__, _typer_compat
from linkaudit._typer_compat import usage_problem
from linkaudit.defaults import (
    DEFAULT_EXTENSIONS,
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_STORE,
    DEFAULT_STORE_WAIT,
    DEFAULT_USER_AGENT,
)
from linkaudit.report import ExtractFormat, HistoryFormat, ReportFormat, write_report, write_report_file

if TYPE_CHECKING:
    from types import FrameType

    from rich.console import Console

    from linkaudit.audit import AuditOutcome
    from linkaudit.check.resolve import Resolver
    from linkaudit.extract import ExtractResult, InputFile
    from linkaudit.models import AuditReport, FileError, Occurrence, Verdict
    from linkaudit.settings import CheckSettings, HeaderRule
    from linkaudit.store import HistoryPolicy, Store

# Starting, the CLI imports typer and the option defaults only: each command imports the stages it runs
# (the extractor; the checker with trio and httpx; rich for progress and reports), so that `--version`
# and `--help` start in tens of milliseconds (see benchmarks/startup_bench.py) and `extract` without
# the checker.

__all__ = ["app", "main"]

_typer_compat.install()  # option values without pydantic: see the module

VERSION_LINE = f"linkaudit {__version__}"
EXIT_CODES = (
    "Exit codes: 0 nothing failing, 1 failing links or unreadable articles (see --fail-on), 2 usage or "
    "configuration error, 130 interrupted, 143 terminated."
)

app = typer.Typer(
    name="linkaudit",
    help=f"Audit the links and images that articles cite: find link rot, with the evidence.\n\n{EXIT_CODES}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(VERSION_LINE)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Audit the links and images that articles cite: find link rot, with the evidence."""


def fail_usage(message: str) -> typer.Exit:
    typer.echo(f"linkaudit: error: {message}", err=True)
    return typer.Exit(2)


_WHOLE = "a whole number"
_SECONDS = "a finite number of seconds"


def _require(
    option: str, value: float | None, minimum: float, *, above: bool = False, what: str = _WHOLE
) -> None:
    """A usage error naming the option and its valid range unless `value` is finite and >= (> if `above`)."""
    if value is None or (math.isfinite(value) and (value > minimum if above else value >= minimum)):
        return
    raise fail_usage(f"{option} {value:g}: must be {what} {'>' if above else '>='} {minimum:g}")


def _require_extraction(max_file_size: int, jobs: int | None) -> None:
    _require("--max-file-size", max_file_size, 1, what="a number of bytes")
    _require("--jobs", jobs, 1)


class _Stop:
    """SIGTERM stops a run as Ctrl-C does (a partial report, children ended); the exit code tells which."""

    def __init__(self) -> None:
        self.terminated = False

    def on_terminate(self, signum: int, frame: FrameType | None) -> None:
        self.terminated = True
        interrupt = signal.getsignal(signal.SIGINT)
        if callable(interrupt):
            # Whatever Ctrl-C would do at this point: during the check, trio's handler, which raises
            # KeyboardInterrupt where trio can unwind safely; elsewhere Python's, which raises it here.
            interrupt(signal.SIGINT, frame)
        else:  # Ctrl-C is ignored (a background job of a script); SIGTERM must still stop the run
            raise KeyboardInterrupt

    @property
    def exit_code(self) -> int:
        return 143 if self.terminated else 130

    @contextlib.contextmanager
    def handling_terminate(self) -> Iterator[None]:
        try:
            previous = signal.signal(signal.SIGTERM, self.on_terminate)
        except ValueError:  # not the main thread: signals are not ours to take
            yield
            return
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)


_STOP = _Stop()


def _stdout_gone() -> None:
    """The reader of stdout went away (`| head`): the rest of the output goes nowhere, quietly.

    Standard error goes too when it is the same pipe (`2>&1 | head`): nobody reads it any more.
    """
    with contextlib.suppress(OSError, ValueError):
        fd = sys.stdout.fileno()
        targets = [fd]
        with contextlib.suppress(OSError, ValueError):
            out, err = os.fstat(fd), os.fstat(sys.stderr.fileno())
            if (out.st_dev, out.st_ino) == (err.st_dev, err.st_ino) and stat.S_ISFIFO(out.st_mode):
                targets.append(sys.stderr.fileno())
        devnull = os.open(os.devnull, os.O_WRONLY)
        for target in targets:
            os.dup2(devnull, target)
        os.close(devnull)


def _file_of(stream: object) -> tuple[int, int] | None:
    """What an output stream writes to (device, inode), if it is a file descriptor."""
    try:
        info = os.fstat(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _same_file(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is None or b is None or a == b


def _echo_problems(problems: tuple[FileError, ...]) -> None:
    from linkaudit.models import FileWarning  # noqa: PLC0415 - lazy: see the imports

    for problem in problems:
        if isinstance(problem, FileWarning):
            where = f"{problem.file}:{problem.line}:{problem.column}: warning"
        else:
            where = problem.file
        typer.echo(f"linkaudit: {where}: {problem.message}", err=True)


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
CheckPathsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Files, folders (searched recursively), globs, web pages (http(s) URLs: the links on them are "
        "checked), or - for standard input.",
        show_default=False,
    ),
]
MaxSizeOpt = Annotated[
    int, typer.Option("--max-file-size", help="Skip (and report) files larger than this, in bytes.")
]
DenyPrivateOpt = Annotated[
    bool,
    typer.Option(
        "--deny-private/--allow-private",
        help="Refuse to connect to loopback, private, link-local and other non-public addresses "
        "(skipped: private-address), whatever name, redirect or --resolve led there.",
    ),
]
AllowPrivateNetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-private-net",
        help="Connect to this network despite --deny-private, e.g. 10.20.0.0/16 (repeatable).",
        show_default=False,
    ),
]
StoreOpt = Annotated[
    str,
    typer.Option(
        "--store", help="History store: past checks and extracted files (SQLite; created when missing)."
    ),
]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="Neither read nor write the history store.")]
StoreWaitOpt = Annotated[
    float,
    typer.Option("--store-wait", help="Seconds to wait for a store another run is writing, then give up."),
]
_MAX_AGE = "Reuse stored results younger than this (30m, 12h, 1d, 2w), failing ones too; 0: probe all."
MaxAgeOpt = Annotated[str, typer.Option("--max-age", help=_MAX_AGE)]
_CONFIRM = (
    "N/DAYS: a failing URL fails the run once it has failed N checks over DAYS days, no success between."
)
ConfirmOpt = Annotated[str, typer.Option("--confirm", help=_CONFIRM)]
_NOW = "Treat this time as now (ISO-8601, UTC unless given): for reuse, confirmation and the times recorded."
NowOpt = Annotated[str | None, typer.Option("--now", help=_NOW, show_default=False)]


@app.command(
    epilog="Exit codes: 0 done (unreadable files are listed on stderr), 2 usage error, 130 interrupted."
)
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
    store: StoreOpt = DEFAULT_STORE,
    no_store: NoStoreOpt = False,
    store_wait: StoreWaitOpt = DEFAULT_STORE_WAIT,
) -> None:
    """List every cited URL and image, with file, line and column. Touches no network."""
    from linkaudit.extract.sources import is_web_address  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.report.extract import write_extract  # noqa: PLC0415

    _require_extraction(max_file_size, jobs)
    for path in paths:
        if is_web_address(path):
            raise fail_usage(f"{path}: extract reads files (the links of a web page: linkaudit check {path})")
    files, walk_errors = _collect(paths, extensions, exclude_path, root)
    cache = None if all(file.display == "-" for file in files) else _open_store(store, no_store, store_wait)
    try:
        result = _extract(files, cache, max_file_size, jobs)
    finally:
        _close_store(cache)
    if walk_errors:
        result = replace(result, errors=tuple(walk_errors) + result.errors)
    try:
        write_extract(result, fmt, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_gone()
    _echo_problems(result.errors)


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


FILE_ERROR = "file-error"
"""The `--fail-on` class of article files that could not be read (binary, undecodable, too large, gone)."""


def _parse_fail_on(value: str) -> tuple[frozenset[Verdict], bool]:
    """The verdicts that fail the run, and whether unreadable files do (`file-error`)."""
    from linkaudit.models import Verdict  # noqa: PLC0415 - lazy: see the imports

    verdicts: set[Verdict] = set()
    file_error = False
    for raw in value.split(","):
        part = raw.strip()
        if not part:
            continue
        if part == FILE_ERROR:
            file_error = True
            continue
        try:
            verdicts.add(Verdict(part))
        except ValueError:
            choices = ", ".join([v.value for v in Verdict] + [FILE_ERROR])
            raise fail_usage(
                f"--fail-on {part!r}: not a verdict or {FILE_ERROR} (one of {choices})"
            ) from None
    return frozenset(verdicts), file_error


def _parse_headers(values: list[str]) -> tuple[HeaderRule, ...]:
    """The `--header` rules; a bad one is named by its position, never by its text (it holds a secret)."""
    from linkaudit.settings import HeaderRule, SettingsError  # noqa: PLC0415 - lazy: see the imports

    rules: list[HeaderRule] = []
    for number, value in enumerate(values, 1):
        try:
            rules.append(HeaderRule.parse(value))
        except SettingsError as exc:
            raise fail_usage(f"--header #{number}: {exc}") from None
    return tuple(rules)


def _parse_networks(values: list[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    from linkaudit.settings import SettingsError, parse_network  # noqa: PLC0415 - lazy: see the imports

    try:
        return tuple(parse_network(value) for value in values)
    except SettingsError as exc:
        raise fail_usage(str(exc)) from None


def _parse_host_values(
    option: str, values: list[str], cast: type[int] | type[float]
) -> tuple[float | None, dict[str, float]]:
    """`N` sets the default; `HOST=N` sets it for one host. Whole numbers >= 1, or seconds >= 0."""
    what, minimum = (_WHOLE, 1) if cast is int else (_SECONDS, 0)
    default: float | None = None
    per_host: dict[str, float] = {}
    for value in values:
        host, sep, number = value.rpartition("=")
        try:
            parsed = float(cast(number))
        except ValueError:
            parsed = math.nan
        if not math.isfinite(parsed) or parsed < minimum:
            raise fail_usage(f"{option} {value}: must be N or HOST=N, N {what} >= {minimum}")
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
    from linkaudit.extract import UsageError, collect_inputs  # noqa: PLC0415 - lazy: see the imports

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
    pages: list[str] | None = None,
    listed: list[Occurrence] | None = None,
    store: Store | None = None,
    policy: HistoryPolicy | None = None,
) -> tuple[AuditOutcome, bool]:
    """Extract, check and write the report: the outcome, and whether the report went where it was asked.

    The history `store`, if any, is closed here once the check is done."""
    from rich.console import Console  # noqa: PLC0415 - lazy: see the imports

    from linkaudit.audit import audit_extracted  # noqa: PLC0415
    from linkaudit.extract.sources import with_url_list  # noqa: PLC0415
    from linkaudit.report.progress import choose_observer, close_observer  # noqa: PLC0415
    from linkaudit.report.terminal import summary_line  # noqa: PLC0415
    from linkaudit.settings import SettingsError  # noqa: PLC0415
    from linkaudit.store import RunHistory, StoreError  # noqa: PLC0415

    try:
        history = RunHistory(store, settings, policy)
    except StoreError as exc:
        _close_store(store)
        raise fail_usage(f"{exc} (or --no-store)") from None
    observer = choose_observer(Console(stderr=True), quiet=quiet, verbose=verbose)
    try:
        try:
            extracted = _extract(files, store, max_file_size, jobs)
        except KeyboardInterrupt:
            # Nothing was checked: the report a previous run left at the destination is worth more.
            typer.echo(
                "linkaudit: interrupted while extracting links: nothing checked, no report written", err=True
            )
            raise typer.Exit(_STOP.exit_code) from None
        if listed is not None:
            extracted = with_url_list(extracted, listed)
        outcome = audit_extracted(
            extracted,
            settings,
            observer=observer,
            resolver=resolver,
            extra_errors=walk_errors,
            pages=pages or (),
            max_page_size=max_file_size,
            history=history,
        )
    except SettingsError as exc:  # e.g. a proxy that cannot be reached
        raise fail_usage(str(exc)) from None
    finally:
        close_observer(observer)
        _close_store(store)
    report = outcome.report
    target = output if output is not None else "-"
    delivered = _deliver(report, fmt, target, verbose=verbose, console=Console())
    if target != "-" and not quiet:
        where = f"; report written to {target}" if delivered else ""
        typer.echo(f"linkaudit: {summary_line(report)}{where}", err=True)
    _append_job_summary(report)
    if outcome.interrupted:
        checked = len(report.results)
        typer.echo(
            f"linkaudit: interrupted: {checked:,} of {checked + len(report.pending):,} URLs checked;"
            " the report is partial",
            err=True,
        )
    _note_unconfirmed(outcome, settings.fail_on, history.policy, quiet=quiet)
    return outcome, delivered


def _deliver(report: AuditReport, fmt: ReportFormat, target: str, *, verbose: bool, console: Console) -> bool:
    """Write the report to `target`; when that fails, to a new file in the temporary folder, said on stderr.

    False when the report is not where it was asked. A reader that went away (`| head`) is no failure.
    """
    from linkaudit.report import write_report_fallback  # noqa: PLC0415 - lazy: see the imports

    try:
        write_report_file(
            report,
            fmt,
            target,
            color=console.is_terminal and target == "-",
            verbose=verbose,
            width=console.width if console.is_terminal else None,
        )
        return True
    except BrokenPipeError:
        _stdout_gone()
        return True
    except (OSError, UnicodeError) as exc:
        reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
    try:
        saved = write_report_fallback(report, fmt, verbose=verbose)
    except OSError as exc:
        typer.echo(
            f"linkaudit: error: cannot write report to {target}: {reason}; "
            f"nor to the temporary folder: {exc.strerror or exc}",
            err=True,
        )
        return False
    typer.echo(f"linkaudit: error: cannot write report to {target}: {reason}; it is in {saved}", err=True)
    return False


def _prepare_output(output: str | None) -> None:
    """Before any work: a report that could not be written at the end would waste the whole run."""
    from linkaudit.report import DestinationError, prepare_destination  # noqa: PLC0415 - lazy: see the imports

    if output is None:
        return
    try:
        prepare_destination(output)
    except DestinationError as exc:
        raise fail_usage(f"cannot write report to {output}: {exc}") from None


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


def _network_settings(
    proxy: str | None, no_proxy: str | None, insecure: bool, ca_bundle: str | None
) -> tuple[dict[str, str], str, str | None]:
    """(proxies, hosts reached directly, CA bundle) from the options, else from the environment as curl
    reads it; exit 2 for a bad proxy or CA bundle."""
    from linkaudit.check.proxy import no_proxy_from, proxies_from  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.check.tls import check_ca_bundle  # noqa: PLC0415
    from linkaudit.settings import SettingsError  # noqa: PLC0415

    bundle, origin = (
        (ca_bundle, "--ca-bundle") if ca_bundle else (os.environ.get("SSL_CERT_FILE"), "SSL_CERT_FILE")
    )
    try:
        proxies = proxies_from(os.environ, proxy=proxy)
        if bundle and not insecure:
            check_ca_bundle(bundle, origin)
    except SettingsError as exc:
        raise fail_usage(str(exc)) from None
    return proxies, no_proxy_from(os.environ, no_proxy=no_proxy), bundle or None


def _read_url_list(source: str, max_size: int) -> list[Occurrence]:
    from linkaudit.extract import UsageError  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.extract.sources import read_url_list  # noqa: PLC0415

    try:
        return read_url_list(source, max_size=max_size)
    except UsageError as exc:
        raise fail_usage(str(exc)) from None


def _exit_code(outcome: AuditOutcome, delivered: bool, settings: CheckSettings) -> int:
    if outcome.interrupted:
        return _STOP.exit_code
    if not delivered:
        return 2
    if outcome.doubt is not None:  # no network or a captive portal: the verdicts prove nothing
        return 2
    report = outcome.report
    # A failure --confirm has not confirmed yet is reported but does not fail the run.
    failing = any(
        result.judgement.verdict in settings.fail_on
        and (result.history is None or result.history.confirmed is not False)
        for result in report.results
    )
    return 1 if failing or (settings.fail_on_file_error and report.errors) else 0


@app.command(
    help="Extract every link, probe each distinct URL once, and report verdicts with their evidence."
    f"\n\n{EXIT_CODES}"
)
def check(
    paths: CheckPathsArg = None,
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
        str,
        typer.Option(
            "--fail-on",
            help="Comma-separated verdicts that make the run fail (exit 1), and file-error: an article"
            " that could not be read.",
        ),
    ] = f"dead,{FILE_ERROR}",
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
    deny_private: DenyPrivateOpt = True,
    allow_private_net: AllowPrivateNetOpt = None,
    check_fragments: Annotated[
        bool,
        typer.Option(
            "--check-fragments",
            help="Check #fragments of web pages too (a GET per such page); local files' always are.",
        ),
    ] = False,
    proxy: Annotated[
        str | None,
        typer.Option(
            "--proxy",
            help="Proxy for every URL: http://HOST:PORT or https://HOST:PORT (default: HTTP_PROXY, "
            "HTTPS_PROXY, ALL_PROXY; '' for none).",
        ),
    ] = None,
    no_proxy: Annotated[
        str | None,
        typer.Option(
            "--no-proxy", help="Hosts reached directly, comma-separated, as NO_PROXY (default); * for all."
        ),
    ] = None,
    insecure: Annotated[
        bool, typer.Option("--insecure", help="Do not verify TLS certificates (the report says so).")
    ] = False,
    ca_bundle: Annotated[
        str | None,
        typer.Option(
            "--ca-bundle",
            help="PEM file of CA certificates trusted besides the usual ones (default: SSL_CERT_FILE).",
        ),
    ] = None,
    urls: Annotated[
        str | None,
        typer.Option(
            "--urls", help="Also check the URLs listed in this file, one per line (# comments; - for stdin)."
        ),
    ] = None,
    url_budget: Annotated[
        float | None,
        typer.Option(
            "--url-budget",
            help="Most seconds one URL may take, retries and redirects included (default: 3 x --timeout).",
            show_default=False,
        ),
    ] = None,
    store: StoreOpt = DEFAULT_STORE,
    no_store: NoStoreOpt = False,
    max_age: MaxAgeOpt = "0",
    confirm: ConfirmOpt = "1/0",
    now: NowOpt = None,
    store_wait: StoreWaitOpt = DEFAULT_STORE_WAIT,
) -> None:
    """Extract every link, probe each distinct URL once, and report verdicts with their evidence."""
    from linkaudit.extract.sources import is_web_address  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.settings import CheckSettings, HeaderRule, HostPolicy, SettingsError  # noqa: PLC0415

    # Every number option's valid range, before any work: a nonsense value is one line and exit 2.
    for option, value, minimum, above, what in (
        ("--timeout", timeout, 0, True, _SECONDS),
        ("--retries", retries, 0, False, _WHOLE),
        ("--concurrency", concurrency, 1, False, _WHOLE),
        ("--max-redirects", max_redirects, 0, False, _WHOLE),
        ("--max-retry-wait", max_retry_wait, 0, False, _SECONDS),
        ("--url-budget", url_budget, 0, True, _SECONDS),
    ):
        _require(option, value, minimum, above=above, what=what)
    _require_extraction(max_file_size, jobs)
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
    try:
        HeaderRule("User-Agent", user_agent)  # the same rules as any header value
    except SettingsError as exc:
        raise fail_usage(f"--user-agent: {exc}") from None
    proxies, direct, bundle = _network_settings(proxy, no_proxy, insecure, ca_bundle)
    fail_verdicts, fail_on_file_error = _parse_fail_on(fail_on)
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
        fail_on=fail_verdicts,
        fail_on_file_error=fail_on_file_error,
        deny_private=deny_private,
        allow_private_nets=_parse_networks(allow_private_net or []),
        check_fragments=check_fragments,
        proxies=proxies,
        no_proxy=direct,
        verify_tls=not insecure,
        ca_bundle=bundle,
        url_budget=url_budget,
    )
    pages = [path for path in paths or [] if is_web_address(path)]
    local = [path for path in paths or [] if not is_web_address(path)]
    if not paths and urls is None:
        raise fail_usage("nothing to check: give files, folders or web pages, or --urls FILE")
    if urls == "-" and "-" in local:
        raise fail_usage("--urls - and the path - cannot both read standard input")
    policy = _history_policy(max_age, confirm, now, no_store=no_store)
    _prepare_output(output)
    files, walk_errors = _collect(local, extensions, exclude_path, root) if local else ([], [])
    listed = _read_url_list(urls, max_file_size) if urls is not None else None
    outcome, delivered = _run_audit(
        files,
        walk_errors,
        settings,
        fmt=fmt,
        output=output,
        quiet=quiet,
        verbose=verbose,
        max_file_size=max_file_size,
        jobs=jobs,
        pages=pages,
        listed=listed,
        store=_open_store(store, no_store, store_wait),
        policy=policy,
    )
    raise typer.Exit(_exit_code(outcome, delivered, settings))


@app.command(
    epilog="Exit codes: 0 every verdict as the simulated web knows it, 1 a verdict went wrong, "
    "130 interrupted."
)
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
    from linkaudit.settings import CheckSettings  # noqa: PLC0415

    _prepare_output(output)
    web = build_demo_web()
    with web:
        # Every name the articles cite is mapped here; any other is "name not found", never the system DNS.
        resolver = Resolver({**web.resolve, "*": None}, system=False)
        # The simulated web is on loopback; every other non-public address stays refused.
        settings = CheckSettings(
            retry_base=0.2,
            max_retry_wait=5.0,
            rate_limit_retries=2,
            allow_private_nets=(ipaddress.ip_network("127.0.0.0/8"),),
        )
        files, walk_errors = _collect([str(demo_articles())], ",".join(DEFAULT_EXTENSIONS), None, None)
        files = [replace(file, display=demo_name(file.path)) for file in files]
        walk_errors = [replace(error, file=demo_name(error.file)) for error in walk_errors]
        outcome, delivered = _run_audit(
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
    if outcome.interrupted or not delivered:
        raise typer.Exit(_exit_code(outcome, delivered, settings))
    got = {r.target.url: r.judgement.verdict.value for r in outcome.report.results if r.target.is_http}
    wrong = {url: (want, got.get(url)) for url, want in DEMO_EXPECTED.items() if got.get(url) != want}
    for url, (want, seen) in sorted(wrong.items()):
        typer.echo(f"linkaudit demo: {url}: expected {want}, got {seen}", err=True)
    # examples/ is in a checkout of the project, not beside an install from a package index.
    target = "examples/articles" if Path("examples/articles").is_dir() else "YOUR-ARTICLES-FOLDER"
    typer.echo(f"{closing_line(outcome.report)} — now try: linkaudit check {target}", err=True)
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
    from rich.console import Console  # noqa: PLC0415 - lazy: see the imports

    from linkaudit.report.read import ReportReadError, read_report  # noqa: PLC0415

    _prepare_output(output)
    try:
        saved = read_report(path)
    except ReportReadError as exc:
        raise fail_usage(str(exc)) from None
    if not _deliver(saved, fmt, output if output is not None else "-", verbose=verbose, console=Console()):
        raise typer.Exit(2)


def _open_store(path: str, no_store: bool, wait: float) -> Store | None:
    """The history store, unless --no-store; a store that cannot be used is a usage error (exit 2)."""
    if no_store:
        return None
    from linkaudit.store import Store, StoreError  # noqa: PLC0415 - lazy: see the imports

    _require("--store-wait", wait, 0, what=_SECONDS)
    try:
        return Store.open(path, wait=wait)
    except StoreError as exc:
        raise fail_usage(f"{exc} (or --no-store)") from None


def _close_store(store: Store | None) -> None:
    """Close the store and say, one line each, what it could not keep."""
    if store is None:
        return
    store.close()
    for warning in store.warnings:
        typer.echo(f"linkaudit: warning: {warning}", err=True)


def _extract(files: list[InputFile], store: Store | None, max_size: int, jobs: int | None) -> ExtractResult:
    """Extract, parsing only the files the store's cache cannot serve."""
    from linkaudit.extract import extract_files  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.extract.cache import extract_cached  # noqa: PLC0415

    if store is None:
        return extract_files(files, max_size=max_size, jobs=jobs)
    from linkaudit.store.files import StoreFileCache  # noqa: PLC0415

    return extract_cached(files, StoreFileCache(store), max_size=max_size, jobs=jobs)


def _history_policy(max_age: str, confirm: str, now: str | None, *, no_store: bool) -> HistoryPolicy:
    from linkaudit.store import HistoryPolicy, parse_confirm, parse_duration, parse_now  # noqa: PLC0415

    try:
        age = parse_duration(max_age)
    except ValueError as exc:
        raise fail_usage(f"--max-age {exc}") from None
    try:
        checks, days = parse_confirm(confirm)
    except ValueError as exc:
        raise fail_usage(f"--confirm {exc}") from None
    try:
        moment = parse_now(now) if now is not None else None
    except ValueError as exc:
        raise fail_usage(f"--now {exc}") from None
    if no_store and (age > 0 or (checks, days) != (1, 0)):
        raise fail_usage("--max-age and --confirm need the history store: drop --no-store")
    return HistoryPolicy(max_age=age, confirm_checks=checks, confirm_days=days, now=moment)


def _note_unconfirmed(
    outcome: AuditOutcome, fail_on: frozenset[Verdict], policy: HistoryPolicy, *, quiet: bool
) -> None:
    waiting = sum(
        1
        for result in outcome.report.results
        if result.judgement.verdict in fail_on
        and result.history is not None
        and result.history.confirmed is False
    )
    if waiting and not quiet:
        typer.echo(
            f"linkaudit: {waiting} failing URL{'' if waiting == 1 else 's'} not confirmed yet (--confirm "
            f"{policy.confirm_checks}/{policy.confirm_days:g}): not counted toward the exit code",
            err=True,
        )


@app.command()
def history(
    url: Annotated[str, typer.Argument(help="The URL, as cited or as reported.", show_default=False)],
    fmt: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="Output format.")
    ] = HistoryFormat.TERMINAL,
    store: Annotated[str, typer.Option("--store", help="History store to read.")] = DEFAULT_STORE,
) -> None:
    """Show every check of one URL kept in the history store, oldest first (exit 1: none kept)."""
    from linkaudit.models import TargetStatus  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.report.history import write_history  # noqa: PLC0415
    from linkaudit.store import CheckLog, Store, StoreError  # noqa: PLC0415
    from linkaudit.urls import normalize  # noqa: PLC0415

    target = normalize(url)
    wanted = target.url if target.status is TargetStatus.OK else url
    try:
        with Store.open(store, create=False) as opened:
            checks = CheckLog(opened).history(wanted) or CheckLog(opened).history(url)
    except StoreError as exc:
        raise fail_usage(str(exc)) from None
    write_history(wanted, checks, fmt, sys.stdout)
    if not checks:
        typer.echo(f"linkaudit: no checks of {wanted} in {store}", err=True)
        raise typer.Exit(1)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: usage errors become one line on stderr (exit 2), never a panel or a traceback.

    SIGTERM is handled as Ctrl-C is. Output to a reader that went away (`| head`) ends quietly, whatever the
    command, with the exit code the run would have had.
    """
    with _STOP.handling_terminate():
        code = _run_app(argv)
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _stdout_gone()
    raise SystemExit(code)


def _run_app(argv: list[str] | None) -> int:
    stdout, stdout_file = sys.stdout, _file_of(sys.stdout)
    try:
        if (sys.argv[1:] if argv is None else argv) in (["--version"], ["-V"]):
            typer.echo(VERSION_LINE)  # before typer builds every command's options: they cost more than this
            return 0
        code = app(args=argv, prog_name="linkaudit", standalone_mode=False)
    except TyperException as exc:
        problem = usage_problem(exc)
        if problem.show_help is not None:  # bare `linkaudit`: the help is the answer (exit 2)
            try:
                problem.show_help()
            except BrokenPipeError:
                _stdout_gone()
            return problem.exit_code
        hint = f" (see: {problem.command} --help)" if problem.exit_code == 2 else ""
        typer.echo(f"linkaudit: error: {problem.message}{hint}", err=True)
        return problem.exit_code
    except typer.Abort:  # end of input where a prompt wanted one
        return 1
    except SystemExit:
        if sys.stdout is stdout and _same_file(stdout_file, _file_of(sys.stdout)):
            raise
        # typer (or rich, for typer) met a closed stdout outside our commands' output, in the help or
        # the version: it wraps sys.stdout or points it at /dev/null, and exits 1. The run's own code is
        # that of showing the help: 0 when asked for, 2 for a bare `linkaudit`.
        sys.stdout = stdout
        _stdout_gone()
        return 0 if (sys.argv[1:] if argv is None else argv) else 2
    except BrokenPipeError:
        _stdout_gone()
        return 0
    # typer turns a KeyboardInterrupt into 130, whichever signal raised it.
    return _STOP.exit_code if code == 130 else code if isinstance(code, int) else 0
