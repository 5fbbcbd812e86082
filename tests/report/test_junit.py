"""JUnit XML read back by a real consumer (junitparser): one case per citation, failures = --fail-on."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st
from junitparser import Failure, JUnitXml, Skipped

from linkaudit.models import AuditReport, FileError, TargetStatus, Verdict
from linkaudit.report.junit import write_junit_report

from .builders import cite, every_verdict, report_of, unchecked_result
from .hostile import HOSTILE_FILE, hostile_report


def render(report: AuditReport) -> str:
    out = io.StringIO()
    write_junit_report(report, out)
    return out.getvalue()


def read(report: AuditReport) -> JUnitXml:
    return JUnitXml.fromstring(render(report).encode("utf-8"))


def test_one_case_per_citation_and_the_counts_match() -> None:
    report = report_of(*every_verdict(), settings={"fail_on": ["dead", "unreachable"]})
    xml = read(report)
    suites = list(xml)
    assert [suite.name for suite in suites] == ["articles/a.md", "articles/b.md"]
    cases = [case for suite in suites for case in suite]
    assert len(cases) == xml.tests == sum(len(r.occurrences) for r in every_verdict()) == 12
    failed = [case for case in cases if any(isinstance(r, Failure) for r in case.result)]
    skipped = [case for case in cases if any(isinstance(r, Skipped) for r in case.result)]
    assert xml.failures == len(failed) == 3  # dead twice, unreachable once
    assert xml.skipped == len(skipped) == 1
    assert sum(suite.tests for suite in suites) == 12
    assert sum(suite.failures for suite in suites) == 3
    first_dead = next(case for case in failed if case.classname == "articles/a.md")
    assert first_dead.name == "12:9 https://gone.example/x"
    (failure,) = first_dead.result
    assert (failure.type, failure.message) == ("dead", "dead: 404 Not Found")
    assert "link text: the study" in (failure.text or "")
    passed = [case for case in cases if case.is_passed]
    assert {c.name for c in passed} >= {"3:5 https://ok.example/page", "4:3 https://wall.example/p"}


def test_failures_are_the_run_s_fail_on() -> None:
    assert read(report_of(*every_verdict(), settings={"fail_on": ["blocked"]})).failures == 1
    assert read(report_of(*every_verdict(), settings={})).failures == 2  # the default: dead


def test_hostile_text_still_gives_well_formed_xml() -> None:
    text = render(hostile_report())
    root = ET.fromstring(text.encode("utf-8"))
    names = [case.get("classname") for case in root.iter("testcase")]
    assert HOSTILE_FILE in names
    assert JUnitXml.fromstring(text.encode("utf-8")).failures == 4


@settings(max_examples=60, deadline=None)
@given(text=st.text(), raw=st.text(min_size=1), file=st.text(min_size=1))
def test_any_text_gives_well_formed_xml(text: str, raw: str, file: str) -> None:
    result = unchecked_result(raw, TargetStatus.INVALID, "invalid-host", cite(raw, file, 1, 1, text=text))
    xml = read(report_of(result, settings={"fail_on": [Verdict.INVALID.value]}))
    (suite,) = list(xml)
    (case,) = list(suite)
    assert xml.failures == 1
    assert case.name.startswith("1:1 ")


def test_an_unreadable_article_is_a_failed_case_when_file_errors_fail_the_run() -> None:
    errors = (FileError("articles/bad.md", "not valid text (binary content at byte 0)"),)
    xml = read(report_of(*every_verdict(), errors=errors, settings={"fail_on": ["dead", "file-error"]}))
    assert (xml.tests, xml.failures, xml.skipped) == (13, 3, 1)
    (suite,) = [suite for suite in xml if suite.name == "articles/bad.md"]
    (case,) = list(suite)
    (failure,) = case.result
    assert (case.name, failure.type) == ("file could not be read", "file-error")
    quiet = read(report_of(*every_verdict(), errors=errors, settings={"fail_on": ["dead"]}))
    assert (quiet.tests, quiet.failures, quiet.skipped) == (13, 2, 2)
