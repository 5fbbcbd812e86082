"""`diff_reports` as a table of cases, and its formats' bounds."""

from __future__ import annotations

import csv
import io
import json

import pytest
from contracts import assert_valid_diff
from junitparser import Failure, JUnitXml
from report.builders import cite, http_result, report_of
from report.test_sarif import validator as sarif_validator

from linkaudit.ci.diff import Change, diff_reports
from linkaudit.ci.diff_formats import CSV_COLUMNS
from linkaudit.ci.diff_report import MAX_MARKDOWN_CHARS, write_diff
from linkaudit.models import AuditReport, UrlResult, Verdict
from linkaudit.report import DiffFormat
from linkaudit.report.sarif import write_sarif_report

SETTINGS: dict[str, object] = {"fail_on": ["dead", "usurped", "file-error"]}


def result(url: str, verdict: Verdict, file: str = "a.md") -> UrlResult:
    return http_result(url, verdict, f"{verdict.value}-reason", cite(url, file), status=200)


def every_kind() -> tuple[AuditReport, AuditReport]:
    old = report_of(
        result("http://a.example/", Verdict.LIVE),  # -> dead: newly failing
        result("http://b.example/", Verdict.DEAD),  # -> live: fixed
        result("http://c.example/", Verdict.DEAD),  # not cited any more: gone
        result("http://d.example/", Verdict.DEAD),  # -> usurped: still failing, another verdict
        result("http://e.example/", Verdict.REDIRECTED),  # -> live: changed
        result("http://f.example/", Verdict.DEAD),  # unchanged
        result("http://g.example/", Verdict.BLOCKED),  # -> blocked: unchanged, not listed
        settings=SETTINGS,
    )
    new = report_of(
        result("http://a.example/", Verdict.DEAD),
        result("http://b.example/", Verdict.LIVE),
        result("http://d.example/", Verdict.USURPED),
        result("http://e.example/", Verdict.LIVE),
        result("http://f.example/", Verdict.DEAD),
        result("http://g.example/", Verdict.BLOCKED),
        result("http://h.example/", Verdict.DEAD),  # new URL, failing: newly failing
        result("http://i.example/", Verdict.LIVE),  # new URL, fine: not listed
        settings=SETTINGS,
    )
    return old, new


def test_each_kind_of_change() -> None:
    old, new = every_kind()
    diff = diff_reports(old, new)
    assert [(entry.change, entry.url) for entry in diff.entries] == [
        (Change.NEWLY_FAILING, "http://a.example/"),
        (Change.NEWLY_FAILING, "http://h.example/"),
        (Change.FIXED, "http://b.example/"),
        (Change.GONE, "http://c.example/"),
        (Change.CHANGED, "http://d.example/"),
        (Change.CHANGED, "http://e.example/"),
    ]
    assert diff.newly_failing
    out = io.StringIO()
    write_diff(diff, DiffFormat.JSON, out)
    document = json.loads(out.getvalue())
    assert_valid_diff(document)
    assert document["summary"] == {"newly-failing": 2, "fixed": 1, "gone": 1, "changed": 2}
    assert document["changes"][3]["after"] is None
    assert document["changes"][3]["citations"] == [{"file": "a.md", "line": 1, "column": 1}]


def test_the_new_reports_fail_on_decides_what_failing_is() -> None:
    old = report_of(result("http://a.example/", Verdict.BLOCKED), settings={"fail_on": ["dead"]})
    new = report_of(result("http://a.example/", Verdict.BLOCKED), settings={"fail_on": ["dead", "blocked"]})
    # Blocked both times: a change of --fail-on is not a link that broke.
    assert diff_reports(old, new).entries == ()


def test_the_markdown_stays_under_a_comments_limit() -> None:
    new = report_of(
        *(
            result(f"http://site{n}.example/{'x' * 300}", Verdict.DEAD, f"{'d/' * 50}{n}.md")
            for n in range(2_000)
        ),
        settings=SETTINGS,
    )
    out = io.StringIO()
    write_diff(diff_reports(report_of(settings=SETTINGS), new), DiffFormat.MARKDOWN, out)
    text = out.getvalue()
    assert len(text) <= MAX_MARKDOWN_CHARS
    assert text.startswith("## linkaudit: 2,000 newly failing URLs")
    assert "more change" in text and "not shown: the JSON diff has every one" in text


