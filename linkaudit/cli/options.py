"""Option types shared by the commands, and parsers from option strings to settings.

A bad value is a usage error that names the option and what it expects (exit 2).
"""

from __future__ import annotations

import ipaddress
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from linkaudit.report import ReportFormat

if TYPE_CHECKING:
    from linkaudit.models import Occurrence, Verdict
    from linkaudit.settings import HeaderRule
    from linkaudit.store import HistoryPolicy
from linkaudit.cli.app import _SECONDS, _WHOLE, fail_usage

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


ConfigOpt = Annotated[
    str | None,
    typer.Option(
        "--config",
        help="Read options from this file: linkaudit.toml, or pyproject.toml's \\[tool.linkaudit] (default: "
        "the first found upward from the first path, up to the git root).",
        show_default=False,
    ),
]
NoConfigOpt = Annotated[bool, typer.Option("--no-config", help="Read no configuration file.")]


def _parse_statuses(values: list[str]) -> frozenset[int]:
    from linkaudit.settings import SettingsError, parse_statuses  # noqa: PLC0415 - lazy: see the imports

    try:
        return parse_statuses(values)
    except SettingsError as exc:
        raise fail_usage(f"--accept {exc}") from None


FILE_ERROR = "file-error"
"""The `--fail-on` class of article files that could not be read (binary, undecodable, too large, gone)."""


def _parse_fail_on(value: str) -> tuple[frozenset[Verdict], bool]:
    """The verdicts that fail the run, and whether unreadable files do (`file-error`)."""
    from linkaudit.settings import ValueProblem  # noqa: PLC0415 - lazy: see the imports

    try:
        return parse_fail_on(value)
    except ValueProblem as exc:
        raise fail_usage(f"--fail-on {exc.value!r}: not {exc.expected}") from None


def parse_fail_on(value: str) -> tuple[frozenset[Verdict], bool]:
    """`--fail-on`'s comma-separated verdicts, and whether `file-error` is among them (or ValueProblem)."""
    from linkaudit.models import Verdict  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.settings import ValueProblem  # noqa: PLC0415

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
            raise ValueProblem(f"a verdict or {FILE_ERROR} (one of {choices})", part) from None
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
    from linkaudit.settings import ValueProblem  # noqa: PLC0415 - lazy: see the imports

    try:
        return parse_host_values(values, cast)
    except ValueProblem as exc:
        raise fail_usage(f"{option} {exc.value}: must be {exc.expected}") from None


def parse_host_values(
    values: list[str], cast: type[int] | type[float]
) -> tuple[float | None, dict[str, float]]:
    """`--host-concurrency` (`cast` int) or `--host-interval` (float) values: the default and per host
    (or ValueProblem)."""
    from linkaudit.settings import ValueProblem  # noqa: PLC0415 - lazy: see the imports

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
            raise ValueProblem(f"N or HOST=N, N {what} >= {minimum}", value)
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


def _network_settings(
    proxy: str | None,
    no_proxy: str | None,
    insecure: bool,
    ca_bundle: str | None,
    ca_origin: str = "--ca-bundle",
) -> tuple[dict[str, str], str, str | None]:
    """(proxies, hosts reached directly, CA bundle) from the options, else from the environment as curl
    reads it; exit 2 for a bad proxy or CA bundle (`ca_origin`: where `ca_bundle` came from)."""
    from linkaudit.check.proxy import no_proxy_from, proxies_from  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.check.tls import check_ca_bundle  # noqa: PLC0415
    from linkaudit.settings import SettingsError  # noqa: PLC0415

    bundle, origin = (
        (ca_bundle, ca_origin) if ca_bundle else (os.environ.get("SSL_CERT_FILE"), "SSL_CERT_FILE")
    )
    try:
        proxies = proxies_from(os.environ, proxy=proxy)
        if bundle and not insecure:
            check_ca_bundle(bundle, origin)
    except SettingsError as exc:
        raise fail_usage(str(exc)) from None
    return proxies, no_proxy_from(os.environ, no_proxy=no_proxy), bundle or None


def _read_url_list(source: str, max_size: int, origin: str = "--urls") -> list[Occurrence]:
    from linkaudit.extract import UsageError  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.extract.sources import read_url_list  # noqa: PLC0415

    try:
        return read_url_list(source, max_size=max_size, origin=origin)
    except UsageError as exc:
        raise fail_usage(str(exc)) from None


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
