"""A failure that does not fail the run (the baseline knew it, `--confirm` has not confirmed it yet, an
unreadable article the baseline listed) is no failure in any machine format: JUnit skips it, GitHub warns,
SARIF warns and says its `baselineState`; the human formats count only what fails the run."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from typing import Any

from junitparser import Failure, JUnitXml, Skipped

from linkaudit.ci.baseline import Baseline, mark_errors, mark_results, run_fails
from linkaudit.models import (
    AuditReport,
    BaselineMark,
    FileError,
    Finding,
    FindingKind,
    HistoryNote,
    UrlResult,
    Verdict,
)
from linkaudit.report import ReportFormat, write_report
from linkaudit.report.csv import COLUMNS
from linkaudit.report.html import ROW_COLUMNS

from .builders import cite, http_result, report_of
from .test_github import parse
from .test_sarif import render as render_sarif

DEAD = ["dead", "file-error"]


def drawn(report: AuditReport, fmt: ReportFormat) -> str:
    out = io.StringIO()
    write_report(report, fmt, out, color=False, verbose=False, width=100)
    return out.getvalue()


def dead(url: str, line: int, **marks: object) -> UrlResult:
    result = http_result(url, Verdict.DEAD, "http-404", cite(url, line=line), status=404)
    return dataclasses.replace(result, **marks)  # type: ignore[arg-type]


def excused_only() -> AuditReport:
    """A known failure and an unconfirmed one: the run exits 0."""
    known = dead("https://a.example/old", 1, baseline=BaselineMark.KNOWN, baseline_verdict=Verdict.DEAD)
    waiting = dead(
        "https://b.example/new",
        2,
        baseline=BaselineMark.NEW,
        history=HistoryNote(failures=1, first_failed_at="2026-05-01T00:00:00Z", confirmed=False),
    )
    return report_of(known, waiting, settings={"fail_on": DEAD, "confirm": "3/3", "baseline": "old.json"})


def with_a_new_failure() -> AuditReport:
    report = excused_only()
    new = dead("https://c.example/fresh", 3, baseline=BaselineMark.NEW)
    return dataclasses.replace(report, results=(*report.results, new))


def test_the_reports_are_what_the_exit_code_says() -> None:
    assert not run_fails(excused_only(), frozenset({Verdict.DEAD}), file_errors=True)
    assert run_fails(with_a_new_failure(), frozenset({Verdict.DEAD}), file_errors=True)


def test_junit_skips_an_excused_failure_as_pytest_does_an_expected_one() -> None:
    xml = JUnitXml.fromstring(drawn(excused_only(), ReportFormat.JUNIT).encode("utf-8"))
    assert (xml.failures, xml.skipped, xml.tests) == (0, 2, 2)
    cases = {case.name: case for suite in xml for case in suite}
    (known,) = cases["1:1 https://a.example/old"].result
    assert isinstance(known, Skipped)
    assert known.type == "known"
    assert known.message == "dead: 404 Not Found (known from the baseline: not failing the run)"
    assert "evidence: HTTP 404" in (known.text or "")
    (waiting,) = cases["2:1 https://b.example/new"].result
    assert isinstance(waiting, Skipped) and waiting.type == "not-confirmed"
    assert waiting.message == "dead: 404 Not Found (not confirmed yet (1 failure): not failing the run)"

    xml = JUnitXml.fromstring(drawn(with_a_new_failure(), ReportFormat.JUNIT).encode("utf-8"))
    assert (xml.failures, xml.skipped) == (1, 2)
    (fresh,) = next(case for suite in xml for case in suite if case.name.endswith("c.example/fresh")).result
    assert isinstance(fresh, Failure) and fresh.type == "dead"


def test_github_warns_of_an_excused_failure() -> None:
    lines = drawn(with_a_new_failure(), ReportFormat.GITHUB).splitlines()
    commands = {
        props["line"]: (level, props["title"], message) for level, props, message in map(parse, lines[:-1])
    }
    assert commands["1"] == (
        "warning",
        "linkaudit: dead (404 Not Found), known from the baseline",
        "link text → https://a.example/old (known from the baseline: not failing the run)",
    )
    assert commands["2"][0] == "warning" and "not confirmed yet (1 failure)" in commands["2"][1]
    assert commands["3"][0] == "error"
    assert not any(
        line.startswith("::error") for line in drawn(excused_only(), ReportFormat.GITHUB).splitlines()
    )


def where(result: dict[str, Any]) -> str:
    uri: str = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    return uri


def test_sarif_warns_and_gives_every_result_a_baseline_state() -> None:
    report = with_a_new_failure()
    finding = Finding(FindingKind.TRACKING_PARAMS, "drop utm_source", baseline=BaselineMark.KNOWN)
    blocked = dataclasses.replace(
        http_result(
            "https://d.example/", Verdict.BLOCKED, "http-403", cite("https://d.example/", line=4), status=403
        ),
        baseline_verdict=Verdict.DEAD,  # a problem then too, another one: updated
    )
    with_finding = dataclasses.replace(
        blocked, occurrences=(dataclasses.replace(blocked.occurrences[0], findings=(finding,)),)
    )
    report = dataclasses.replace(
        report,
        results=(*report.results, with_finding),
        errors=(
            FileError("articles/old.md", "binary", baseline=BaselineMark.KNOWN),
            FileError("articles/new.md", "binary", baseline=BaselineMark.NEW),
        ),
    )
    (run,) = render_sarif(report)["runs"]  # valid against the official schema
    states = {
        (r["ruleId"], r["properties"]["url"] if "properties" in r else where(r)): (
            r["level"],
            r["baselineState"],
        )
        for r in run["results"]
    }
    assert states == {
        ("dead", "https://a.example/old"): ("warning", "unchanged"),
        ("dead", "https://b.example/new"): ("warning", "new"),
        ("dead", "https://c.example/fresh"): ("error", "new"),
        ("blocked", "https://d.example/"): ("warning", "updated"),
        ("tracking-params", "https://d.example/"): ("note", "unchanged"),
        ("file-error", "articles/old.md"): ("warning", "unchanged"),
        ("file-error", "articles/new.md"): ("error", "new"),
    }
    known = next(r for r in run["results"] if r["properties"].get("url") == "https://a.example/old")
    assert known["message"]["text"].endswith("(known from the baseline: not failing the run)")


def test_sarif_without_a_baseline_has_no_baseline_state() -> None:
    report = dataclasses.replace(excused_only(), settings={"fail_on": DEAD, "confirm": "3/3"})
    results = render_sarif(report)["runs"][0]["results"]
    assert [r["level"] for r in results] == ["warning", "warning"]
    assert not any("baselineState" in r for r in results)


def test_an_unreadable_article_the_baseline_listed_fails_nothing() -> None:
    report = report_of(
        http_result("https://ok.example/", Verdict.LIVE, "http-200", status=200),
        errors=(FileError("articles/bin.md", "binary file", baseline=BaselineMark.KNOWN),),
        settings={"fail_on": DEAD, "baseline": "old.json"},
    )
    assert not run_fails(report, frozenset({Verdict.DEAD}), file_errors=True)
    xml = JUnitXml.fromstring(drawn(report, ReportFormat.JUNIT).encode("utf-8"))
    assert (xml.failures, xml.skipped) == (0, 1)
    github = drawn(report, ReportFormat.GITHUB)
    assert (
        "::warning file=articles/bin.md,title=linkaudit%3A file not read%2C known::binary file (known"
        in github
    )
    markdown = drawn(report, ReportFormat.MARKDOWN)
    assert markdown.startswith("## linkaudit: no problems found")
    assert "1 unreadable article known from the baseline (not failing the run)" in markdown
    assert "`articles/bin.md`: binary file · *known*" in markdown
    new = dataclasses.replace(report, errors=mark_errors([FileError("articles/bin.md", "binary file")], None))
    assert run_fails(new, frozenset({Verdict.DEAD}), file_errors=True)


def test_markdown_and_html_count_only_what_fails_the_run() -> None:
    markdown = drawn(excused_only(), ReportFormat.MARKDOWN)
    assert markdown.startswith("## linkaudit: no failing links (2 other problems)")
    assert drawn(with_a_new_failure(), ReportFormat.MARKDOWN).startswith(
        "## linkaudit: 1 failing citation in 1 article"
    )
    html = drawn(excused_only(), ReportFormat.HTML)
    assert "<title>linkaudit: 0 failing citations</title>" in html
    assert "1 failing URL known from the baseline (not failing the run)" in html
    data = json.loads(html.split('id="linkaudit-data">')[1].split("</script>")[0])
    tags = {row[ROW_COLUMNS.index("target")]: row[ROW_COLUMNS.index("tags")] for row in data["rows"]}
    assert tags == {"https://a.example/old": "known", "https://b.example/new": "not confirmed (1 failure)"}


def test_csv_says_what_fails_the_run() -> None:
    rows = list(csv.DictReader(io.StringIO(drawn(with_a_new_failure(), ReportFormat.CSV))))
    assert list(rows[0]) == list(COLUMNS)
    assert [(r["url"], r["fails_run"], r["baseline"], r["confirmed"]) for r in rows] == [
        ("https://a.example/old", "false", "known", ""),
        ("https://b.example/new", "false", "new", "false"),
        ("https://c.example/fresh", "true", "new", ""),
    ]


def test_a_baseline_marks_verdicts_findings_and_unreadable_articles() -> None:
    tracked = Finding(FindingKind.TRACKING_PARAMS, "drop utm_source")
    shortener = Finding(FindingKind.SHORTENER, "a shortener")

    def cited(result: UrlResult, *findings: Finding) -> UrlResult:
        return dataclasses.replace(
            result, occurrences=(dataclasses.replace(result.occurrences[0], findings=findings),)
        )

    old = report_of(
        cited(http_result("https://a.example/", Verdict.DEAD, "http-404", status=404), tracked),
        http_result("https://b.example/", Verdict.BLOCKED, "http-403", status=403),
        errors=(FileError("articles/bin.md", "binary"),),
    )
    baseline = Baseline.of(old, "old.json")
    now = (
        cited(http_result("https://a.example/", Verdict.DEAD, "http-404", status=404), tracked, shortener),
        http_result("https://b.example/", Verdict.LIVE, "http-200", status=200),
        http_result("https://c.example/", Verdict.DEAD, "http-404", status=404),
    )
    a, b, c = mark_results(now, frozenset({Verdict.DEAD}), baseline)
    assert (a.baseline, a.baseline_verdict) == (BaselineMark.KNOWN, Verdict.DEAD)
    assert [f.baseline for f in a.occurrences[0].findings] == [BaselineMark.KNOWN, BaselineMark.NEW]
    assert (b.baseline, b.baseline_verdict) == (None, Verdict.BLOCKED)
    assert (c.baseline, c.baseline_verdict) == (BaselineMark.NEW, None)
    errors = mark_errors(
        [FileError("articles/bin.md", "binary"), FileError("articles/x.md", "binary")], baseline
    )
    assert [e.baseline for e in errors] == [BaselineMark.KNOWN, BaselineMark.NEW]
