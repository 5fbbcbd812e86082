"""Configuration files: `[tool.linkaudit]` in pyproject.toml, or the same keys at the top of linkaudit.toml.

Finding one (`find_config`): from the audited folder upward, the first folder that holds `linkaudit.toml`,
or a `pyproject.toml` with a `[tool.linkaudit]` table (linkaudit.toml first when a folder has both). The
search stops at the root of the git repository it starts in (a folder holding `.git`), else at the file
system's root: a checkout is never configured by a file above it.

Reading one (`load_config`): the keys that stand for command-line options are described by the caller, one
`OptionSpec` each (`linkaudit.cli.configure` builds them from the command itself), so this module knows no
option by name. It owns what options cannot say: `[hosts."name"]` tables (per-host rules, for the host and
its subdomains) and `exclude` entries with a reason and an end date. `${NAME}` in a header value is the
environment variable NAME (`${NAME:-text}`: text when NAME is unset; `$${` is a literal `${`).

Every problem is a `ConfigError`, one line naming the file, the key and what was expected:
`pyproject.toml: [tool.linkaudit] timeout: expected a number of seconds, got "fast"`.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from linkaudit.settings import HeaderRule, HostRule, SettingsError, ValueProblem, host_key, parse_statuses

__all__ = [
    "CONFIG_NAMES",
    "Config",
    "ConfigError",
    "ExcludeRule",
    "OptionSpec",
    "find_config",
    "load_config",
]

#: The files looked for in each folder, in this order.
CONFIG_NAMES = ("linkaudit.toml", "pyproject.toml")
_HOST_KEYS = ("accept", "concurrency", "headers", "interval", "method", "timeout")
_EXCLUDE_KEYS = ("pattern", "reason", "until")
_METHODS = ("GET", "HEAD")
_ENV = re.compile(r"(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_SHOWN_MAX = 80


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message is one line for the user (exit 2)."""


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """How the configuration key of one command-line option is read (`kind`: bool, int, float or str)."""

    kind: type
    #: The value in words, for errors: "a number of seconds", "one of terminal, json".
    expected: str
    #: A repeatable option: a list (a single value counts as a list of one); numbers become strings.
    repeatable: bool = False
    #: A comma-separated string, or a list of strings (joined with commas).
    comma_list: bool = False
    choices: tuple[str, ...] = ()
    #: A file or folder: relative to the configuration file's folder ("-" stays standard input/output).
    path: bool = False
    #: `${NAME}` in the value (each item of a list) is the environment variable's value.
    expand_env: bool = False
    #: The option's own validation of the converted value; raises `ValueProblem`.
    check: Callable[[Any], object] | None = None
    #: The other name of a boolean flag pair (`no-soft` for `soft`): a file giving both must mean the same.
    opposite: str | None = None
    #: The pair's second name (`no-soft`, `allow-private`): true turns the flag off.
    negative: bool = False


@dataclass(frozen=True, slots=True)
class ExcludeRule:
    """A URL pattern (regex) not to check, why, and the last day it applies (None: no end)."""

    pattern: str
    reason: str | None = None
    until: date | None = None

    def expired(self, today: date) -> bool:
        return self.until is not None and today > self.until


@dataclass(frozen=True)
class Config:
    """A configuration file as read: option values (by long option name, as the command takes them),
    per-host rules, the hosts tables' headers (as per-host header rules) and the excludes."""

    path: Path
    #: The file as messages name it: relative to the working folder when under it.
    shown: str
    options: Mapping[str, object] = field(default_factory=dict)
    hosts: Mapping[str, HostRule] = field(default_factory=dict)
    headers: tuple[HeaderRule, ...] = ()
    excludes: tuple[ExcludeRule, ...] = ()

    def where(self, key: str) -> str:
        """A key as messages name it: `linkaudit.toml: store`, `pyproject.toml: [tool.linkaudit] store`."""
        table = "[tool.linkaudit] " if self.path.name == "pyproject.toml" else ""
        return f"{self.shown}: {table}{key}"

    def exclude_note(self, rule: ExcludeRule) -> str:
        """Why a URL was skipped, as the report says it."""
        note = f"exclude {rule.pattern!r} in {self.shown}"
        if rule.until is not None:
            note += f" (until {rule.until.isoformat()})"
        return f"{note}: {rule.reason}" if rule.reason else note


