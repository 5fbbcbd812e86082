"""Configuration files end to end: `linkaudit check` and `extract` run for real, reading real files in
temporary folders, against servers on loopback. What the file says takes effect, the command line wins,
repeatable options add up, excludes say why, per-host rules and inline markers reach the checker."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import run_linkaudit
from contracts import parse_report

from linkaudit.cli import commands, main
from linkaudit.cli.configure import command_options
from linkaudit.demo.simweb import Reply, SimWeb

linkaudit = run_linkaudit


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        simulated.host("news.example").route("/live", Reply.html("live"))
        simulated.host("paywall.example").route("/a", Reply.html("members only", status=403))
        simulated.host("intranet.example").route("/x", Reply.html("inside"))
        simulated.missing_host("gone.example")
        yield simulated


def network_keys(web: SimWeb) -> str:
    """`resolve` and `allow-private-net` keys for the simulated web: names never reach the system's DNS."""
    pairs = [
        f"{name}:{address if address is not None else 'nxdomain'}" for name, address in web.resolve.items()
    ]
    return f'resolve = {json.dumps([*pairs, "*:nxdomain"])}\nallow-private-net = ["127.0.0.0/8"]\n'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def report_of(path: Path) -> dict[str, Any]:
    report: dict[str, Any] = parse_report(path.read_text(encoding="utf-8"))
    return report


def by_url(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["url"]: entry for entry in report["urls"]}


def test_a_pyproject_table_drives_the_run(tmp_path: Path, web: SimWeb) -> None:
    repo = tmp_path / "repo"
    write(
        repo / "pyproject.toml",
        f"""[project]
name = "archive"

[tool.linkaudit]
format = "json"
output = "reports/linkaudit.json"
timeout = 7
fail-on = ["dead", "blocked"]
no-store = true
{network_keys(web)}
[tool.linkaudit.hosts."paywall.example"]
accept = [403]
headers = {{ Authorization = "Bearer ${{PAYWALL_TOKEN}}" }}
""",
    )
    write(repo / "articles" / "a.md", "[a](http://news.example/live) [b](http://paywall.example/a)\n")
    (repo / "reports").mkdir()
    # Run from a folder below the file: it is found from the audited folder, its paths are its folder's.
    done = linkaudit("check", ".", cwd=repo / "articles", env={"PAYWALL_TOKEN": "s3cret-t0ken"})
    assert done.returncode == 0, done.stderr
    report = report_of(repo / "reports" / "linkaudit.json")
    urls = by_url(report)
    assert urls["http://paywall.example/a"]["verdict"] == "live"  # the host's accept = [403]
    assert urls["http://news.example/live"]["verdict"] == "live"
    settings = report["settings"]
    assert settings["config"] == str((repo / "pyproject.toml").resolve())  # not under the working folder
    assert settings["timeout"] == 7
    assert settings["fail_on"] == ["blocked", "dead"]  # the file's list replaces the default
    assert settings["hosts"]["paywall.example"]["accept"] == [403]
    assert web.stats("paywall.example").saw_header("Authorization", "Bearer s3cret-t0ken")
    assert "s3cret" not in (repo / "reports" / "linkaudit.json").read_text(encoding="utf-8")
    assert not (repo / "articles" / ".linkaudit").exists()  # no-store = true


