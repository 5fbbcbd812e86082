"""Configuration files (linkaudit.config) read for real from files in temporary folders: where they are
found, what they say, and one line naming the file, the key and what was expected for what is wrong."""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest

from linkaudit.cli import commands
from linkaudit.cli.configure import command_options
from linkaudit.config import Config, ConfigError, ExcludeRule, OptionSpec, find_config, load_config
from linkaudit.settings import HostRule


def specs() -> Mapping[str, OptionSpec]:
    """The keys `linkaudit check` takes, as the CLI gives them to the loader."""
    return {key: spec for key, (_, spec) in command_options(inspect.unwrap(commands.check)).items()}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    return load_config(path, specs(), environ=environ or {})


def error(
    tmp_path: Path, text: str, name: str = "pyproject.toml", environ: Mapping[str, str] | None = None
) -> str:
    path = write(tmp_path / name, text)
    with pytest.raises(ConfigError) as caught:
        load(path, environ)
    message = str(caught.value)
    assert "\n" not in message
    return message.replace(str(tmp_path) + os.sep, "")


# Discovery


def test_found_upward_from_the_audited_folder(tmp_path: Path) -> None:
    write(tmp_path / "repo" / "pyproject.toml", "[tool.linkaudit]\ntimeout = 5\n")
    (tmp_path / "repo" / "articles" / "2024").mkdir(parents=True)
    article = write(tmp_path / "repo" / "articles" / "2024" / "a.md", "x")
    expected = (tmp_path / "repo" / "pyproject.toml").resolve()
    assert find_config(tmp_path / "repo" / "articles" / "2024") == expected
    assert find_config(article) == expected
    assert find_config(tmp_path / "repo" / "articles" / "*.md") == expected  # a glob


def test_linkaudit_toml_first_and_a_pyproject_without_our_table_is_passed_by(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.linkaudit]\ntimeout = 5\n")
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\nline-length = 99\n')
    assert find_config(tmp_path / "sub") == (tmp_path / "pyproject.toml").resolve()
    write(tmp_path / "sub" / "linkaudit.toml", "timeout = 7\n")
    assert find_config(tmp_path / "sub") == (tmp_path / "sub" / "linkaudit.toml").resolve()
    write(tmp_path / "linkaudit.toml", "timeout = 9\n")
    assert find_config(tmp_path) == (tmp_path / "linkaudit.toml").resolve()


