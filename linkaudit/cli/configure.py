"""Configuration files for the commands: what the command line does not say, the file may.

`configurable` wraps a command (`check`, `extract`). Before the command runs, the configuration file that
applies is read (`--config PATH`; else the one `linkaudit.config.find_config` finds upward from the first
audited path, or the working folder; none with `--no-config`), and every option not given on the command
line takes the file's value. A repeatable option given on both keeps the file's values and adds the
command line's (`exclude`, `header`, `accept`, `resolve`, ...); any other option given on the command line
replaces the file's, and also the file's keys it contradicts (`_YIELDS`: `--no-store` its `max-age`).
The file's per-host rules and excludes with reasons reach the settings through `file_rules`, with where
each value the command took from the file came from (`FileRules.origin`), for the errors only using a
value finds (a baseline that is not there).

The file's keys are `linkaudit check`'s options, read from the command's own signature (`command_options`):
an option added to `check` is a key at once, with the same name, type and choices; a flag with two names
(`--soft/--no-soft`) is two keys. Its value goes through the parser the command line's goes through
(`_checks`), and an error names the file and the key. A key applies to `extract` when extract has the
same option with the same values (so not `format`).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast, get_args, get_origin

import typer
from typer.models import OptionInfo

from linkaudit.cli.app import NUMBER_RANGES, fail_usage
from linkaudit.cli.archives import ARCHIVE_MODES

if TYPE_CHECKING:
    from linkaudit.config import Config, OptionSpec
    from linkaudit.settings import HeaderRule, HostRule

__all__ = ["FileRules", "command_options", "configurable", "file_rules"]

_META = "linkaudit.config"
# Options that choose the file itself: no key of it.
_NOT_KEYS = frozenset({"config", "no-config"})
# Keys whose values are more than their type says.
_COMMA_LISTS = {"fail-on": "verdicts and file-error", "extensions": "file extensions", "no-proxy": "hosts"}
_LISTS = {
    "exclude": "regexes",
    "include": "regexes",
    "exclude-path": "regexes",
    "host-concurrency": "values N or HOST=N",
    "host-interval": "values S or HOST=S",
    "header": "headers 'Name: value' or 'HOST=Name: value'",
    "accept": "statuses like 403 or ranges like 400-499",
    "resolve": "values HOST:ADDR[:PORT]",
    "allow-private-net": "networks like 10.20.0.0/16",
}
_PATHS = frozenset({"output", "urls", "ca-bundle", "store", "baseline"})
# String options with a fixed set of values (besides the enum-typed ones).
_CHOICES = {"archives": ARCHIVE_MODES}
# What a string key's value is, in words, where "a string" would say too little.
_STRINGS = {
    "shard": 'I/N, like "2/3"',
    "cited-at": 'a date as "YYYY-MM-DD"',
    "changed-since": "a git revision",
    "archive-url": "an http(s):// URL",
    "max-age": 'a duration like "30m", "12h", "1d" or "2w"',
    "confirm": 'N/DAYS, like "3/3"',
    "now": "an ISO-8601 date or time, as a string",
    "proxy": "a proxy like http://HOST:PORT",
}
_FROM_ENVIRONMENT = frozenset({"header"})
# A value the user gave (not the option's default): it wins over the file's.
_GIVEN = frozenset({"COMMANDLINE", "ENVIRONMENT", "PROMPT"})

Command = TypeVar("Command", bound=Callable[..., Any])


@dataclass(frozen=True)
class FileRules:
    """What a configuration file adds to the settings besides option values."""

    #: The file, as messages name it (None: no file).
    shown: str | None = None
    hosts: Mapping[str, HostRule] = field(default_factory=dict)
    #: The hosts tables' headers, as per-host header rules (before the command line's `--header`s).
    headers: tuple[HeaderRule, ...] = ()
    #: Why each of the file's exclude patterns is there, as a skipped URL's detail says it.
    exclude_notes: Mapping[str, str] = field(default_factory=dict)
    #: The keys whose values the command took from the file, as messages name them (by long option name).
    origins: Mapping[str, str] = field(default_factory=dict)

    def origin(self, option: str) -> str:
        """Where an option's value came from, for an error about it found only when it is used (a baseline
        that is not there): `linkaudit.toml: baseline` when from the file, else `--baseline`."""
        return self.origins.get(option, f"--{option}")


def configurable(command: Command) -> Command:
    """Give `command` (which takes `ctx: typer.Context`, `config` and `no_config`) the configuration file's
    values for the options its command line did not give."""

    @functools.wraps(command)
    def run(**values: Any) -> Any:
        return command(**_with_file(values["ctx"], command, values))

    return cast("Command", run)


def file_rules(ctx: typer.Context) -> FileRules:
    """The per-host rules and excludes' reasons of the file the running command read (empty: none)."""
    rules = ctx.meta.get(_META)
    return rules if isinstance(rules, FileRules) else FileRules()


