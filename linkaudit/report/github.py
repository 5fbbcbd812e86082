"""GitHub Actions workflow commands: each problem becomes an annotation on the article's line.

`::error file=F,line=L,col=C,title=T::MESSAGE` for a citation that fails the run (`--fail-on`),
`::warning …` for other problems, a failure the `--baseline` knew or `--confirm` has not confirmed yet
among them (its title says which): an error annotation on a green run would be a false alarm. What is
listed comes from `ReportDigest`, as in every human format: an unreachable host or a template link is one
annotation without a file, not one per citation.

GitHub shows only the first annotations of a step, so at most `MAX_PER_FILE` go to one article, then one
notice says how many more it has. Hygiene findings are `::notice`s at their citations, bounded alike.
Values are escaped as GitHub's toolkit does (`%`, CR and LF in the message; also `:` and `,` in
properties), so no article text can end a command or start another.
"""

from __future__ import annotations

import re
from typing import TextIO

from linkaudit.classify.soft import explain
from linkaudit.models import AuditReport, BaselineMark, UrlResult
from linkaudit.report.citations import (
    archive_link,
    archive_note,
    article_dates,
    counted,
    every_finding,
    excuse,
    failing_verdicts,
    fails_on_file_errors,
    fails_run,
    run_totals,
    shown_target,
)
from linkaudit.report.digest import FOLD_HOST_AT, describe_reason, digest_report

__all__ = ["MAX_PER_FILE", "annotation", "escape_data", "escape_property", "write_github_report"]

MAX_PER_FILE = 10
"""Annotations on one article before the closing notice."""

# Other control characters (escape sequences, bidi overrides) would be obeyed by a log viewer.
_CONTROLS = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def escape_data(value: str) -> str:
    """A command's message, as `@actions/core` escapes it."""
    value = _CONTROLS.sub(" ", value)
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command's property value (`file=`, `title=`), as `@actions/core` escapes it."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, **properties: str | int) -> str:
    """One workflow command line, `::LEVEL PROPS::MESSAGE`, every value escaped."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}\n"


def write_github_report(
    report: AuditReport,
    out: TextIO,
    *,
    verbose: bool = False,
    max_per_file: int = MAX_PER_FILE,
    fold_host_at: int = FOLD_HOST_AT,
) -> None:
    """Write one annotation per listed problem, then a plain summary line for the log."""
    digest = digest_report(report, verbose=False, fold_host_at=fold_host_at)
    failing = failing_verdicts(report)
    dates = article_dates(report)

    def level(result: UrlResult) -> str:
        return "error" if fails_run(result, failing) else "warning"

    # A folded host is an error when any of its URLs fails the run.
    hosts_failing = {r.target.host for r in report.results if fails_run(r, failing)}

    for file, citations in digest.by_file:
        for citation in citations[:max_per_file]:
            result, occ = citation.result, citation.occurrence
            verdict = result.judgement.verdict
            target = shown_target(result, occ.raw)
            text = " ".join(occ.text.split())
            message = f"{text} → {target}" if text and text != target else target
            if verbose and result.target.detail:
                message += f" ({result.target.detail})"
            note = archive_note(result, dates.get(file))
            if note is not None:
                archived = archive_link(result)
                message += f" — {note}" + (f": {archived}" if archived else "")

            why = explain(result.evidence, result.judgement) if result.evidence is not None else None
            message += f" ({why})" if why else ""
            title = f"linkaudit: {verdict.value} ({describe_reason(result.judgement.reason)})"
            excused = excuse(result, failing)
            if excused is not None:
                title += f", {excused}"
                message += f" ({excused}: not failing the run)"
            out.write(
                annotation(level(result), message, file=file, line=occ.line, col=occ.column, title=title)
            )
        if len(citations) > max_per_file:
            more = counted(len(citations) - max_per_file, "more problem")
            out.write(annotation("notice", f"{more} in this file: see the full report", file=file))
    for host in digest.hosts:
        message = (
            f"{host.host}: {describe_reason(host.reason)} — {counted(host.urls, 'URL')} "
            f"cited in {counted(host.files, 'file')}"
        )
        host_level = "error" if host.verdict in failing and host.host in hosts_failing else "warning"
        out.write(annotation(host_level, message, title=f"linkaudit: {host.verdict.value} host"))
    for folded in digest.templates:
        result = folded.result
        verdict = result.judgement.verdict
        reason = describe_reason(result.judgement.reason)
        message = f"{result.target.url} — {reason}, in {counted(folded.files, 'file')}"
        excused = excuse(result, failing)
        message += f" ({excused}: not failing the run)" if excused is not None else ""
        out.write(annotation(level(result), message, title=f"linkaudit: {verdict.value} template link"))
    notices: dict[str, int] = {}
    for citation, finding in every_finding(report):
        occ = citation.occurrence
        notices[occ.file] = shown = notices.get(occ.file, 0) + 1
        if shown <= max_per_file:
            message = f"{citation.result.target.url or occ.raw} — {finding.detail}"
            if finding.suggestion is not None:
                message += f" → {finding.suggestion}"
            title = f"linkaudit: {finding.kind.value}"
            out.write(
                annotation("notice", message, file=occ.file, line=occ.line, col=occ.column, title=title)
            )
    for file, count in notices.items():
        if count > max_per_file:
            more = counted(count - max_per_file, "more hygiene finding")
            out.write(annotation("notice", f"{more} in this file: see the full report", file=file))
    error_level = "error" if fails_on_file_errors(report) else "warning"
    for error in sorted(report.errors, key=lambda e: (e.file, e.message)):
        if error.baseline is BaselineMark.KNOWN:
            message = f"{error.message} (known from the baseline: not failing the run)"
            out.write(
                annotation("warning", message, file=error.file, title="linkaudit: file not read, known")
            )
        else:
            out.write(
                annotation(error_level, error.message, file=error.file, title="linkaudit: file not read")
            )
    counts = ", ".join(f"{row.urls:,} {row.verdict.value}" for row in digest.verdicts if row.urls)
    summary = f"linkaudit: {run_totals(report)}: {counts or 'none'}"
    if report.partial:
        summary += " (interrupted: partial)"
    out.write(escape_data(summary) + "\n")