def test_the_search_stops_at_the_git_root(tmp_path: Path) -> None:
    write(tmp_path / "linkaudit.toml", "timeout = 5\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "docs").mkdir()
    assert find_config(tmp_path / "repo" / "docs") is None
    write(tmp_path / "repo" / "linkaudit.toml", "timeout = 6\n")
    assert find_config(tmp_path / "repo" / "docs") == (tmp_path / "repo" / "linkaudit.toml").resolve()
    # A worktree or submodule has a .git file, not a folder: the same root.
    (tmp_path / "repo" / "docs" / ".git").write_text("gitdir: elsewhere\n", encoding="utf-8")
    assert find_config(tmp_path / "repo" / "docs") is None


def test_a_broken_pyproject_on_the_way_is_said(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.linkaudit\ntimeout = 5\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: not valid TOML: .*line 1"):
        find_config(tmp_path)


# What a file says


def test_every_kind_of_value(tmp_path: Path) -> None:
    path = write(
        tmp_path / "conf" / "pyproject.toml",
        """
[project]
name = "archive"

[tool.linkaudit]
timeout = 20
retries = 2
max-retry-wait = 7.5
fail-on = ["dead", "soft-dead", "usurped"]
extensions = ["md", "html"]
accept = [403, "500-599"]
exclude-path = ['^drafts/']
deny-private = false
format = "json"
output = "reports/linkaudit.json"
store = ".cache/store.sqlite"
root = "site"
header = ["X-Team: ${TEAM:-web}", "Authorization: Bearer ${TOKEN}"]
host-concurrency = [2, "slow.example=1"]
exclude = [
    '^https://a\\.example/',
    { pattern = '^https://intranet\\.', reason = "not reachable from CI", until = 2027-06-30 },
]

[tool.linkaudit.hosts."Example.ORG"]
concurrency = 2
interval = 0.5
headers = { Authorization = "Bearer ${EXAMPLE_TOKEN}" }
accept = [403, "401"]
method = "get"
timeout = 30
""",
    )
    config = load(path, {"TOKEN": "t0ken-value", "EXAMPLE_TOKEN": "s3cret"})
    folder = str(tmp_path / "conf")
    assert config.options == {
        "timeout": 20.0,
        "retries": 2,
        "max-retry-wait": 7.5,
        "fail-on": "dead,soft-dead,usurped",
        "extensions": "md,html",
        "accept": ["403", "500-599"],
        "exclude-path": ["^drafts/"],
        "deny-private": False,
        "format": "json",
        "output": os.path.join(folder, "reports/linkaudit.json"),
        "store": os.path.join(folder, ".cache/store.sqlite"),
        "root": os.path.join(folder, "site"),
        "header": ["X-Team: web", "Authorization: Bearer t0ken-value"],
        "host-concurrency": ["2", "slow.example=1"],
    }
    assert config.hosts == {
        "example.org": HostRule(
            concurrency=2, interval=0.5, accept=frozenset({401, 403}), method="GET", timeout=30.0
        )
    }
    assert [(rule.name, rule.value, rule.host) for rule in config.headers] == [
        ("Authorization", "Bearer s3cret", "example.org")
    ]
    assert config.excludes == (
        ExcludeRule("^https://a\\.example/"),
        ExcludeRule("^https://intranet\\.", "not reachable from CI", date(2027, 6, 30)),
    )
    assert config.excludes[1].expired(date(2027, 7, 1))
    assert not config.excludes[1].expired(date(2027, 6, 30))
    assert config.exclude_note(config.excludes[1]).endswith("(until 2027-06-30): not reachable from CI")


def test_linkaudit_toml_has_the_keys_at_its_top(tmp_path: Path) -> None:
    path = write(
        tmp_path / "linkaudit.toml",
        'timeout = 3\n[hosts."a.example"]\nmethod = "HEAD"\n[[exclude]]\npattern = "x"\nreason = "why"\n',
    )
    config = load(path)
    assert config.options == {"timeout": 3.0}
    assert config.hosts == {"a.example": HostRule(method="HEAD")}
    assert config.excludes == (ExcludeRule("x", "why"),)


def test_literal_dollar_brace(tmp_path: Path) -> None:
    path = write(tmp_path / "linkaudit.toml", 'header = ["X-Template: $${name}"]\n')
    assert load(path).options["header"] == ["X-Template: ${name}"]


# What is wrong, in one line


T = "pyproject.toml: [tool.linkaudit] "
H = 'pyproject.toml: [tool.linkaudit.hosts."a.example"] '


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            'timeout = "fast"',
            T + 'timeout: expected a number of seconds, got "fast"',
        ),
        (
            "timeout = 0",
            T + "timeout: expected a finite number of seconds > 0, got 0",
        ),
        (
            "timeout = inf",
            T + "timeout: expected a finite number of seconds > 0, got inf",
        ),
        ("retries = true", T + "retries: expected a whole number, got true"),
        ("jobs = 1.5", T + "jobs: expected a whole number, got 1.5"),
        (
            "concurrency = 0",
            T + "concurrency: expected a whole number >= 1, got 0",
        ),
        ("quiet = 1", T + "quiet: expected true or false, got 1"),
        (
            'format = "pdf"',
            T + "format: expected one of terminal, json, markdown, html, junit, "
            'sarif, github, csv, pr-comment, got "pdf"',
        ),
        (
            'fail-on = ["dead", "sorta"]',
            T + "fail-on: expected a verdict or file-error (one of live,",
        ),
        (
            "fail-on = [1]",
            T + "fail-on: expected verdicts and file-error (a string",
        ),
        (
            'accept = [403, "4xx"]',
            T + 'accept: expected a status like 403 or a range like 400-499, got "4xx"',
        ),
        (
            "accept = [42]",
            T + 'accept: expected statuses within 100-999, got "42"',
        ),
        (
            "include = [true]",
            T + "include: expected a list of regexes, got [true]",
        ),
        (
            'include = ["("]',
            T + "include: expected a regex (missing ), unterminated",
        ),
        (
            'host-interval = ["a.example=-1"]',
            T + 'host-interval: expected N or HOST=N, N a finite number of seconds >= 0, got "a.example=-1"',
        ),
        ('max-age = "3x"', T + "max-age: expected a duration like 30m"),
        ('confirm = "x"', T + "confirm: expected N/DAYS"),
        ('now = "yesterday"', T + "now: expected an ISO-8601 date or time"),
        ('resolve = ["a.example"]', T + "resolve: expected HOST:ADDR"),
        (
            'allow-private-net = ["10.0.0.0/33"]',
            T + 'allow-private-net: expected a network like 10.20.0.0/16 or an address, got "10.0.0.0/33"',
        ),
        ('user-agent = "a\\nb"', T + "user-agent: expected a header value"),
        (
            'header = ["X-Ok: 1", "Authorization Bearer s3cret"]',
            T + "header: item #2: expected 'Name: value' or 'HOST=Name: value'",
        ),
        (
            "timout = 3",
            T + "timout: unknown key: expected the long name of an option of "
            '`linkaudit check`, exclude or hosts (did you mean "timeout"?)',
        ),
        ("config = 'x.toml'", T + "config: unknown key"),
        ("exclude = [3]", T + "exclude: expected regexes, or tables"),
        (
            '[[tool.linkaudit.exclude]]\nreason = "why"',
            T + "exclude #1: expected a pattern (a regex)",
        ),
        (
            '[[tool.linkaudit.exclude]]\npattern = "x"\nuntil = "2027-06-30"',
            T + 'exclude #1 until: expected a TOML date like 2027-06-30 (no quotes), got "2027-06-30"',
        ),
        (
            '[[tool.linkaudit.exclude]]\npattern = "x"\nuntil = 2027-06-30T10:00:00',
            T + "exclude #1 until: expected a TOML date like 2027-06-30",
        ),
        (
            '[[tool.linkaudit.exclude]]\npattern = "x"\nresaon = "y"',
            T + "exclude #1 resaon: unknown key: expected pattern, reason or until",
        ),
        (
            '[tool.linkaudit.hosts."a.example"]\nmethod = "POST"',
            H + 'method: expected "GET" or "HEAD", got "POST"',
        ),
        (
            '[tool.linkaudit.hosts."a.example"]\ntimeout = -1',
            H + "timeout: expected a number of seconds > 0, got -1",
        ),
        (
            '[tool.linkaudit.hosts."a.example"]\nconcurrency = 0',
            H + "concurrency: expected a whole number >= 1, got 0",
        ),
        (
            '[tool.linkaudit.hosts."a.example"]\naccept = ["4xx"]',
            H + 'accept: expected a status like 403 or a range like 400-499, got "4xx"',
        ),
        (
            '[tool.linkaudit.hosts."a.example"]\ntimeot = 3',
            H + "timeot: unknown key: expected one of accept, "
            'concurrency, headers, interval, method, timeout (did you mean "timeout"?)',
        ),
        (
            '[tool.linkaudit.hosts."https://a.example/"]\ntimeout = 3',
            T + 'hosts."https://a.example/": expected a host name like example.org',
        ),
        (
            '[tool.linkaudit.hosts."a.example"]\nheaders = { Authorization = "Bearer ${EXAMPLE_TOKEN}" }',
            H + "headers.Authorization: the environment variable EXAMPLE_TOKEN is not set",
        ),
        (
            '[tool.linkaudit.hosts."a.example"]\nheaders = { Authorization = "Bearer ${EXAMPLE TOKEN}" }',
            H + "headers.Authorization: expected ${NAME}",
        ),
        (
            '[tool.linkaudit.hosts."a.example"]\nheaders = { X = "a\\nb" }',
            H + "headers.X: header X: the value holds a line break",
        ),
        ("hosts = 3", T + "hosts: expected tables like"),
    ],
)
def test_one_line_naming_the_file_the_key_and_what_was_expected(tmp_path: Path, text: str, said: str) -> None:
    assert error(tmp_path, f"[tool.linkaudit]\n{text}\n").startswith(said)


