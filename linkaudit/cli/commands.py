"""The commands: extract, check, demo, report, history. Each parses its options and makes one library call."""

from __future__ import annotations

import ipaddress
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from linkaudit.defaults import (
    DEFAULT_EXTENSIONS,
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_STORE,
    DEFAULT_STORE_WAIT,
    DEFAULT_USER_AGENT,
)
from linkaudit.report import ExtractFormat, HistoryFormat, ReportFormat

if TYPE_CHECKING:
    pass
from linkaudit.cli.app import (
    EXIT_CODES,
    _require,
    _require_extraction,
    _require_range,
    _stdout_gone,
    app,
    fail_usage,
)
from linkaudit.cli.archives import (
    DEFAULT_ARCHIVE_URL,
    ArchivesOpt,
    ArchiveUrlOpt,
    CitedAtOpt,
    archive_options,
)
from linkaudit.cli.cioptions import (
    BaselineOpt,
    ChangedSinceOpt,
    ShardOpt,
    ci_finish,
    note_known,
    only_changed,
    open_baseline,
    parse_shard_option,
    reapply,
)
from linkaudit.cli.configure import configurable, file_rules
from linkaudit.cli.options import (
    FILE_ERROR,
    AllowPrivateNetOpt,
    CheckPathsArg,
    ConfigOpt,
    ConfirmOpt,
    DenyPrivateOpt,
    ExcludePathOpt,
    ExtensionsOpt,
    MaxAgeOpt,
    MaxSizeOpt,
    NoConfigOpt,
    NoStoreOpt,
    NowOpt,
    PathsArg,
    ReportFormatOpt,
    RootOpt,
    StoreOpt,
    StoreWaitOpt,
    _history_policy,
    _network_settings,
    _parse_fail_on,
    _parse_headers,
    _parse_host_values,
    _parse_networks,
    _parse_statuses,
    _read_url_list,
    _resolve_map,
)
from linkaudit.cli.run import (
    _close_store,
    _collect,
    _deliver,
    _echo_problems,
    _exit_code,
    _extract,
    _open_store,
    _prepare_output,
    _run_audit,
)


@app.command(
    epilog="Exit codes: 0 done (unreadable files are listed on stderr), 2 usage error, 130 interrupted."
)
@configurable
def extract(
    ctx: typer.Context,
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
    changed_since: ChangedSinceOpt = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
) -> None:
    """List every cited URL and image, with file, line and column. Touches no network."""
    from linkaudit.extract.sources import is_web_address  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.report.extract import write_extract  # noqa: PLC0415

    _require_extraction(max_file_size, jobs)
    for path in paths:
        if is_web_address(path):
            raise fail_usage(f"{path}: extract reads files (the links of a web page: linkaudit check {path})")
    files, walk_errors = _collect(paths, extensions, exclude_path, root)
    files = only_changed(files, changed_since, paths, file_rules(ctx).origin("changed-since"))
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


