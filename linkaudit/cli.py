"""The command line: typer options in, one library call, output and exit code out.

This is the only module that writes to stdout/stderr or decides exit codes: 0 ok, 1 failing links,
2 usage or configuration error, or a run whose results are in doubt (no network, a captive portal),
130 interrupted.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.exceptions import TyperException

from linkaudit import __version__, _typer_compat
from linkaudit._typer_compat import usage_problem
from linkaudit.defaults import DEFAULT_EXTENSIONS, DEFAULT_MAX_FILE_SIZE, DEFAULT_USER_AGENT
from linkaudit.report import ExtractFormat, ReportFormat, write_report_file

if TYPE_CHECKING:
    from linkaudit.audit import AuditOutcome
    from linkaudit.check.resolve import Resolver
    from linkaudit.extract import InputFile
    from linkaudit.models import FileError, Occurrence, Verdict
    from linkaudit.settings import CheckSettings, HeaderRule

# Starting, the CLI imports typer and the option defaults only: each command imports the stages it runs
# (the extractor; the checker with trio and httpx; rich for progress and reports), so that `--version`
# and `--help` start in tens of milliseconds (see benchmarks/startup_bench.py) and `extract` without
# the checker.

__all__ = ["app", "main"]

_typer_compat.install()  # option values without pydantic: see the module

VERSION_LINE = f"linkaudit {__version__}"
EXIT_CODES = (
    "Exit codes: 0 nothing failing, 1 failing links (see --fail-on), 2 usage or configuration error, "
    "130 interrupted."
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
) -> None:
    """List every cited URL and image, with file, line and column. Touches no network."""
    from linkaudit.extract import UsageError, collect_inputs, extract_files  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.extract.sources import is_web_address  # noqa: PLC0415
    from linkaudit.report.extract import write_extract  # noqa: PLC0415

    for path in paths:
        if is_web_address(path):
            raise fail_usage(f"{path}: extract reads files (the links of a web page: linkaudit check {path})")
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
    from linkaudit.models import Verdict  # noqa: PLC0415 - lazy: see the imports

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
) -> AuditOutcome:
    from rich.console import Console  # noqa: PLC0415 - lazy: see the imports

    from linkaudit.audit import audit_extracted  # noqa: PLC0415
    from linkaudit.extract import extract_files  # noqa: PLC0415
    from linkaudit.extract.sources import with_url_list  # noqa: PLC0415
    from linkaudit.report.progress import choose_observer, close_observer  # noqa: PLC0415
    from linkaudit.report.terminal import summary_line  # noqa: PLC0415
    from linkaudit.settings import SettingsError  # noqa: PLC0415

    observer = choose_observer(Console(stderr=True), quiet=quiet, verbose=verbose)
    try:
        extracted = extract_files(files, max_size=max_file_size, jobs=jobs)
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
        )
    except SettingsError as exc:  # e.g. a proxy that cannot be reached
        raise fail_usage(str(exc)) from None
    finally:
        close_observer(observer)
    out_console = Console()
    target = output if output is not None else "-"
    try:
        write_report_file(
            outcome.report,
            fmt,
            target,
            color=out_console.is_terminal and target == "-",
            verbose=verbose,
            width=out_console.width if out_console.is_terminal else None,
        )
    except OSError as exc:
        typer.echo(f"linkaudit: error: cannot write report to {target}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    if target != "-" and not quiet:
        typer.echo(f"linkaudit: {summary_line(outcome.report)}; report written to {target}", err=True)
    if outcome.interrupted:
        typer.echo("linkaudit: interrupted; the report holds what was checked (partial)", err=True)
    return outcome


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


def _exit_code(outcome: AuditOutcome, fail_on: frozenset[Verdict]) -> int:
    if outcome.interrupted:
        return 130
    if outcome.doubt is not None:  # no network or a captive portal: the verdicts prove nothing
        return 2
    failing = any(result.judgement.verdict in fail_on for result in outcome.report.results)
    return 1 if failing else 0


@app.command(
    help="Extract every link, probe each distinct URL once, and report verdicts with their evidence."
    f"\n\n{EXIT_CODES}"
)
def check(
    paths: CheckPathsArg = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.TERMINAL,
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
) -> None:
    """Extract every link, probe each distinct URL once, and report verdicts with their evidence."""
    from linkaudit.extract.sources import is_web_address  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.settings import CheckSettings, HeaderRule, HostPolicy, SettingsError  # noqa: PLC0415

    if timeout <= 0 or retries < 0 or concurrency < 1 or max_redirects < 0 or max_retry_wait < 0:
        raise fail_usage(
            "--timeout and --concurrency must be positive; --retries, --max-redirects and waits >= 0"
        )
    if url_budget is not None and not 0 < url_budget < math.inf:
        raise fail_usage(f"--url-budget {url_budget}: must be a positive number of seconds")
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
    files, walk_errors = _collect(local, extensions, exclude_path, root) if local else ([], [])
    listed = _read_url_list(urls, max_file_size) if urls is not None else None
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
        pages=pages,
        listed=listed,
    )
    raise typer.Exit(_exit_code(outcome, settings.fail_on))


@app.command(
    epilog="Exit codes: 0 every verdict as the simulated web knows it, 1 a verdict went wrong, "
    "130 interrupted."
)
def demo(
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.TERMINAL,
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
    # examples/ is in a checkout of the project, not beside an install from a package index.
    target = "examples/articles" if Path("examples/articles").is_dir() else "YOUR-ARTICLES-FOLDER"
    typer.echo(f"{closing_line(outcome.report)} — now try: linkaudit check {target}", err=True)
    raise typer.Exit(1 if wrong else 0)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: usage errors become one line on stderr (exit 2), never a panel or a traceback."""
    if (sys.argv[1:] if argv is None else argv) in (["--version"], ["-V"]):
        typer.echo(VERSION_LINE)  # before typer builds every command's options: they cost more than this
        raise SystemExit(0)
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
