"""JUnit XML: one test case per citation, for CI systems that chart test results.

One `<testsuite>` per article; each citation is a `<testcase classname="ARTICLE" name="LINE:COL URL">`.
A citation whose verdict fails the run (`--fail-on`) has a `<failure>` (type: the verdict), a skipped
one `<skipped>`; the others pass, their verdict in `<system-out>`. So the failures JUnit counts are
exactly the citations that make `check` exit 1.

XML 1.0 cannot carry most control characters at all, even escaped: they become U+FFFD, and everything
else is escaped, so any article text gives a well-formed file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import groupby
from typing import TextIO

from linkaudit.models import AuditReport, Verdict
from linkaudit.report.citations import (
    archive_link,
    every_citation,
    evidence_summary,
    failing_verdicts,
    shown_target,
)
from linkaudit.report.digest import Citation, describe_reason

__all__ = ["write_junit_report"]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value).translate(_TEXT_ESCAPES)


def _attr(value: str) -> str:
    return '"' + _NOT_XML.sub("\ufffd", value).translate(_ATTRIBUTE_ESCAPES) + '"'


def _case_lines(citation: Citation, failing: frozenset[Verdict]) -> Iterator[str]:
    result, occ = citation.result, citation.occurrence
    verdict = result.judgement.verdict
    name = f"{occ.line}:{occ.column} {shown_target(result, occ.raw)}"
    yield f'    <testcase classname={_attr(occ.file)} name={_attr(name)} time="0">\n'
    message = f"{verdict.value}: {describe_reason(result.judgement.reason)}"
    details = [f"verdict: {verdict.value}", f"reason: {result.judgement.reason}"]
    details += [f"link text: {occ.text}"] if occ.text else []
    details += [f"evidence: {summary}"] if (summary := evidence_summary(result)) else []
    details += [f"archived copy: {archived}"] if (archived := archive_link(result)) else []
    body = _text("\n".join(details))
    if verdict in failing:
        yield f"      <failure type={_attr(verdict.value)} message={_attr(message)}>{body}</failure>\n"
    elif verdict is Verdict.SKIPPED:
        yield f"      <skipped message={_attr(message)}/>\n"
    else:
        yield f"      <system-out>{body}</system-out>\n"
    yield "    </testcase>\n"


def write_junit_report(report: AuditReport, out: TextIO) -> None:
    """Write the whole run as `<testsuites>`, one suite per article, one case per citation."""
    failing = failing_verdicts(report)
    by_file = [
        (file, list(group)) for file, group in groupby(every_citation(report), lambda c: c.occurrence.file)
    ]

    def counts(citations: list[Citation]) -> str:
        failures = sum(1 for c in citations if c.result.judgement.verdict in failing)
        skipped = sum(
            1
            for c in citations
            if c.result.judgement.verdict is Verdict.SKIPPED and Verdict.SKIPPED not in failing
        )
        return f'tests="{len(citations)}" failures="{failures}" errors="0" skipped="{skipped}"'

    everything = [c for _, citations in by_file for c in citations]
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<testsuites name="linkaudit" {counts(everything)} time="{report.elapsed_s:.3f}">\n')
    for file, citations in by_file:
        out.write(
            f'  <testsuite name={_attr(file)} {counts(citations)} time="0" '
            f"timestamp={_attr(report.generated_at.removesuffix('Z'))}>\n"
        )
        for citation in citations:
            out.writelines(_case_lines(citation, failing))
        out.write("  </testsuite>\n")
    out.write("</testsuites>\n")
