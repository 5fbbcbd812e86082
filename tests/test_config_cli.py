"""Configuration files end to end: `linkaudit check` and `extract` run for real, reading real files in
temporary folders, against servers on loopback. What the file says takes effect, the command line wins,
repeatable options add up, excludes say why, per-host rules and inline markers reach the checker."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import run_linkaudit
from contracts import parse_report

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