def drawn(fmt: DiffFormat) -> str:
    out = io.StringIO()
    write_diff(diff_reports(*every_kind()), fmt, out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", list(DiffFormat))
def test_every_format_writes_the_diff(fmt: DiffFormat) -> None:
    assert "a.example" in drawn(fmt)


def test_github_annotates_newly_failing_citations_at_their_line() -> None:
    lines = drawn(DiffFormat.GITHUB).splitlines()
    assert lines[0] == (
        "::error file=a.md,line=1,col=1,title=linkaudit%3A newly-failing (dead)::"
        "newly-failing: live → dead (dead-reason): http://a.example/"
    )
    assert lines[1].startswith("::error file=a.md,line=1,col=1,") and "not cited → dead" in lines[1]
    assert lines[2].startswith("::notice file=a.md,line=1,col=1,title=linkaudit%3A fixed (live)::")
    # A URL no longer cited: its place is OLD's, so the notice names none.
    assert lines[3] == (
        "::notice title=linkaudit%3A gone (dead)::gone: dead → not cited (dead-reason): http://c.example/"
    )
    assert lines[4].startswith("::warning file=a.md") and "dead → usurped" in lines[4]
    assert lines[5].startswith("::notice file=a.md") and "redirected → live" in lines[5]
    assert lines[6] == "linkaudit diff: 2 newly failing, 1 fixed, 1 no longer cited, 2 changed verdict"


def test_csv_has_a_row_per_changed_citation() -> None:
    rows = list(csv.DictReader(io.StringIO(drawn(DiffFormat.CSV))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [
        (r["change"], r["url"], r["before_verdict"], r["after_verdict"], r["file"], r["line"]) for r in rows
    ] == [
        ("newly-failing", "http://a.example/", "live", "dead", "a.md", "1"),
        ("newly-failing", "http://h.example/", "", "dead", "a.md", "1"),
        ("fixed", "http://b.example/", "dead", "live", "a.md", "1"),
        ("gone", "http://c.example/", "dead", "", "a.md", "1"),
        ("changed", "http://d.example/", "dead", "usurped", "a.md", "1"),
        ("changed", "http://e.example/", "redirected", "live", "a.md", "1"),
    ]


def test_junit_fails_what_makes_diff_exit_1() -> None:
    xml = JUnitXml.fromstring(drawn(DiffFormat.JUNIT).encode("utf-8"))
    suites = {suite.name: suite for suite in xml}
    assert list(suites) == ["newly-failing", "fixed", "gone", "changed"]
    assert (xml.tests, xml.failures) == (6, 2)
    (failure,) = next(iter(suites["newly-failing"])).result
    assert isinstance(failure, Failure) and failure.type == "newly-failing"
    assert all(case.is_passed for name in ("fixed", "gone", "changed") for case in suites[name])


def test_sarif_is_valid_with_old_as_the_baseline() -> None:
    log = json.loads(drawn(DiffFormat.SARIF))
    errors = list(sarif_validator().iter_errors(log))
    assert not errors, [e.message for e in errors[:3]]
    results = log["runs"][0]["results"]
    assert [(r["properties"]["url"], r["ruleId"], r["level"], r["baselineState"]) for r in results] == [
        ("http://a.example/", "dead", "error", "new"),
        ("http://h.example/", "dead", "error", "new"),
        ("http://b.example/", "dead", "note", "absent"),
        ("http://c.example/", "dead", "note", "absent"),
        ("http://d.example/", "usurped", "warning", "updated"),
        ("http://e.example/", "live", "note", "updated"),
    ]
    # The same fingerprint as check's SARIF gives the citation: a viewer can match the two.
    out = io.StringIO()
    write_sarif_report(every_kind()[1], out)
    check_results = json.loads(out.getvalue())["runs"][0]["results"]
    by_url = {r["properties"]["url"]: r["partialFingerprints"] for r in check_results}
    assert results[0]["partialFingerprints"] == by_url["http://a.example/"]


def test_html_is_one_page_that_runs_nothing() -> None:
    page = drawn(DiffFormat.HTML)
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert "<title>linkaudit diff: 2 newly failing URLs</title>" in page
    assert "Content-Security-Policy" in page and "<script" not in page
    assert '<section id="newly-failing"><h2>Newly failing (2)</h2>' in page
    assert '<a href="http://a.example/" rel="noreferrer noopener nofollow">http://a.example/</a>' in page
