"""The report formats end to end: `check --format F` and `linkaudit report REPORT.json --format F` in a
real process against real servers on loopback; exit codes; the GitHub job summary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import news_web, resolve_args
from clirun import run_linkaudit as run
from contracts import parse_report

from linkaudit.demo.simweb import SimWeb
from linkaudit.report import ReportFormat

ARTICLE = "[a](http://news.example/live)\n[b](http://gone.example/x)\n[c](http://news.example/moved)\n"


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with news_web() as simulated:
        yield simulated


def test_every_format_from_check_keeps_the_exit_code(tmp_path: Path, web: SimWeb) -> None:
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    for fmt in ReportFormat:
        done = run(
            "check", ".", *resolve_args(web), "-q", "-f", fmt.value, "-o", f"out.{fmt.value}", cwd=tmp_path
        )
        assert done.returncode == 1, (fmt, done.stderr)
        assert done.stderr == ""
        assert (tmp_path / f"out.{fmt.value}").stat().st_size > 0, fmt
        assert "gone.example" in (tmp_path / f"out.{fmt.value}").read_text(encoding="utf-8"), fmt
    done = run("check", ".", *resolve_args(web), "-q", "-f", "sarif", "--fail-on", "blocked", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["runs"][0]["results"][0]["level"] == "warning"


def test_report_draws_a_saved_run_in_every_format(tmp_path: Path, web: SimWeb) -> None:
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    done = run("check", ".", *resolve_args(web), "-q", "-f", "json", "-o", "run.json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    saved = (tmp_path / "run.json").read_text(encoding="utf-8")
    again = run("report", "run.json", "--format", "json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == saved
    parse_report(again.stdout)
    for fmt in ReportFormat:
        drawn = run("report", "run.json", "-f", fmt.value, "-o", f"drawn.{fmt.value}", cwd=tmp_path)
        assert drawn.returncode == 0, (fmt, drawn.stderr)
        assert (drawn.stdout, drawn.stderr) == ("", "")
        assert "gone.example" in (tmp_path / f"drawn.{fmt.value}").read_text(encoding="utf-8"), fmt
    terminal = run("report", "run.json", cwd=tmp_path)
    assert "DNS name not found" in terminal.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "linkaudit: error: cannot read saved.json: No such file or directory"),
        ("not json", "linkaudit: error: saved.json: not valid JSON (line 1, column 1: Expecting value)"),
        (
            '{"schema": "linkaudit.extract/1", "files": 0, "links": [], "errors": []}',
            "linkaudit: error: saved.json: a linkaudit.extract/1 document, not a linkaudit.report/1 report",
        ),
        (
            '{"schema": "other"}',
            'linkaudit: error: saved.json: not a linkaudit report (no "schema": "linkaudit.report/1")',
        ),
    ],
)
def test_a_bad_report_file_is_one_line_and_exit_2(tmp_path: Path, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / "saved.json").write_text(content, encoding="utf-8")
    done = run("report", "saved.json", "-f", "html", "-o", "out.html", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == message + "\n"
    assert done.stdout == ""
    assert not (tmp_path / "out.html").exists()


def test_report_to_an_unwritable_place_is_exit_2(tmp_path: Path, web: SimWeb) -> None:
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    run("check", ".", *resolve_args(web), "-q", "-f", "json", "-o", "run.json", cwd=tmp_path)
    done = run("report", "run.json", "-f", "csv", "-o", "no/such/folder/out.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("linkaudit: error: cannot write report to no/such/folder/out.csv: ")


def test_check_appends_the_markdown_summary_to_the_github_step_summary(tmp_path: Path, web: SimWeb) -> None:
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    summary = tmp_path / "step-summary.md"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    done = run(
        "check", ".", *resolve_args(web), "-q", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert done.returncode == 1, done.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step\n\n## linkaudit: 1 failing citation in 1 article\n")
    assert "- `2:1` **dead** DNS name not found — b → `http://gone.example/x`" in text
    assert "| **dead** | 1 | 1 |" in text


def test_an_unwritable_step_summary_is_a_warning_not_a_failure(tmp_path: Path, web: SimWeb) -> None:
    (tmp_path / "a.md").write_text("[a](http://news.example/live)\n", encoding="utf-8")
    done = run(
        "check", ".", *resolve_args(web), "-q", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(tmp_path)}
    )
    assert done.returncode == 0
    assert done.stderr.startswith(f"linkaudit: warning: cannot add the job summary to {tmp_path}: ")
    without = run("check", ".", *resolve_args(web), "-q", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": ""})
    assert (without.returncode, without.stderr) == (0, "")