def find_config(start: Path) -> Path | None:
    """The configuration file that applies to `start` (a file or folder), or None; see the module."""
    folder = start.resolve()
    while not folder.is_dir() and folder != folder.parent:  # a file, or a glob's pattern
        folder = folder.parent
    for directory in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_our_table(candidate)):
                return candidate
        if (directory / ".git").exists():
            return None
    return None


def _has_our_table(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if b"linkaudit" not in data:  # most pyproject.toml files: no need to parse them
        return False
    return _our_table(_parse(path, data), path) is not None


def load_config(
    path: Path, options: Mapping[str, OptionSpec], *, environ: Mapping[str, str] | None = None
) -> Config:
    """Read and validate a configuration file; raises `ConfigError` (one line) for anything wrong."""
    shown = _shown_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read the configuration file: {exc.strerror or exc}") from None
    table = _our_table(_parse(path, data, shown), path, shown)
    if table is None:
        raise ConfigError(f"{shown}: no [tool.linkaudit] table")
    reader = _Reader(path, shown, "tool.linkaudit" if path.name == "pyproject.toml" else "", environ)
    return reader.read(table, options)


def _shown_path(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _parse(path: Path, data: bytes, shown: str | None = None) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown or _shown_path(path)}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown or _shown_path(path)}: not valid TOML: {exc}") from None


def _our_table(data: dict[str, Any], path: Path, shown: str | None = None) -> dict[str, Any] | None:
    if path.name != "pyproject.toml":
        return data
    tool = data.get("tool")
    table = tool.get("linkaudit") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{shown or _shown_path(path)}: tool.linkaudit: expected a table")
    return table