def test_the_command_line_wins_and_repeatable_options_add_up(tmp_path: Path, web: SimWeb) -> None:
    write(
        tmp_path / "linkaudit.toml",
        f"""timeout = 7
accept = [410]
exclude = ['^http://intranet\\.example/']
fail-on = "dead"
no-store = true
{network_keys(web)}""",
    )
    write(tmp_path / "a.md", "[b](http://paywall.example/a) [x](http://intranet.example/x)\n")
    done = linkaudit(
        "check", "a.md", "--timeout", "9", "--accept", "403", "--exclude", "nothing-matches", "-f", "json",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = parse_report(done.stdout)
    settings = report["settings"]
    assert settings["timeout"] == 9  # given: replaces the file's
    assert settings["accept"] == [403, 410]  # repeatable: the file's, and the command line's
    assert settings["exclude"] == ["^http://intranet\\.example/", "nothing-matches"]
    assert by_url(report)["http://paywall.example/a"]["verdict"] == "live"
    assert web.stats("intranet.example").requests == 0


def test_excludes_say_why_and_an_exclude_past_its_date_stops(tmp_path: Path, web: SimWeb) -> None:
    write(
        tmp_path / "linkaudit.toml",
        f"""no-store = true
format = "json"
{network_keys(web)}
[[exclude]]
pattern = '^http://intranet\\.'
reason = "not reachable from CI"
until = 2027-06-30

[[exclude]]
pattern = 'news\\.example/never'
""",
    )
    write(tmp_path / "a.md", "[x](http://intranet.example/x) [n](http://news.example/never)\n")
    done = linkaudit("check", "a.md", "--now", "2027-06-30T23:00:00Z", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    urls = by_url(parse_report(done.stdout))
    intranet = urls["http://intranet.example/x"]
    assert (intranet["verdict"], intranet["reason"]) == ("skipped", "excluded")
    assert intranet["detail"] == (
        "exclude '^http://intranet\\\\.' in linkaudit.toml (until 2027-06-30): not reachable from CI"
    )
    assert urls["http://news.example/never"]["detail"] == "exclude 'news\\\\.example/never' in linkaudit.toml"
    assert "warning" not in done.stderr
    assert web.stats("intranet.example").requests == 0

    later = linkaudit("check", "a.md", "--now", "2027-07-01T00:30:00Z", cwd=tmp_path)
    assert later.returncode == 0, later.stderr
    warnings = [line for line in later.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "linkaudit: warning: linkaudit.toml: exclude '^http://intranet\\\\.' ended on 2027-06-30 (until): "
        "its URLs are checked again"
    ]
    assert by_url(parse_report(later.stdout))["http://intranet.example/x"]["verdict"] == "live"
    assert web.stats("intranet.example").requests >= 1


def test_inline_markers_skip_without_a_request(tmp_path: Path, web: SimWeb) -> None:
    write(tmp_path / "linkaudit.toml", f'no-store = true\nformat = "json"\n{network_keys(web)}')
    write(
        tmp_path / "a.md",
        "<!-- linkaudit-disable-next-line -->\n[dead](http://gone.example/x) [p](http://paywall.example/a)\n\n"
        "[live](http://news.example/live) <!-- linkaudit-disable-line -->\n\n"
        "[again](http://news.example/live)\n",
    )
    done = linkaudit("check", "a.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr  # the dead and the 403 links are disabled
    report = parse_report(done.stdout)
    entries = sorted(
        (
            e["url"],
            e["verdict"],
            e["reason"] if e["verdict"] == "skipped" else "",
            [o["line"] for o in e["occurrences"]],
        )
        for e in report["urls"]
    )
    # A URL cited both with and without a marker: one entry checked (its other citations), one skipped.
    assert entries == [
        ("http://gone.example/x", "skipped", "disabled-inline", [2]),
        ("http://news.example/live", "live", "", [6]),
        ("http://news.example/live", "skipped", "disabled-inline", [4]),
        ("http://paywall.example/a", "skipped", "disabled-inline", [2]),
    ]
    assert web.stats("paywall.example").requests == 0
    # Only the cited /live was asked for (besides soft rot's one random sibling: 25 letters).
    asked = [record.path for record in web.stats("news.example").log]
    assert [path for path in asked if not re.fullmatch(r"/[a-z]{25}", path)] == ["/live"]


def test_no_config_and_config(tmp_path: Path, web: SimWeb) -> None:
    write(tmp_path / "linkaudit.toml", "timeout = 'fast'\n")
    write(tmp_path / "ci" / "other.toml", f"no-store = true\ntimeout = 4\n{network_keys(web)}")
    write(tmp_path / "a.md", "[a](http://news.example/live)\n")
    broken = linkaudit("check", "a.md", cwd=tmp_path)
    assert broken.returncode == 2
    assert broken.stderr.splitlines() == [
        'linkaudit: error: linkaudit.toml: timeout: expected a number of seconds, got "fast"'
    ]
    chosen = linkaudit("check", "a.md", "--config", "ci/other.toml", "-f", "json", cwd=tmp_path)
    assert chosen.returncode == 0, chosen.stderr
    settings = parse_report(chosen.stdout)["settings"]
    assert (settings["config"], settings["timeout"]) == ("ci/other.toml", 4)
    ignored = linkaudit("check", "a.md", "--no-config", "--no-store", "--resolve", "*:nxdomain", cwd=tmp_path)
    assert ignored.returncode == 1  # no file: the name is not found, and nothing says otherwise
    both = linkaudit("check", "a.md", "--config", "ci/other.toml", "--no-config", cwd=tmp_path)
    assert (both.returncode, both.stderr.count("\n")) == (2, 1)
    assert "--config and --no-config" in both.stderr
    missing = linkaudit("check", "a.md", "--config", "nope.toml", cwd=tmp_path)
    assert missing.returncode == 2
    assert "--config nope.toml: no such file" in missing.stderr


def test_extract_takes_the_keys_it_shares_with_check(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.linkaudit]\nextensions = ["txt"]\nformat = "sarif"\nno-store = true\n',
    )
    write(tmp_path / "a.md", "[a](https://a.example/)\n")
    write(tmp_path / "b.txt", "https://b.example/\n")
    done = linkaudit("extract", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    urls = [item["url"] for item in json.loads(done.stdout)["links"]]
    assert urls == ["https://b.example/"]  # the file's extensions; its check format is not extract's
    bad = write(tmp_path / "pyproject.toml", "[tool.linkaudit]\ntimeout = -3\n")
    assert bad.exists()
    refused = linkaudit("extract", ".", cwd=tmp_path)  # the whole file is checked, whatever the command
    assert refused.returncode == 2
    assert "pyproject.toml: [tool.linkaudit] timeout: expected a finite number of seconds > 0, got -3" in (
        refused.stderr
    )


def test_history_and_prune_read_the_store_the_file_names(tmp_path: Path, web: SimWeb) -> None:
    write(tmp_path / "linkaudit.toml", f'store = "state/links.sqlite"\n{network_keys(web)}')
    write(tmp_path / "articles" / "a.md", "[a](http://news.example/live)\n")
    checked = linkaudit("check", "articles", "-q", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert (tmp_path / "state" / "links.sqlite").is_file()
    assert not (tmp_path / ".linkaudit").exists()
    # From a folder below the file, as check found it: the file's store, not ./.linkaudit/store.sqlite.
    shown = linkaudit("history", "http://news.example/live", "-f", "json", cwd=tmp_path / "articles")
    assert shown.returncode == 0, shown.stderr
    assert [entry["verdict"] for entry in json.loads(shown.stdout)["checks"]] == ["live"]
    pruned = linkaudit("store", "prune", "--keep", "1d", cwd=tmp_path / "articles")
    assert pruned.returncode == 0, pruned.stderr
    assert "state/links.sqlite" in pruned.stderr
    # --store and --no-config still choose for themselves.
    elsewhere = linkaudit("history", "http://news.example/live", "--no-config", cwd=tmp_path)
    assert elsewhere.returncode == 2
    assert "no store at" in elsewhere.stderr


def test_the_command_line_wins_over_the_keys_it_contradicts(tmp_path: Path, web: SimWeb) -> None:
    write(tmp_path / "a.md", "[a](http://news.example/live)\n")
    write(
        tmp_path / "linkaudit.toml", f'max-age = "1d"\nconfirm = "3/3"\nformat = "json"\n{network_keys(web)}'
    )
    # --no-store: nothing stored to reuse or confirm with; the file's max-age and confirm yield.
    done = linkaudit("check", "a.md", "--no-store", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    settings = parse_report(done.stdout)["settings"]
    assert (settings["store"], settings["max_age"], settings["confirm"]) == (None, 0, "1/0")
    assert not (tmp_path / ".linkaudit").exists()

    # The file's no-store yields to --store, and to a --max-age or --confirm that needs the store.
    write(tmp_path / "linkaudit.toml", f'no-store = true\nformat = "json"\n{network_keys(web)}')
    for args, store in (
        (["--store", "kept.sqlite"], "kept.sqlite"),
        (["--max-age", "1h"], ".linkaudit/store.sqlite"),
        (["--confirm", "2/1"], ".linkaudit/store.sqlite"),
    ):
        used = linkaudit("check", "a.md", *args, cwd=tmp_path)
        assert used.returncode == 0, used.stderr
        assert parse_report(used.stdout)["settings"]["store"] == store, args
        assert (tmp_path / store).is_file()
    # A --max-age that asks for nothing stored leaves the file's no-store be.
    plain = linkaudit("check", "a.md", "--max-age", "0", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert parse_report(plain.stdout)["settings"]["store"] is None

    # --verbose asks for the notes the file's quiet = true would drop.
    write(tmp_path / "linkaudit.toml", f"quiet = true\n{network_keys(web)}")
    quiet = linkaudit("check", "a.md", "--max-age", "1h", "-f", "json", cwd=tmp_path)
    loud = linkaudit("check", "a.md", "--max-age", "1h", "-f", "json", "--verbose", cwd=tmp_path)
    assert (quiet.returncode, loud.returncode) == (0, 0), quiet.stderr + loud.stderr
    assert "reused from the history store" not in quiet.stderr
    assert "1 URLs reused from the history store" in loud.stderr


def test_a_file_that_contradicts_itself_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "[a](http://127.0.0.1:9/x)\n")
    for text, said in (
        ('no-store = true\nmax-age = "1d"', 'linkaudit.toml: max-age: "1d" needs the history store, which '),
        (
            'confirm = "3/3"\nno-store = true',
            'linkaudit.toml: confirm: "3/3" needs the history store, which ',
        ),
        ("soft = true\nno-soft = true", "linkaudit.toml: no-soft: true contradicts soft = true"),
        ("allow-private = false\ndeny-private = false", "linkaudit.toml: deny-private: false contradicts "),
    ):
        write(tmp_path / "linkaudit.toml", text + "\n")
        done = linkaudit("check", "a.md", cwd=tmp_path)
        assert done.returncode == 2, text
        assert done.stderr.startswith(f"linkaudit: error: {said}"), done.stderr
        assert done.stderr.count("\n") == 1


def test_both_names_of_a_flag_pair_are_keys(tmp_path: Path, web: SimWeb) -> None:
    write(tmp_path / "a.md", "[a](http://news.example/live)\n")

    def settings(text: str, *args: str) -> dict[str, Any]:
        write(tmp_path / "linkaudit.toml", f'no-store = true\nformat = "json"\n{text}\n{network_keys(web)}')
        done = linkaudit("check", "a.md", *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        found: dict[str, Any] = parse_report(done.stdout)["settings"]
        return found

    assert settings("no-soft = true")["soft"] is False
    assert settings("no-soft = false")["soft"] is True
    assert settings("soft = false\nno-soft = true")["soft"] is False  # both, agreeing
    assert settings("no-soft = true", "--soft")["soft"] is True  # the command line wins
    assert settings("allow-private = true")["deny_private"] is False
    assert settings("allow-private = true", "--deny-private")["deny_private"] is True


def test_every_path_in_the_file_is_relative_to_its_folder(tmp_path: Path, web: SimWeb) -> None:
    project = tmp_path / "project"
    write(project / "articles" / "a.md", "[a](http://news.example/live) [g](http://gone.example/x)\n")
    write(project / "lists" / "extra.txt", "http://paywall.example/a\n")
    (project / "reports").mkdir()
    first = linkaudit(
        "check", "articles", "--no-config", "--no-store", "-f", "json", "-o", "reports/last.json",
        *network_keys_args(web), cwd=project,
    )  # fmt: skip
    assert first.returncode == 1, first.stderr  # gone.example: dead
    write(
        project / "linkaudit.toml",
        'baseline = "reports/last.json"\nurls = "lists/extra.txt"\noutput = "reports/new.json"\n'
        f'format = "json"\nstore = "state/store.sqlite"\nroot = "articles"\n{network_keys(web)}',
    )
    (project / "state").mkdir()
    # Run from another folder: every path of the file is its folder's, not the working folder's.
    done = linkaudit("check", "a.md", "--accept", "403", cwd=project / "articles")
    assert done.returncode == 0, done.stderr  # the dead link is known to the baseline
    report = report_of(project / "reports" / "new.json")
    assert report["settings"]["baseline"] == str(project / "reports" / "last.json")
    assert report["settings"]["store"] == str(project / "state" / "store.sqlite")
    assert {entry["url"] for entry in report["urls"]} == {
        "http://news.example/live",
        "http://gone.example/x",
        "http://paywall.example/a",
    }


def network_keys_args(web: SimWeb) -> list[str]:
    args = [f"--resolve={name}:{address or 'nxdomain'}" for name, address in web.resolve.items()]
    return [*args, "--resolve=*:nxdomain", "--allow-private-net=127.0.0.0/8"]


# Every key of `check`, with a value it cannot take, and what the one line says was expected. Values that
# only using them can find wrong (a baseline or a URL list that is not there, an unknown git revision)
# are named by the file and the key too.
BAD_VALUES = [
    ("format", '"pdf"', "expected one of terminal, json,"),
    ("output", '""', 'expected a path, got ""'),
    ("exclude", '["("]', "#1: expected a regex"),
    ("include", '["("]', "expected a regex"),
    ("timeout", "0", "expected a finite number of seconds > 0, got 0"),
    ("retries", "-1", "expected a whole number >= 0, got -1"),
    ("concurrency", "0", "expected a whole number >= 1, got 0"),
    ("host-concurrency", '["0"]', 'expected N or HOST=N, N a whole number >= 1, got "0"'),
    ("host-interval", '["-1"]', "expected N or HOST=N, N a finite number of seconds >= 0"),
    ("max-redirects", "-1", "expected a whole number >= 0, got -1"),
    ("max-retry-wait", "-1", "expected a finite number of seconds >= 0, got -1"),
    ("user-agent", '"a\\nb"', "expected a header value"),
    ("header", '["no colon"]', "item #1: expected 'Name: value'"),
    ("accept", '["4xx"]', "expected a status like 403"),
    ("fail-on", '"sorta"', "expected a verdict or file-error"),
    ("resolve", '["a.example"]', "expected HOST:ADDR"),
    ("extensions", "3", "expected file extensions (a string or a list of strings)"),
    ("exclude-path", '["("]', "expected a regex"),
    ("root", '""', "expected a path"),
    ("max-file-size", "0", "expected a number of bytes >= 1, got 0"),
    ("jobs", "0", "expected a whole number >= 1, got 0"),
    ("quiet", '"yes"', 'expected true or false, got "yes"'),
    ("verbose", "1", "expected true or false, got 1"),
    ("deny-private", '"no"', "expected true or false"),
    ("allow-private", '"yes"', "expected true or false"),
    ("allow-private-net", '["10.0.0.0/33"]', "expected a network like 10.20.0.0/16"),
    ("check-fragments", '"yes"', "expected true or false"),
    ("proxy", '"ftp://user:pw@proxy.example"', "expected a proxy like http://HOST:PORT (only http://"),
    ("no-proxy", "3", "expected hosts (a string or a list of strings)"),
    ("insecure", '"yes"', "expected true or false"),
    ("ca-bundle", '""', "expected a path"),
    ("ca-bundle", '"certs/none.pem"', "certs/none.pem: no such file"),
    ("urls", '""', "expected a path"),
    ("urls", '"lists/none.txt"', "lists/none.txt: no such file"),
    ("url-budget", "0", "expected a finite number of seconds > 0, got 0"),
    ("store", '""', "expected a path"),
    ("no-store", '"yes"', "expected true or false"),
    ("max-age", '"3x"', "expected a duration like 30m"),
    ("confirm", '"x"', "expected N/DAYS"),
    ("now", '"yesterday"', "expected an ISO-8601 date or time"),
    ("store-wait", "-1", "expected a finite number of seconds >= 0, got -1"),
    ("archives", '"some"', 'expected one of none, failing, all, got "some"'),
    ("archive-url", '"ftp://archive.example"', "expected http(s)://HOST[:PORT][/PATH]"),
    ("cited-at", '"2024-13-01"', "expected a date as YYYY-MM-DD"),
    ("cited-at", "2024-01-31", 'expected a date as "YYYY-MM-DD", got 2024-01-31'),
    ("changed-since", '"--output=x"', "expected a git revision"),
    ("changed-since", '"main"', "is not in a git repository"),
    ("baseline", '""', "expected a path"),
    ("baseline", '"reports/none.json"', "cannot read"),
    ("shard", '"4/3"', 'expected I/N with 1 <= I <= N, e.g. 2/3, got "4/3"'),
    ("soft", '"yes"', "expected true or false"),
    ("no-soft", "1", "expected true or false, got 1"),
]


def test_every_key_is_in_the_table_of_bad_values() -> None:
    keys = set(command_options(inspect.unwrap(commands.check)))
    assert {key for key, _, _ in BAD_VALUES} == keys


@pytest.mark.parametrize("case", BAD_VALUES, ids=[f"{key}={value}" for key, value, _ in BAD_VALUES])
def test_a_bad_value_of_any_key_is_one_line_naming_the_file_and_the_key(
    case: tuple[str, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key, value, expected = case
    monkeypatch.chdir(tmp_path)
    # A link no check may follow: the error must come before any work.
    write(tmp_path / "a.md", "[a](http://127.0.0.1:9/x)\n")
    write(tmp_path / "linkaudit.toml", f"{key} = {value}\n")
    with pytest.raises(SystemExit) as stopped:
        main(["check", "a.md", "--resolve", "*:nxdomain"])
    said = capsys.readouterr()
    assert stopped.value.code == 2, said.err
    assert said.out == ""
    assert re.fullmatch(r"linkaudit: error: [^\n]+\n", said.err), said.err
    assert re.match(rf"linkaudit: error: linkaudit\.toml: {re.escape(key)}[: ]", said.err), said.err
    assert expected in said.err
    assert "pw@" not in said.err  # a proxy's password is never repeated
