"""`--baseline OLD.json`: failures a saved report already had do not fail the run; new ones do.

A failing URL (its verdict one of `--fail-on`) is `known` when the baseline has the same URL (and
`#fragment`) with a verdict that `--fail-on` also counts, else `new`; both are reported, and only `new`
ones count toward the exit code. The baseline is judged with today's `--fail-on`, not the one it was
made with: a run that starts failing on `soft-dead` treats last week's soft-dead URLs as known. An
unreadable article the baseline listed as unreadable is known too.

For SARIF's `baselineState` (which, once on one result, must be on all) the report also records each
URL's verdict in the baseline (`baseline_verdict`), each unreadable article's mark, and each hygiene
finding's: `known` when the baseline had the same kind of finding on the same URL in the same article.

`run_fails` is the one rule for exit code 1, shared by `check` and `linkaudit report`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from linkaudit.models import AuditReport, BaselineMark, FileError, Finding, Occurrence, UrlResult, Verdict

__all__ = ["Baseline", "BaselineError", "load_baseline", "mark_errors", "mark_results", "run_fails"]

_Key = tuple[str, str | None]


class BaselineError(Exception):
    """The baseline cannot be used; the message is one line naming the file and why."""


@dataclass(frozen=True, slots=True)
class Baseline:
    """What a saved report says, as far as a baseline needs: each URL's verdict, the unreadable files."""

    source: str
    verdicts: Mapping[_Key, Verdict]
    error_files: frozenset[str]
    #: (article, URL, finding kind) of every hygiene finding the baseline had.
    findings: frozenset[tuple[str, str, str]] = frozenset()

    @classmethod
    def of(cls, report: AuditReport, source: str) -> Baseline:
        return cls(
            source=source,
            verdicts={(r.target.url, r.target.fragment): r.judgement.verdict for r in report.results},
            error_files=frozenset(error.file for error in report.errors),
            findings=frozenset(
                (occ.file, r.target.url, finding.kind.value)
                for r in report.results
                for occ in r.occurrences
                for finding in occ.findings
            ),
        )

    def mark(self, result: UrlResult, fail_on: frozenset[Verdict]) -> BaselineMark:
        before = self.verdicts.get((result.target.url, result.target.fragment))
        return BaselineMark.KNOWN if before is not None and before in fail_on else BaselineMark.NEW

    def _finding_mark(self, file: str, url: str, finding: Finding) -> BaselineMark:
        known = (file, url, finding.kind.value) in self.findings
        return BaselineMark.KNOWN if known else BaselineMark.NEW

    def _with_findings_marked(self, result: UrlResult) -> tuple[Occurrence, ...]:
        url = result.target.url
        return tuple(
            dataclasses.replace(
                occ,
                findings=tuple(
                    dataclasses.replace(found, baseline=self._finding_mark(occ.file, url, found))
                    for found in occ.findings
                ),
            )
            if occ.findings
            else occ
            for occ in result.occurrences
        )

    def marked(self, result: UrlResult, fail_on: frozenset[Verdict]) -> UrlResult:
        """The result with its mark (a failing one), its baseline verdict and its findings' marks."""
        return dataclasses.replace(
            result,
            baseline=self.mark(result, fail_on) if result.judgement.verdict in fail_on else None,
            baseline_verdict=self.verdicts.get((result.target.url, result.target.fragment)),
            occurrences=self._with_findings_marked(result),
        )


def load_baseline(path: str | os.PathLike[str], origin: str = "--baseline") -> Baseline:
    """The baseline in the JSON report at `path`. Raises BaselineError (one line, naming `origin`: the
    option or a configuration file's key) when it cannot be used."""
    from linkaudit.report.read import ReportReadError, read_report  # noqa: PLC0415 - the checker's start-up

    try:
        report = read_report(path)
    except ReportReadError as exc:
        raise BaselineError(f"{origin}: {exc}") from None
    if report.partial:
        # An interrupted run lacks URLs: each would count as new.
        raise BaselineError(f"{origin}: {os.fspath(path)} is a partial report (the run was interrupted)")
    return Baseline.of(report, os.fspath(path))


def mark_results(
    results: Iterable[UrlResult], fail_on: frozenset[Verdict], baseline: Baseline | None
) -> tuple[UrlResult, ...]:
    """The results, each failing one marked `new` or `known` against the baseline, each with its verdict in
    the baseline and its findings marked (none: unchanged)."""
    if baseline is None:
        return tuple(results)
    return tuple(baseline.marked(result, fail_on) for result in results)


def mark_errors(errors: Iterable[FileError], baseline: Baseline | None) -> tuple[FileError, ...]:
    """The unreadable articles, each `known` when the baseline listed it too, else `new` (none: unchanged)."""
    if baseline is None:
        return tuple(errors)
    return tuple(
        dataclasses.replace(
            error, baseline=BaselineMark.KNOWN if error.file in baseline.error_files else BaselineMark.NEW
        )
        for error in errors
    )


def run_fails(
    report: AuditReport,
    fail_on: frozenset[Verdict],
    *,
    file_errors: bool,
) -> bool:
    """Whether the run fails (exit 1): a confirmed failure the baseline did not know, or (with `file_errors`)
    an unreadable article it did not list (see `mark_errors`)."""
    for result in report.results:
        # A failure the baseline knew, or one --confirm has not confirmed yet, is reported but does not
        # fail the run.
        if result.judgement.verdict in fail_on and not result.excused:
            return True
    return file_errors and any(error.baseline is not BaselineMark.KNOWN for error in report.errors)