def test_secrets_are_never_repeated(tmp_path: Path) -> None:
    said = error(tmp_path, '[tool.linkaudit]\nheader = ["Authorization Bearer s3cret-t0ken"]\n')
    assert "s3cret" not in said
    said = error(
        tmp_path,
        '[tool.linkaudit.hosts."a.example"]\nheaders = { X = "s3cret-t0ken\\n${A}" }\n',
        environ={"A": "1"},
    )
    assert "s3cret" not in said


def test_the_file_itself(tmp_path: Path) -> None:
    assert error(tmp_path, "timeout = 3\n", "pyproject.toml") == "pyproject.toml: no [tool.linkaudit] table"
    assert error(tmp_path, "[tool]\nlinkaudit = 3\n") == "pyproject.toml: tool.linkaudit: expected a table"
    assert error(tmp_path, "timeout = = 3\n", "linkaudit.toml").startswith("linkaudit.toml: not valid TOML:")
    assert error(tmp_path, 'timeout = "x"\n', "linkaudit.toml") == (
        'linkaudit.toml: timeout: expected a number of seconds, got "x"'
    )
    (tmp_path / "bad.toml").write_bytes(b"timeout = '\xff'\n")
    with pytest.raises(ConfigError, match=r"bad.toml: not UTF-8 text \(byte 11\)"):
        load(tmp_path / "bad.toml")


def test_both_names_of_a_flag_pair_are_keys_that_must_agree(tmp_path: Path) -> None:
    options = command_options(inspect.unwrap(commands.check))
    for first, second, parameter in (
        ("soft", "no-soft", "soft"),
        ("deny-private", "allow-private", "deny_private"),
    ):
        assert options[first][0] == options[second][0] == parameter
        assert (options[first][1].opposite, options[first][1].negative) == (second, False)
        assert (options[second][1].opposite, options[second][1].negative) == (first, True)
    path = write(tmp_path / "linkaudit.toml", "no-soft = true\nsoft = false\nallow-private = true\n")
    assert load(path).options == {"no-soft": True, "soft": False, "allow-private": True}
    said = error(tmp_path, "[tool.linkaudit]\nallow-private = true\ndeny-private = true\n")
    assert said == (
        "pyproject.toml: [tool.linkaudit] deny-private: true contradicts allow-private = true "
        "(one flag by its two names): keep one of them"
    )


def test_an_empty_path_names_nothing(tmp_path: Path) -> None:
    for key in ("output", "urls", "root", "store", "ca-bundle", "baseline"):
        assert error(tmp_path, f'[tool.linkaudit]\n{key} = " "\n') == (
            f'pyproject.toml: [tool.linkaudit] {key}: expected a path, got " "'
        )
    path = write(tmp_path / "conf" / "linkaudit.toml", 'baseline = "reports/last.json"\nurls = "-"\n')
    assert load(path).options == {"baseline": str(tmp_path / "conf" / "reports/last.json"), "urls": "-"}