@app.command(
    help="Extract every link, probe each distinct URL once, and report verdicts with their evidence."
    f"\n\n{EXIT_CODES}"
)
@configurable
def check(
    ctx: typer.Context,
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
    ] = f"dead,soft-dead,usurped,{FILE_ERROR}",
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
    archives: ArchivesOpt = "failing",
    archive_url: ArchiveUrlOpt = DEFAULT_ARCHIVE_URL,
    cited_at: CitedAtOpt = None,
    changed_since: ChangedSinceOpt = None,
    baseline: BaselineOpt = None,
    shard: ShardOpt = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    soft: Annotated[
        bool,
        typer.Option(
            "--soft/--no-soft",
            help="Tell soft 404s, deep links sent home and parked domains from live pages: pages are read"
            " with GET and one random sibling is asked per host and directory. --no-soft: plain checking.",
        ),
    ] = True,
    timeline: Annotated[
        str | None,
        typer.Option(
            "--timeline",
            hidden=True,
            help="Write every request's start, end and waits per host here (JSON), to see where time goes.",
        ),
    ] = None,
) -> None:
    """Extract every link, probe each distinct URL once, and report verdicts with their evidence."""
    from linkaudit.extract.sources import is_web_address  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.settings import CheckSettings, HeaderRule, HostPolicy, SettingsError  # noqa: PLC0415

    # Every number option's valid range, before any work: a nonsense value is one line and exit 2.
    for option, value in (
        ("--timeout", timeout),
        ("--retries", retries),
        ("--concurrency", concurrency),
        ("--max-redirects", max_redirects),
        ("--max-retry-wait", max_retry_wait),
        ("--url-budget", url_budget),
    ):
        _require_range(option, value)
    _require_extraction(max_file_size, jobs)
    conc_default, conc_hosts = _parse_host_values("--host-concurrency", host_concurrency or [], int)
    gap_default, gap_hosts = _parse_host_values("--host-interval", host_interval or [], float)
    base = HostPolicy(
        concurrency=int(conc_default) if conc_default is not None else 4,
        interval=gap_default if gap_default is not None else 0.1,
    )
    rules = file_rules(ctx)
    tables = CheckSettings(host=base, host_rules=rules.hosts)  # what HOST=N leaves to the host's table
    overrides = {
        host: HostPolicy(
            concurrency=int(conc_hosts.get(host, tables.policy_for(host).concurrency)),
            interval=gap_hosts.get(host, tables.policy_for(host).interval),
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
    proxies, direct, bundle = _network_settings(
        proxy, no_proxy, insecure, ca_bundle, rules.origin("ca-bundle")
    )
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
        headers=rules.headers + _parse_headers(header or []),
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
        host_rules=rules.hosts,
        exclude_notes=rules.exclude_notes,
        config_file=rules.shown,
        soft=soft,
    )
    pages = [path for path in paths or [] if is_web_address(path)]
    local = [path for path in paths or [] if not is_web_address(path)]
    if not paths and urls is None:
        raise fail_usage("nothing to check: give files, folders or web pages, or --urls FILE")
    if urls == "-" and "-" in local:
        raise fail_usage("--urls - and the path - cannot both read standard input")
    policy = _history_policy(max_age, confirm, now, no_store=no_store)
    archive = archive_options(archives, archive_url, cited_at)

    chosen_shard = parse_shard_option(shard)
    known = open_baseline(baseline, rules.origin("baseline"))
    _prepare_output(output)
    files, walk_errors = _collect(local, extensions, exclude_path, root) if local else ([], [])
    files = only_changed(files, changed_since, local, rules.origin("changed-since"))
    listed = _read_url_list(urls, max_file_size, rules.origin("urls")) if urls is not None else None
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
        archive=archive,
        keep=chosen_shard.keeps if chosen_shard is not None else None,
        finish=ci_finish(fail_verdicts, baseline=known, shard=chosen_shard, changed_since=changed_since),
        timeline=Path(timeline) if timeline is not None else None,
    )
    note_known(outcome.report, known, quiet=quiet)
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
    archives: ArchivesOpt = "all",
) -> None:
    """Audit bundled articles against a small simulated web on loopback: every verdict, no internet needed."""
    from linkaudit.archive.cdx import ArchiveSettings  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.check.resolve import Resolver  # noqa: PLC0415
    from linkaudit.demo import (  # noqa: PLC0415
        DEMO_EXPECTED,
        build_demo_web,
        closing_line,
        demo_articles,
        demo_name,
    )
    from linkaudit.demo.archive import DEMO_DRIFTED, build_demo_archive  # noqa: PLC0415
    from linkaudit.settings import CheckSettings, HostPolicy  # noqa: PLC0415

    _prepare_output(output)
    web = build_demo_web()
    simulated_archive = build_demo_archive()
    with web, simulated_archive:
        # Every name the articles cite is mapped here; any other is "name not found", never the system DNS.
        resolver = Resolver({**web.resolve, **simulated_archive.resolve, "*": None}, system=False)
        # The simulated archive on loopback, asked without the real one's second between requests.
        archive = replace(
            archive_options(archives, simulated_archive.archive_url, None),
            settings=ArchiveSettings(simulated_archive.archive_url, HostPolicy(concurrency=2, interval=0.0)),
        )
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
            archive=archive,
            # The articles are named demo/articles/… from the package's folder: the report's root, so that
            # `linkaudit fix` on a saved demo report finds them (and shows the diff; see fix's --write).
            finish=lambda report: replace(report, root=str(demo_articles().parent.parent)),
        )
    if outcome.interrupted or not delivered:
        raise typer.Exit(_exit_code(outcome, delivered, settings))
    got = {r.target.url: r.judgement.verdict.value for r in outcome.report.results if r.target.is_http}
    expected = {**DEMO_EXPECTED, **(DEMO_DRIFTED if archives == "all" else {})}
    wrong = {url: (want, got.get(url)) for url, want in expected.items() if got.get(url) != want}
    for url, (want, seen) in sorted(wrong.items()):
        typer.echo(f"linkaudit demo: {url}: expected {want}, got {seen}", err=True)
    # examples/ is in a checkout of the project, not beside an install from a package index.
    target = "examples/articles" if Path("examples/articles").is_dir() else "YOUR-ARTICLES-FOLDER"
    typer.echo(f"{closing_line(outcome.report, expected)} — now try: linkaudit check {target}", err=True)
    raise typer.Exit(1 if wrong else 0)