def _with_file(ctx: typer.Context, command: Callable[..., Any], values: dict[str, Any]) -> dict[str, Any]:
    from linkaudit.config import ConfigError, find_config, load_config  # noqa: PLC0415 - lazy: startup

    if values.get("config") is not None and values.get("no_config"):
        raise fail_usage("--config and --no-config: give one or the other")
    if values.get("no_config"):
        return values
    path: Path | None
    if values.get("config") is not None:
        path = Path(values["config"])
        if not path.is_file():
            raise fail_usage(f"--config {values['config']}: no such file")
    else:
        path = find_config(_start(values.get("paths")))
    if path is None:
        return values
    from linkaudit.cli import commands  # noqa: PLC0415 - the check command names the keys

    keys = command_options(inspect.unwrap(commands.check))
    try:
        config = load_config(path, {key: spec for key, (_, spec) in keys.items()})
        _store_agrees(config)
    except ConfigError as exc:
        raise fail_usage(str(exc)) from None
    own = command_options(command)
    merged = dict(values)
    origins: dict[str, str] = {}
    for key, value in _not_contradicted(ctx, own, values, config.options).items():
        if key not in own or own[key][1] != keys[key][1]:
            continue  # an option of check's that this command has not (or not with these values)
        name, spec = own[key]
        given = _given(ctx, name)
        if given and spec.repeatable:
            merged[name] = [*cast("list[str]", value), *(values[name] or [])]
        elif not given:
            merged[name] = _as_parameter(command, name, not value if spec.negative else value)
            origins[key] = config.where(key)
    notes: dict[str, str] = {}
    if "exclude" in inspect.signature(command).parameters:
        today = _today(merged.get("now"))
        active: list[str] = []
        for rule in config.excludes:
            if rule.expired(today):
                assert rule.until is not None
                typer.echo(
                    f"linkaudit: warning: {config.shown}: exclude {rule.pattern!r} ended on "
                    f"{rule.until.isoformat()} (until): its URLs are checked again",
                    err=True,
                )
                continue
            active.append(rule.pattern)
            notes.setdefault(rule.pattern, config.exclude_note(rule))
        merged["exclude"] = [*active, *(values["exclude"] or [])]
    ctx.meta[_META] = FileRules(config.shown, config.hosts, config.headers, notes, origins)
    return merged


def _needs_store(max_age: object, confirm: object) -> bool:
    """Whether `max-age` and `confirm` ask for stored history: reused results, failures counted over days."""
    from linkaudit.store import parse_confirm, parse_duration  # noqa: PLC0415 - lazy: startup

    try:
        return parse_duration(str(max_age)) > 0 or parse_confirm(str(confirm)) != (1, 0)
    except ValueError:
        return False  # not a value: the command says what is wrong with it


# An option given on the command line, when its value `contradicts` some keys of the file: those keys yield,
# as a key yields to its own option on the command line. `--no-store`: no stored history to reuse or to
# confirm failures with (the file's `now` stays: its excludes' end dates need it too); `--store`, or a
# `--max-age` or `--confirm` that needs the store: the file's `no-store` yields; `--verbose`: its `quiet`.
_YIELDS: dict[str, tuple[Callable[[Any], bool], tuple[str, ...]]] = {
    "no-store": (bool, ("max-age", "confirm")),
    "store": (lambda _: True, ("no-store",)),
    "max-age": (lambda value: _needs_store(value, "1/0"), ("no-store",)),
    "confirm": (lambda value: _needs_store("0", value), ("no-store",)),
    "verbose": (bool, ("quiet",)),
}


def _not_contradicted(
    ctx: typer.Context,
    own: Mapping[str, tuple[str, OptionSpec]],
    values: Mapping[str, Any],
    options: Mapping[str, object],
) -> dict[str, object]:
    """The file's option values, less those that an option given on the command line contradicts."""
    dropped: set[str] = set()
    for option, (contradicts, keys) in _YIELDS.items():
        name = own[option][0] if option in own else None
        if name is not None and _given(ctx, name) and contradicts(values[name]):
            dropped.update(keys)
    return {key: value for key, value in options.items() if key not in dropped}


def _store_agrees(config: Config) -> None:
    """A file that turns the history store off cannot also ask for stored history (`ConfigError`)."""
    from linkaudit.config import ConfigError  # noqa: PLC0415 - lazy: startup

    options = config.options
    if options.get("no-store") is not True:
        return
    for key, max_age, confirm in (
        ("max-age", options.get("max-age", "0"), "1/0"),
        ("confirm", "0", options.get("confirm", "1/0")),
    ):
        if _needs_store(max_age, confirm):
            raise ConfigError(
                f"{config.where(key)}: {_shown_value(options[key])} needs the history store, which "
                "no-store = true turns off: drop one of them"
            )