def _shown(value: object) -> str:
    """A value as TOML would write it, cut short."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, date | datetime):
        text = value.isoformat()
    elif isinstance(value, list):
        text = "[" + ", ".join(_shown(item) for item in value) + "]"
    elif isinstance(value, dict):
        text = "a table"
    else:
        text = str(value)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


class _Reader:
    """Reads one file's table; knows where it is, to name it in errors."""

    def __init__(self, path: Path, shown: str, table: str, environ: Mapping[str, str] | None) -> None:
        self.path = path
        self.shown = shown
        self.table = table
        self.environ = os.environ if environ is None else environ

    def where(self, key: str, table: str | None = None) -> str:
        name = ".".join(part for part in (self.table, table) if part)
        return f"{self.shown}: [{name}] {key}" if name else f"{self.shown}: {key}"

    def fail(self, key: str, expected: str, value: object, *, table: str | None = None) -> ConfigError:
        return ConfigError(f"{self.where(key, table)}: expected {expected}, got {_shown(value)}")

    def read(self, data: dict[str, Any], specs: Mapping[str, OptionSpec]) -> Config:
        options: dict[str, object] = {}
        hosts: dict[str, HostRule] = {}
        headers: list[HeaderRule] = []
        excludes: tuple[ExcludeRule, ...] = ()
        for key, value in data.items():
            if key == "hosts":
                hosts, headers = self.hosts(value)
            elif key == "exclude":
                excludes = self.excludes(value)
            elif key in specs:
                options[key] = self.option(key, value, specs[key])
            else:
                known = [*specs, "exclude", "hosts"]
                close = get_close_matches(key, known, n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                raise ConfigError(
                    f"{self.where(key)}: unknown key: expected the long name of an option of "
                    f"`linkaudit check`, exclude or hosts{hint}"
                )
        self.agree(options, specs)
        return Config(self.path, self.shown, options, hosts, tuple(headers), excludes)

    def agree(self, options: Mapping[str, object], specs: Mapping[str, OptionSpec]) -> None:
        """Both names of a flag pair given (`soft` and `no-soft`): they must mean the same."""
        seen: list[str] = []
        for key, value in options.items():
            other = specs[key].opposite
            if other in seen and options[other] == value:  # one name is the flag's negation
                raise ConfigError(
                    f"{self.where(key)}: {_shown(value)} contradicts {other} = {_shown(value)} (one flag "
                    "by its two names): keep one of them"
                )
            seen.append(key)

    def option(self, key: str, value: object, spec: OptionSpec) -> object:
        """The value as the command takes it from its command line, validated as the option is."""
        if spec.repeatable:
            items = value if isinstance(value, list) else [value]
            converted: object = [self.item(key, item, spec, value) for item in items]
        elif spec.comma_list:
            if isinstance(value, str):
                converted = value
            elif isinstance(value, list) and all(isinstance(item, str) for item in value):
                converted = ",".join(value)
            else:
                raise self.fail(key, f"{spec.expected} (a string or a list of strings)", value)
        else:
            converted = self.scalar(key, value, spec)
        if spec.expand_env:
            if isinstance(converted, list):
                converted = [self.expand(key, str(item)) for item in converted]
            else:
                converted = self.expand(key, str(converted))
        if spec.check is not None:
            try:
                spec.check(converted)
            except ValueProblem as exc:
                if exc.secret:  # what was expected says which item: the value is never shown
                    raise ConfigError(f"{self.where(key)}: {exc.expected}") from None
                raise self.fail(key, exc.expected, value if exc.value is None else exc.value) from None
        return converted

    def scalar(self, key: str, value: object, spec: OptionSpec) -> object:
        kind = spec.kind
        if kind is bool:
            ok = isinstance(value, bool)
        elif kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str) and (not spec.choices or value in spec.choices)
        if not ok:
            raise self.fail(key, spec.expected, value)
        if kind is float:
            return float(value)  # type: ignore[arg-type]
        if spec.path and isinstance(value, str):
            return self.relative(key, value, spec)
        return value

    def item(self, key: str, item: object, spec: OptionSpec, whole: object) -> str:
        """One item of a repeatable option, as its command line would give it (a string)."""
        if isinstance(item, str):
            return self.relative(key, item, spec) if spec.path else item
        if isinstance(item, int | float) and not isinstance(item, bool):
            return str(item)
        raise self.fail(key, f"a list of {spec.expected}", whole)

    def relative(self, key: str, value: str, spec: OptionSpec) -> str:
        """A path in the file: relative to the file's folder (an empty one names nothing)."""
        if not value.strip():
            raise self.fail(key, spec.expected, value)
        if value == "-":
            return value
        return os.path.join(self.path.parent, os.path.expanduser(value))

    def expand(self, key: str, text: str, table: str | None = None) -> str:
        """`${NAME}` replaced by the environment variable; an unset one is an error naming it."""

        def value_of(match: re.Match[str]) -> str:
            if match.group(1):  # `$${`: a literal `${`
                return match.group(0)[1:]
            name, fallback = match.group(2), match.group(3)
            found = self.environ.get(name)
            if found is None:
                if fallback is not None:
                    return fallback
                raise ConfigError(
                    f"{self.where(key, table)}: the environment variable {name} is not set "
                    f"(write ${{{name}:-}} for an empty value when it is unset)"
                )
            return found

        expanded = _ENV.sub(value_of, text)
        if "${" in _ENV.sub("", text):
            raise ConfigError(
                f"{self.where(key, table)}: expected ${{NAME}} or ${{NAME:-text}} with NAME made of "
                "letters, digits and _ (write $${ for a literal ${)"
            )
        return expanded

    def hosts(self, value: object) -> tuple[dict[str, HostRule], list[HeaderRule]]:
        if not isinstance(value, dict):
            raise self.fail("hosts", 'tables like [hosts."example.org"]', value)
        rules: dict[str, HostRule] = {}
        headers: list[HeaderRule] = []
        for name, table in value.items():
            host = host_key(name)
            label = f"hosts.{json.dumps(name, ensure_ascii=False)}"
            if not re.fullmatch(r"[a-z0-9_](?:[a-z0-9_.\-]*[a-z0-9_])?|\[[0-9a-f:.]+\]", host):
                raise ConfigError(
                    f"{self.where(label)}: expected a host name like example.org (no scheme, port or path)"
                )
            if not isinstance(table, dict):
                raise self.fail(label, "a table of per-host rules", table)
            rules[host], host_headers = self.host_rule(host, label, table)
            headers.extend(host_headers)
        return rules, headers

    def host_rule(self, host: str, label: str, table: dict[str, Any]) -> tuple[HostRule, list[HeaderRule]]:
        found: dict[str, Any] = {}
        headers: list[HeaderRule] = []
        for key, value in table.items():
            if key == "concurrency":
                if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
                    raise self.fail(key, "a whole number >= 1", value, table=label)
                found[key] = value
            elif key in ("interval", "timeout"):
                number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
                above = key == "timeout"
                if number is None or not math.isfinite(number) or (number <= 0 if above else number < 0):
                    raise self.fail(
                        key, f"a number of seconds {'>' if above else '>='} 0", value, table=label
                    )
                found[key] = float(number)
            elif key == "method":
                if not (isinstance(value, str) and value.upper() in _METHODS):
                    raise self.fail(key, '"GET" or "HEAD"', value, table=label)
                found[key] = value.upper()
            elif key == "accept":
                items = value if isinstance(value, list) else [value]
                if not all(isinstance(i, str | int) and not isinstance(i, bool) for i in items):
                    raise self.fail(key, "statuses like 403 or ranges like 400-499", value, table=label)
                try:
                    found[key] = parse_statuses([str(item) for item in items])
                except ValueProblem as exc:
                    raise self.fail(key, exc.expected, exc.value, table=label) from None
            elif key == "headers":
                headers = self.host_headers(host, label, value)
            else:
                close = get_close_matches(key, _HOST_KEYS, n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                raise ConfigError(
                    f"{self.where(key, label)}: unknown key: expected one of {', '.join(_HOST_KEYS)}{hint}"
                )
        return HostRule(**found), headers

    def host_headers(self, host: str, label: str, value: object) -> list[HeaderRule]:
        if not isinstance(value, dict):
            raise self.fail(
                "headers", 'a table like { Authorization = "Bearer ${TOKEN}" }', value, table=label
            )
        rules: list[HeaderRule] = []
        for name, text in value.items():
            key = f"headers.{name}" if re.fullmatch(r"[A-Za-z0-9_-]+", name) else "headers"
            if not isinstance(text, str):
                raise ConfigError(f"{self.where(key, label)}: expected a string (the header's value)")
            try:
                rules.append(HeaderRule(name, self.expand(key, text, label).strip(" \t"), host=host))
            except SettingsError as exc:  # its message never holds the value
                raise ConfigError(f"{self.where(key, label)}: {exc}") from None
        return rules

    def excludes(self, value: object) -> tuple[ExcludeRule, ...]:
        items = value if isinstance(value, list) else [value]
        rules: list[ExcludeRule] = []
        for number, item in enumerate(items, 1):
            key = f"exclude #{number}"
            if isinstance(item, str):
                rules.append(ExcludeRule(self.pattern(key, item)))
                continue
            if not isinstance(item, dict):
                raise self.fail("exclude", "regexes, or tables with pattern, reason and until", value)
            unknown = [name for name in item if name not in _EXCLUDE_KEYS]
            if unknown:
                raise ConfigError(
                    f"{self.where(f'{key} {unknown[0]}')}: unknown key: expected pattern, reason or until"
                )
            pattern, reason, until = item.get("pattern"), item.get("reason"), item.get("until")
            if pattern is None:
                raise ConfigError(
                    f"{self.where(key)}: expected a pattern (a regex), with a reason and an until"
                )
            if not isinstance(pattern, str):
                raise self.fail(f"{key} pattern", "a regex", pattern)
            if reason is not None and not isinstance(reason, str):
                raise self.fail(f"{key} reason", "a string", reason)
            if until is not None and (not isinstance(until, date) or isinstance(until, datetime)):
                raise self.fail(f"{key} until", "a TOML date like 2027-06-30 (no quotes)", until)
            rules.append(ExcludeRule(self.pattern(f"{key} pattern", pattern), reason or None, until))
        return tuple(rules)

    def pattern(self, key: str, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise self.fail(key, f"a regex ({exc})", pattern) from None
        return pattern
