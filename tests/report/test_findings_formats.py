"""Every report format lists the hygiene findings of every kind, and none makes a run fail.

One live citation and one dead one carry a finding of each kind (one with a checked suggestion, one
hostile: markup and a line break in its detail); each format must name every kind, the suggestion
where it has one, and keep findings out of its failures.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from typing import Any

import pytest

from linkaudit.models import Finding, FindingKind, Judgement, UrlResult, Verdict
from linkaudit.report import ReportFormat, write_report
from linkaudit.report.citations import every_finding, finding_counts, finding_line
from linkaudit.report.csv import COLUMNS
from linkaudit.report.html import MAX_FINDINGS

from .builders import cite, http_result, report_of
from .test_sarif import render

SUGGESTED = "https://n.example/p?id=3"


def _findings(kinds: list[FindingKind]) -> tuple[Finding, ...]:
    return tuple(
        Finding(
            kind,
            f"fix {kind.value}" if i else "<b>x</b>\n::error::[y](z)",
            SUGGESTED if kind is FindingKind.TRACKING_PARAMS else None,
            Judgement(Verdict.LIVE, "http-200") if kind is FindingKind.TRACKING_PARAMS else None,
        )
        for i, kind in enumerate(kinds)
    )


def _results() -> tuple[UrlResult, ...]:
    kinds = list(FindingKind)
    live_url = "http://n.example/p?id=3&utm_source=x"
    live = http_result(live_url, Verdict.LIVE, "http-200", cite(live_url, "articles/a.md", 3, 5), status=200)
    dead_url = "http://n.example/gone"
    dead = http_result(dead_url, Verdict.DEAD, "http-404", cite(dead_url, "articles/b.md", 7, 2), status=404)
    half = len(kinds) // 2
    return (
        dataclasses.replace(
            live, occurrences=(dataclasses.replace(live.occurrences[0], findings=_findings(kinds[:half])),)
        ),
        dataclasses.replace(
            dead, occurrences=(dataclasses.replace(dead.occurrences[0], findings=_findings(kinds[half:])),)
        ),
    )


def _render(fmt: ReportFormat, verbose: bool = False) -> str:
    out = io.StringIO()
    write_report(report_of(*_results()), fmt, out, color=False, verbose=verbose, width=200)
    return out.getvalue()


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_names_every_kind(fmt: ReportFormat) -> None:
    text = _render(fmt)
    for kind in FindingKind:
        assert kind.value in text, (fmt, kind)
    if fmt is not ReportFormat.TERMINAL:  # the terminal shows findings under listed citations only
        assert SUGGESTED in text


def test_helpers() -> None:
    report = report_of(*_results())
    assert [kind for kind, _ in finding_counts(report)] == sorted(kind.value for kind in FindingKind)
    assert next(c.occurrence.file for c, _ in every_finding(report)) == "articles/a.md"
    tracking = Finding(
        FindingKind.TRACKING_PARAMS, "remove utm_source", SUGGESTED, Judgement(Verdict.DEAD, "x")
    )
    assert finding_line(tracking) == f"tracking-params: remove utm_source → {SUGGESTED} (dead)"


def test_sarif_notes_under_a_rule_per_kind() -> None:
    log = render(report_of(*_results()))
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules[-len(FindingKind) :] == [kind.value for kind in FindingKind]
    notes = [r for r in run["results"] if r["ruleId"] in {kind.value for kind in FindingKind}]
    assert len(notes) == len(FindingKind)
    assert all(note["level"] == "note" for note in notes)
    assert all(rules[note["ruleIndex"]] == note["ruleId"] for note in run["results"])
    tracking = next(note for note in notes if note["ruleId"] == "tracking-params")
    assert tracking["properties"]["suggestion"] == SUGGESTED
    assert tracking["locations"][0]["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 2}
    assert [r["level"] for r in run["results"] if r["ruleId"] == "dead"] == ["error"]


def test_github_notices_and_no_command_injected() -> None:
    text = _render(ReportFormat.GITHUB)
    notices = [
        line for line in text.splitlines() if line.startswith("::notice") and "title=linkaudit%3A " in line
    ]
    assert len(notices) == len(FindingKind)
    assert "::notice file=articles/a.md,line=3,col=5," in text
    assert not any(line.startswith("::error::") for line in text.splitlines())
    assert next(line for line in text.splitlines() if line.startswith("::error")).startswith(
        "::error file=articles/b.md"
    )


def test_csv_findings_column() -> None:
    rows = list(csv.reader(io.StringIO(_render(ReportFormat.CSV))))
    findings = COLUMNS.index("findings")
    assert rows[0] == list(COLUMNS) and findings == 21  # columns are added at the end, never moved
    by_file = {row[0]: row[findings] for row in rows[1:]}
    assert f"tracking-params: fix tracking-params → {SUGGESTED} (live)" in by_file["articles/b.md"].split(
        " | "
    )


def test_junit_findings_never_fail_a_case() -> None:
    text = _render(ReportFormat.JUNIT)
    assert 'failures="1"' in text
    assert f"finding: tracking-params: fix tracking-params → {SUGGESTED} (live)" in text
    assert "<b>" not in text


def test_json_keeps_every_finding() -> None:
    report: dict[str, Any] = json.loads(_render(ReportFormat.JSON))
    kinds = [f["kind"] for entry in report["urls"] for occ in entry["occurrences"] for f in occ["findings"]]
    assert sorted(kinds) == sorted(kind.value for kind in FindingKind)


def test_markdown_and_html_escape_what_findings_say() -> None:
    markdown = _render(ReportFormat.MARKDOWN)
    assert "### Hygiene findings" in markdown
    assert "<b>" not in markdown and "\\<b\\>x\\</b\\>" in markdown
    html = _render(ReportFormat.HTML)
    assert '<section id="findings">' in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert f'<a href="{SUGGESTED}" rel="noreferrer">' in html


def test_html_lists_at_most_its_limit() -> None:
    url = "http://n.example/x"
    occurrences = tuple(
        dataclasses.replace(
            cite(url, "articles/a.md", line, 1),
            findings=(Finding(FindingKind.DUPLICATE_IN_ARTICLE, "cited already at line 1, column 1"),),
        )
        for line in range(1, MAX_FINDINGS + 6)
    )
    result = http_result(url, Verdict.LIVE, "http-200", *occurrences, status=200)
    out = io.StringIO()
    write_report(report_of(result), ReportFormat.HTML, out, color=False, verbose=False)
    assert out.getvalue().count("<td>duplicate-in-article</td>") == MAX_FINDINGS
    assert "5 more findings: the JSON report has all." in out.getvalue()
