"""`--baseline`, `linkaudit diff` and `linkaudit report --fail-on/--baseline`, end to end (real processes, a
simulated web on loopback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import news_web, resolve_args, run_linkaudit
from contracts import assert_valid_diff, parse_report

from linkaudit.demo.simweb import Reply, SimWeb


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with news_web() as simulated:
        simulated["news.example"].route("/gone", Reply.html("gone", status=404))
        simulated["news.example"].route("/later", Reply.html("later", status=410))
        yield simulated


def check(web: SimWeb, folder: Path, *args: str) -> tuple[int, str]:
    done = run_linkaudit(
        "check", "a.md", "--no-store", "--retries", "0", *resolve_args(web), *args, cwd=folder
    )
    return done.returncode, done.stderr


def urls(path: Path) -> dict[str, dict[str, object]]:
    return {entry["url"]: entry for entry in parse_report(path.read_text(encoding="utf-8"))["urls"]}


def test_known_failures_do_not_fail_the_run_new_ones_do(tmp_path: Path, web: SimWeb) -> None:
    article = tmp_path / "a.md"
    article.write_text("[ok](http://news.example/live) [x](http://news.example/gone)\n", encoding="utf-8")
    code, err = check(web, tmp_path, "-f", "json", "-o", "old.json")
    assert code == 1, err

    code, err = check(web, tmp_path, "-f", "json", "-o", "same.json", "--baseline", "old.json")
    assert code == 0, err
    assert "0 new failing URLs, 1 known" in err
    same = urls(tmp_path / "same.json")
    assert same["http://news.example/gone"]["baseline"] == "known"
    assert same["http://news.example/live"]["baseline"] is None

    article.write_text(
        article.read_text(encoding="utf-8") + "[y](http://news.example/later)\n", encoding="utf-8"
    )
    code, err = check(web, tmp_path, "-f", "json", "-o", "new.json", "--baseline", "old.json")
    assert code == 1, err
    new = urls(tmp_path / "new.json")
    assert new["http://news.example/later"]["baseline"] == "new"
    assert new["http://news.example/gone"]["baseline"] == "known"

    # The saved report judged again: the same answer as the run, and --fail-on changes it.
    assert run_linkaudit("report", "new.json", "--baseline", "old.json", cwd=tmp_path).returncode == 1
    assert run_linkaudit("report", "same.json", "--baseline", "old.json", cwd=tmp_path).returncode == 0
    assert run_linkaudit("report", "old.json", "--fail-on", "dead", cwd=tmp_path).returncode == 1
    assert run_linkaudit("report", "old.json", "--fail-on", "blocked", cwd=tmp_path).returncode == 0
    assert run_linkaudit("report", "old.json", cwd=tmp_path).returncode == 0  # drawing alone judges nothing

    # What changed, in each format; exit 1 because something newly fails.
    diff = run_linkaudit("diff", "old.json", "new.json", "-f", "json", cwd=tmp_path)
    assert diff.returncode == 1, diff.stderr
    document = json.loads(diff.stdout)
    assert_valid_diff(document)
    assert [(c["change"], c["url"]) for c in document["changes"]] == [
        ("newly-failing", "http://news.example/later")
    ]
    assert document["changes"][0]["citations"] == [{"file": "a.md", "line": 2, "column": 1}]
    text = run_linkaudit("diff", "old.json", "new.json", cwd=tmp_path)
    assert "Newly failing (1)" in text.stdout
    assert "not cited -> dead" in text.stdout
    markdown = run_linkaudit("diff", "old.json", "new.json", "-f", "markdown", "-o", "diff.md", cwd=tmp_path)
    assert markdown.returncode == 1
    assert (tmp_path / "diff.md").read_text(encoding="utf-8").startswith("## linkaudit: 1 newly failing URL")
    github = run_linkaudit("diff", "old.json", "new.json", "-f", "github", cwd=tmp_path)
    assert github.returncode == 1
    assert github.stdout.startswith(
        "::error file=a.md,line=2,col=1,title=linkaudit%3A newly-failing (dead)::"
    )
    for fmt in ("csv", "junit", "sarif", "html"):
        done = run_linkaudit("diff", "old.json", "new.json", "-f", fmt, "-o", f"diff.{fmt}", cwd=tmp_path)
        assert done.returncode == 1, (fmt, done.stderr)
        assert "http://news.example/later" in (tmp_path / f"diff.{fmt}").read_text(encoding="utf-8")
    fixed = run_linkaudit("diff", "new.json", "same.json", "-f", "json", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert [c["change"] for c in json.loads(fixed.stdout)["changes"]] == ["gone"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "--baseline: cannot read missing.json: No such file or directory"),
        ("{", "--baseline: missing.json: not valid JSON"),
        ('{"schema": "linkaudit.extract/1"}', "not a linkaudit.report/1 report"),
    ],
)
def test_a_bad_baseline_is_one_line_and_exit_2(
    tmp_path: Path, web: SimWeb, content: str | None, message: str
) -> None:
    (tmp_path / "a.md").write_text("[ok](http://news.example/live)\n", encoding="utf-8")
    if content is not None:
        (tmp_path / "missing.json").write_text(content, encoding="utf-8")
    code, err = check(web, tmp_path, "--baseline", "missing.json")
    assert code == 2
    assert err.count("\n") == 1 and message in err, err


def test_diff_of_reports_that_cannot_be_read_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("[]", encoding="utf-8")
    done = run_linkaudit("diff", "x.json", "x.json", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("linkaudit: error: x.json: not a linkaudit report")


def test_what_does_not_fail_the_run_is_no_failure_in_junit_github_or_sarif(
    tmp_path: Path, web: SimWeb
) -> None:
    """The acceptance review's two cases: a failure `--confirm` has not confirmed, one the baseline knew
    (and an unreadable article it listed): exit 0, and no JUnit failure, `::error` or SARIF error."""

    def no_failures(report: str, *args: str) -> dict[str, Any]:
        junit = run_linkaudit("report", report, *args, "-f", "junit", cwd=tmp_path)
        assert 'failures="0"' in junit.stdout and "<failure" not in junit.stdout, junit.stdout
        assert '<skipped type="' in junit.stdout
        github = run_linkaudit("report", report, *args, "-f", "github", cwd=tmp_path)
        assert "::warning file=a.md,line=1" in github.stdout
        assert "::error" not in github.stdout, github.stdout
        sarif = run_linkaudit("report", report, *args, "-f", "sarif", cwd=tmp_path)
        log: dict[str, Any] = json.loads(sarif.stdout)
        levels = {result["level"] for result in log["runs"][0]["results"]}
        assert levels == {"warning"}, sarif.stdout
        return log

    (tmp_path / "a.md").write_text("[x](http://news.example/gone)\n", encoding="utf-8")
    unconfirmed = run_linkaudit(
        "check", "a.md", "--store", "s.sqlite", "--confirm", "3/3", "--now", "2026-02-01T00:00:00Z",
        "--retries", "0", *resolve_args(web), "-f", "json", "-o", "uc.json", cwd=tmp_path,
    )  # fmt: skip
    assert unconfirmed.returncode == 0, unconfirmed.stderr
    log = no_failures("uc.json")
    assert "baselineState" not in json.dumps(log)  # no baseline: no state

    (tmp_path / "bin.md").write_bytes(b"\x00\x01binary")
    code, err = check(web, tmp_path, "bin.md", "-f", "json", "-o", "old.json")
    assert code == 1, err
    code, err = check(web, tmp_path, "bin.md", "-f", "junit", "-o", "known.xml", "--baseline", "old.json")
    assert code == 0, err
    junit = (tmp_path / "known.xml").read_text(encoding="utf-8")
    assert 'failures="0"' in junit and junit.count('<skipped type="known"') == 2, junit
    code, err = check(web, tmp_path, "bin.md", "-f", "json", "-o", "same.json", "--baseline", "old.json")
    assert code == 0, err
    log = no_failures("same.json")
    results = log["runs"][0]["results"]
    assert {r["baselineState"] for r in results} == {"unchanged"}, results
    # Judged again against the baseline, the saved report says the same.
    assert run_linkaudit("report", "old.json", "--baseline", "old.json", cwd=tmp_path).returncode == 0
    no_failures("old.json", "--baseline", "old.json")