@app.command(
    name="report",
    epilog="Exit codes: 0 drawn (with --fail-on or --baseline: and no new failure), 1 a failure those count, "
    "2 the report cannot be read or written.",
)
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
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when the report has failures of these verdicts (as check's --fail-on; default: the "
            "run's own, once --baseline is given).",
            show_default=False,
        ),
    ] = None,
    baseline: BaselineOpt = None,
) -> None:
    """Draw a saved JSON report in any format, without checking anything again."""
    from rich.console import Console  # noqa: PLC0415 - lazy: see the imports

    from linkaudit.report.read import ReportReadError, read_report  # noqa: PLC0415

    _prepare_output(output)
    try:
        saved = read_report(path)
    except ReportReadError as exc:
        raise fail_usage(str(exc)) from None
    code = 0
    if fail_on is not None or baseline is not None:
        saved, code = reapply(saved, fail_on, baseline)
    if not _deliver(saved, fmt, output if output is not None else "-", verbose=verbose, console=Console()):
        raise typer.Exit(2)
    raise typer.Exit(code)


@app.command()
@configurable
def history(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The URL, as cited or as reported.", show_default=False)],
    fmt: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="Output format.")
    ] = HistoryFormat.TERMINAL,
    store: Annotated[
        str, typer.Option("--store", help="History store to read (default: the configuration file's store).")
    ] = DEFAULT_STORE,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", "-n", help="Show only the latest N checks (still oldest first).", show_default=False
        ),
    ] = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
) -> None:
    """Show every check of one URL kept in the history store, oldest first (exit 1: none kept)."""
    from linkaudit.models import TargetStatus  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.report.history import write_history  # noqa: PLC0415
    from linkaudit.store import CheckLog, Store, StoreError  # noqa: PLC0415
    from linkaudit.urls import normalize  # noqa: PLC0415

    _require("--limit", limit, 1)
    target = normalize(url)
    wanted = target.url if target.status is TargetStatus.OK else url
    try:
        with Store.open(store, create=False) as opened:
            checks = CheckLog(opened).history(wanted) or CheckLog(opened).history(url)
    except StoreError as exc:
        raise fail_usage(str(exc)) from None
    if limit is not None:
        checks = checks[-limit:]
    write_history(wanted, checks, fmt, sys.stdout)
    if not checks:
        typer.echo(f"linkaudit: no checks of {wanted} in {store}", err=True)
        raise typer.Exit(1)