def _shown_value(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def _start(paths: list[str] | None) -> Path:
    """Where the search for a configuration file starts: the first audited path that is one."""
    for path in paths or []:
        if path != "-" and not re.match(r"https?://", path, re.IGNORECASE):
            return Path(path)
    return Path.cwd()


def _given(ctx: typer.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in _GIVEN


def _today(now: object) -> date:
    """The day `until` dates are compared with: `--now`'s (UTC), else today's (UTC)."""
    from linkaudit.store import parse_now  # noqa: PLC0415 - lazy: startup

    if isinstance(now, str):
        try:
            return datetime.fromtimestamp(parse_now(now), UTC).date()
        except (ValueError, OverflowError, OSError):
            pass  # the command says what is wrong with --now
    return datetime.now(UTC).date()


def _as_parameter(command: Callable[..., Any], name: str, value: object) -> object:
    """A file's value as the command's parameter takes it: a Path, an enum member, or as it is."""
    for kind in _types(typing.get_type_hints(inspect.unwrap(command)).get(name)):
        if kind is Path:
            return Path(cast("str", value))
        if isinstance(kind, type) and issubclass(kind, Enum):
            return kind(value)
    return value


def _types(hint: object) -> tuple[object, ...]:
    """The types a hint allows, None left out (`Path | None` -> (Path,))."""
    if get_origin(hint) is UnionType or get_origin(hint) is typing.Union:
        return tuple(arg for arg in get_args(hint) if arg is not NoneType)
    return (hint,)


@functools.cache
def command_options(command: Callable[..., Any]) -> dict[str, tuple[str, OptionSpec]]:
    """A command's options by long name (`fail-on`): its parameter's name, and how a file's key is read."""
    from linkaudit.config import OptionSpec  # noqa: PLC0415 - lazy: startup

    checks = _checks()
    options: dict[str, tuple[str, OptionSpec]] = {}
    hints = typing.get_type_hints(command, include_extras=True)
    for name in inspect.signature(command).parameters:
        hint = hints.get(name)
        if get_origin(hint) is not Annotated:
            continue
        base, *extras = get_args(hint)
        info = next((extra for extra in extras if isinstance(extra, OptionInfo)), None)
        if info is None:
            continue
        # In `Annotated[T, typer.Option("--name", ...)]` typer takes the first argument (its `default`)
        # as a declaration.
        decls = (
            [info.default, *(info.param_decls or ())] if isinstance(info.default, str) else info.param_decls
        )
        longs = [decl.split("/")[0] for decl in decls or () if decl.startswith("--")]
        if not longs or longs[0][2:] in _NOT_KEYS or info.hidden:  # a hidden option is for one run only
            continue
        key = longs[0][2:]
        # `--soft/--no-soft`: the second name is a key too, true turning the flag off.
        seconds = [
            decl.split("/")[1].strip() for decl in decls or () if decl.startswith("--") and "/" in decl
        ]
        negative = seconds[0][2:] if seconds and seconds[0].startswith("--") else None
        (kind,) = _types(base)
        repeatable = get_origin(kind) is list
        if repeatable:
            (kind,) = get_args(kind)
        choices: tuple[str, ...] = ()
        if isinstance(kind, type) and issubclass(kind, Enum):
            choices = tuple(str(member.value) for member in kind)
            kind = str
        choices = choices or _CHOICES.get(key, ())
        words = _words(key, kind, choices, repeatable)
        spec = OptionSpec(
            kind=str if kind is Path else cast("type", kind),
            expected=words,
            repeatable=repeatable,
            comma_list=key in _COMMA_LISTS,
            choices=choices,
            path=kind is Path or key in _PATHS,
            expand_env=key in _FROM_ENVIRONMENT,
            check=checks.get(key),
            opposite=negative,
        )
        options[key] = (name, spec)
        if negative is not None:
            options[negative] = (name, dataclasses.replace(spec, opposite=key, negative=True))
    return options


def _words(key: str, kind: object, choices: tuple[str, ...], repeatable: bool) -> str:
    """A key's value in words, for a value of the wrong type."""
    if choices:
        return f"one of {', '.join(choices)}"
    if key in _COMMA_LISTS:
        return _COMMA_LISTS[key]
    ranged = NUMBER_RANGES.get(f"--{key}")
    if ranged is not None:
        return ranged[2].replace("a finite number", "a number")
    if repeatable:
        return _LISTS.get(key, "strings")
    if key in _STRINGS:
        return _STRINGS[key]
    if key in _PATHS:
        return "a path"
    return {bool: "true or false", int: "a whole number", float: "a number", Path: "a path"}.get(
        cast("type", kind), "a string"
    )


@functools.cache
def _checks() -> dict[str, Callable[[Any], object]]:
    """Each option's own validation, by key: the command line's parsers, raising `ValueProblem`."""
    from linkaudit.cli.options import parse_fail_on, parse_host_values  # noqa: PLC0415 - lazy: startup
    from linkaudit.settings import (  # noqa: PLC0415
        HeaderRule,
        SettingsError,
        ValueProblem,
        out_of_range,
        parse_network,
        parse_statuses,
    )

    def in_range(option: str) -> Callable[[Any], object]:
        minimum, above, what = NUMBER_RANGES[option]

        def check(value: float | None) -> None:
            problem = None if value is None else out_of_range(value, minimum, above=above, what=what)
            if problem is not None:
                raise ValueProblem(problem)

        return check

    def regexes(values: list[str]) -> None:
        for pattern in values:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueProblem(f"a regex ({exc})", pattern) from None

    def headers(values: list[str]) -> None:
        for number, value in enumerate(values, 1):
            try:
                HeaderRule.parse(value)
            except SettingsError as exc:  # its message never holds the value
                raise ValueProblem(f"item #{number}: {exc}", secret=True) from None

    def user_agent(value: str) -> None:
        try:
            HeaderRule("User-Agent", value)
        except SettingsError as exc:
            raise ValueProblem(f"a header value ({exc})") from None

    def networks(values: list[str]) -> None:
        for value in values:
            try:
                parse_network(value)
            except SettingsError:
                raise ValueProblem("a network like 10.20.0.0/16 or an address", value) from None

    def worded(parse: Callable[[str], object], example: str) -> Callable[[Any], object]:
        """A parser whose ValueError says `'value': expected ...` (the store's, --resolve's)."""

        def check(value: str | list[str] | None) -> None:
            for item in [value] if isinstance(value, str) else value or []:
                try:
                    parse(item)
                except ValueError as exc:
                    said = str(exc).split(": ", 1)[-1] if f"{item!r}: " in str(exc) else str(exc)
                    expected = (
                        said[len("expected ") :] if said.startswith("expected ") else f"{example} ({said})"
                    )
                    raise ValueProblem(expected, item) from None

        return check

    def parse_resolve(spec: str) -> object:
        from linkaudit.check.resolve import parse_resolve  # noqa: PLC0415 - only a file with `resolve`

        return parse_resolve(spec)

    def parse_shard(text: str) -> object:
        from linkaudit.ci.shard import parse_shard  # noqa: PLC0415 - only a file with `shard`

        return parse_shard(text)

    def parse_cited_at(text: str) -> object:
        from linkaudit.archive.dates import parse_cited_at  # noqa: PLC0415 - only a file with `cited-at`

        return parse_cited_at(text)

    def revision(ref: str) -> None:
        from linkaudit.ci.changed import check_revision  # noqa: PLC0415 - only a file with `changed-since`

        check_revision(ref)

    def proxy(value: str) -> None:
        """As `--proxy` reads it ('' for none); the value is never shown: it may hold a password."""
        from linkaudit.check.proxy import Proxy  # noqa: PLC0415 - only a file with `proxy`

        if not value.strip():
            return
        try:
            Proxy.parse(value)
        except SettingsError as exc:
            said = str(exc).split(": ", 1)[-1]
            reason = said[len("expected ") :] if said.startswith("expected ") else said
            raise ValueProblem(f"expected a proxy like http://HOST:PORT ({reason})", secret=True) from None

    from linkaudit.cli.archives import check_archive_url  # noqa: PLC0415
    from linkaudit.store import parse_confirm, parse_duration, parse_now  # noqa: PLC0415

    checks: dict[str, Callable[[Any], object]] = {option[2:]: in_range(option) for option in NUMBER_RANGES}
    checks.update(
        {
            "host-concurrency": lambda values: parse_host_values(values, int),
            "host-interval": lambda values: parse_host_values(values, float),
            "include": regexes,
            "exclude-path": regexes,
            "header": headers,
            "user-agent": user_agent,
            "accept": parse_statuses,
            "fail-on": parse_fail_on,
            "allow-private-net": networks,
            "resolve": worded(parse_resolve, "HOST:ADDR[:PORT]"),
            "max-age": worded(parse_duration, "a duration like 30m, 12h, 1d or 2w"),
            "confirm": worded(parse_confirm, "N/DAYS"),
            "now": worded(parse_now, "an ISO-8601 date or time"),
            "shard": worded(parse_shard, "I/N"),
            "cited-at": worded(parse_cited_at, "a date as YYYY-MM-DD"),
            "changed-since": worded(revision, "a git revision"),
            "archive-url": worded(check_archive_url, "http(s)://HOST[:PORT][/PATH]"),
            "proxy": proxy,
        }
    )
    return checks
