"""JUnit XML: one test case per citation, for CI systems that chart test results.

One `<testsuite>` per article; each citation is a `<testcase classname="ARTICLE" name="LINE:COL URL">`.
A citation whose verdict fails the run (`--fail-on`) has a `<failure>` (type: the verdict), a skipped
one `<skipped>`; the others pass, their verdict in `<system-out>`. An article that could not be read is a
case of its own, failed (type `file-error`) when `--fail-on` has `file-error`, as by default. So the
failures JUnit counts are exactly what makes `check` exit 1. A citation's hygiene findings are lines of
its text (`finding: kind: detail → suggestion`): they never fail a case.

A `--fail-on` verdict that does not fail the run (the `--baseline` knew it, `--confirm` has not confirmed
it yet; an unreadable article the baseline listed) is `<skipped type="known">` or
`<skipped type="not-confirmed">`, its message saying the verdict
and why, its details as a failure's: what pytest writes for an expected failure (`type="pytest.xfail"`).
A passing case would hide a dead link among thousands of live ones; a skipped one is counted apart, shown
with its message by Jenkins, GitLab and the GitHub test-report actions, and fails no dashboard.

XML 1.0 cannot carry most control characters at all, even escaped: they become U+FFFD, and everything
else is escaped, so any article text gives a well-formed file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import TextIO

from linkaudit.models import AuditReport, BaselineMark, FileError, Verdict
from linkaudit.report.citations import (
    FILE_ERROR,
    archive_link,
    archive_note,
    article_dates,
    every_citation,
    evidence_summary,
    excuse,
    failing_verdicts,
    fails_on_file_errors,
    fails_run,
    finding_line,
    shown_target,
)
from linkaudit.report.digest import Citation, describe_reason

__all__ = ["write_junit_report", "xml_attr", "xml_text"]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def xml_text(value: str) -> str:
    """Element text: escaped, and characters XML 1.0 cannot hold as U+FFFD."""
    return _NOT_XML.sub("\ufffd", value).translate(_TEXT_ESCAPES)


def xml_attr(value: str) -> str:
    """A quoted attribute value: escaped (line breaks and tabs kept as references), as `xml_text`."""
    return '"' + _NOT_XML.sub("\ufffd", value).translate(_ATTRIBUTE_ESCAPES) + '"'


def _case_lines(citation: Citation, failing: frozenset[Verdict], cited_at: date | None) -> Iterator[str]:
    result, occ = citation.result, citation.occurrence
    verdict = result.judgement.verdict
    name = f"{occ.line}:{occ.column} {shown_target(result, occ.raw)}"
    yield f'    <testcase classname={xml_attr(occ.file)} name={xml_attr(name)} time="0">\n'
    message = f"{verdict.value}: {describe_reason(result.judgement.reason)}"
    details = [f"verdict: {verdict.value}", f"reason: {result.judgement.reason}"]
    details += [f"link text: {occ.text}"] if occ.text else []
    details += [f"evidence: {summary}"] if (summary := evidence_summary(result)) else []
    details += [f"archived copy: {archived}"] if (archived := archive_link(result)) else []
    details += [f"archive: {note}"] if (note := archive_note(result, cited_at)) else []
    findings = [f"finding: {finding_line(finding)}" for finding in occ.findings]
    body = xml_text("\n".join(details + findings))
    excused = excuse(result, failing)
    if excused is not None:
        kind = "known" if result.baseline is BaselineMark.KNOWN else "not-confirmed"
        message += f" ({excused}: not failing the run)"
        yield f"      <skipped type={xml_attr(kind)} message={xml_attr(message)}>{body}</skipped>\n"
    elif verdict in failing:
        yield f"      <failure type={xml_attr(verdict.value)} message={xml_attr(message)}>{body}</failure>\n"
    elif verdict is Verdict.SKIPPED:
        yield f"      <skipped message={xml_attr(message)}/>\n"
        if findings:
            yield f"      <system-out>{xml_text(chr(10).join(findings))}</system-out>\n"
    else:
        yield f"      <system-out>{body}</system-out>\n"
    yield "    </testcase>\n"


def _error_lines(error: FileError, failing: bool) -> Iterator[str]:
    yield f'    <testcase classname={xml_attr(error.file)} name="file could not be read" time="0">\n'
    message = xml_attr(f"{FILE_ERROR}: {error.message}")
    if failing and error.baseline is BaselineMark.KNOWN:
        message = xml_attr(f"{FILE_ERROR}: {error.message} (known from the baseline: not failing the run)")
        yield f'      <skipped type="known" message={message}>{xml_text(error.message)}</skipped>\n'
    elif failing:
        yield f'      <failure type="{FILE_ERROR}" message={message}>{xml_text(error.message)}</failure>\n'
    else:
        yield f"      <skipped message={message}/>\n"
    yield "    </testcase>\n"


def write_junit_report(report: AuditReport, out: TextIO) -> None:
    """Write the whole run as `<testsuites>`, one suite per article, one case per citation (and one for an
    article that could not be read: failed when `--fail-on` has `file-error`)."""
    failing = failing_verdicts(report)
    dates = article_dates(report)
    file_errors_fail = fails_on_file_errors(report)
    citations_of: defaultdict[str, list[Citation]] = defaultdict(list)
    for citation in every_citation(report):
        citations_of[citation.occurrence.file].append(citation)
    errors_of: defaultdict[str, list[FileError]] = defaultdict(list)
    for error in sorted(report.errors, key=lambda e: (e.file, e.message)):
        errors_of[error.file].append(error)

    def counts(citations: list[Citation], errors: list[FileError]) -> str:
        verdicts = [c.result.judgement.verdict for c in citations]
        failures = sum(1 for c in citations if fails_run(c.result, failing))
        known = sum(1 for error in errors if error.baseline is BaselineMark.KNOWN)
        failures += len(errors) - known if file_errors_fail else 0
        skipped = sum(1 for v in verdicts if v is Verdict.SKIPPED and v not in failing)
        skipped += sum(1 for c in citations if excuse(c.result, failing) is not None)
        skipped += known if file_errors_fail else len(errors)
        return f'tests="{len(citations) + len(errors)}" failures="{failures}" errors="0" skipped="{skipped}"'

    files = sorted(set(citations_of) | set(errors_of))
    every = [c for file in files for c in citations_of[file]]
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    everything = counts(every, list(report.errors))
    out.write(f'<testsuites name="linkaudit" {everything} time="{report.elapsed_s:.3f}">\n')
    stamp = xml_attr(report.generated_at.removesuffix("Z"))
    for file in files:
        citations, errors = citations_of[file], errors_of[file]
        out.write(
            f'  <testsuite name={xml_attr(file)} {counts(citations, errors)} time="0" timestamp={stamp}>\n'
        )
        for error in errors:
            out.writelines(_error_lines(error, file_errors_fail))
        for citation in citations:
            out.writelines(_case_lines(citation, failing, dates.get(file)))
        out.write("  </testsuite>\n")
    out.write("</testsuites>\n")
