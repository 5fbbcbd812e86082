"""SARIF 2.1.0, for code scanning (GitHub uploads it with `github/codeql-action/upload-sarif`).

One rule per verdict (its id is the verdict: `dead`, `blocked`, …) and one result per citation of a
problem, located at its line and column; an article that could not be read is a `file-error` result. What
fails the run (`--fail-on`) is an `error`, the other problems `warning`s: among them a failure the
`--baseline` knew or `--confirm` has not confirmed yet, which does not fail the run either.

With `--baseline`, every result has a `baselineState` (SARIF 2.1.0 §3.27.24: once on one result, on all):
`new`, `unchanged` (the baseline had the URL with the same verdict, the unreadable article, the finding)
or `updated` (the baseline had the URL with another problem verdict, or failing with another verdict).
Results the baseline had and this run has not (`absent`) are not written: code scanning would open them
as alerts, and `linkaudit diff` lists what was fixed. Artifact URIs are the articles'
paths as the run showed them (relative to the folder it ran in: run it from the repository root),
percent-encoded, under `%SRCROOT%`; `originalUriBaseIds` says where that was (the report's `root`, the
folder `check` ran in), so a viewer outside the repository can find the files too. Each hygiene finding
is a `note` under a rule of its own (its id is the finding's kind: `tracking-params`, …), at the
citation it concerns: it never fails anything.

`partialFingerprints` let a code-scanning service follow an alert from run to run: the fingerprint
of a citation is a hash of its file, its URL and how many citations of that URL come before it in that
file, so it is the same for the same input and survives lines being added above it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any, TextIO
from urllib.parse import quote

from linkaudit import __version__
from linkaudit.classify.severity import is_problem, severity
from linkaudit.jsontext import escape_invisible
from linkaudit.models import AuditReport, BaselineMark, FindingKind, UrlResult, Verdict
from linkaudit.report.citations import (
    FILE_ERROR,
    archive_link,
    archive_note,
    article_dates,
    every_citation,
    every_finding,
    evidence_summary,
    excuse,
    failing_verdicts,
    fails_on_file_errors,
)
from linkaudit.report.digest import describe_reason

__all__ = [
    "FINGERPRINT_KEY",
    "RULE_VERDICTS",
    "SARIF_SCHEMA_URI",
    "SOURCE_ROOT",
    "artifact_uri",
    "base_ids",
    "fingerprint",
    "verdict_rule",
    "write_sarif_report",
]

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "linkauditCitation/v1"
SOURCE_ROOT = "%SRCROOT%"
_PROJECT_URL = "https://github.com/linkaudit/linkaudit"

_RULE_TEXT = {
    Verdict.DEAD: ("DeadLink", "The cited URL is gone: 404/410, a name that does not exist, a missing file."),
    Verdict.USURPED: ("UsurpedLink", "The cited domain now serves someone else (parked or taken over)."),
    Verdict.SOFT_DEAD: ("SoftDeadLink", "The page answers 200 but is not the page cited (soft 404)."),
    Verdict.INVALID: ("InvalidLink", "The destination is not a usable URL (misspelt scheme, bad host)."),
    Verdict.UNREACHABLE: ("UnreachableLink", "No answer after retries: timeout, refused, TLS failure."),
    Verdict.BLOCKED: ("BlockedLink", "The server refused to show the page (401/403/451, a bot challenge)."),
    Verdict.RATE_LIMITED: ("RateLimitedLink", "The server still answered 429 after the retries."),
    Verdict.REDIRECTED: ("RedirectedLink", "The URL works but redirects elsewhere: cite the final URL."),
    Verdict.SKIPPED: ("SkippedLink", "Not checked: another scheme, or excluded."),
    Verdict.LIVE: ("LiveLink", "The URL answers."),
    Verdict.DEVIATED: (
        "DeviatedLink",
        "The page answers, but its main text has drifted from the archived copy.",
    ),
}
RULE_VERDICTS = sorted(Verdict, key=severity)
_FINDING_TEXT = {
    FindingKind.ESCAPED_BARE_URL: ("EscapedBareUrl", "A bare URL whose escapes GitHub keeps in the link."),
    FindingKind.TEXT_URL_MISMATCH: ("TextUrlMismatch", "The link text is a URL other than the link's."),
    FindingKind.HTTPS_AVAILABLE: ("HttpsAvailable", "Cited over http://; the host answers over https."),
    FindingKind.SHORTENER: ("Shortener", "A link shortener: cite the address it leads to."),
    FindingKind.TRACKING_PARAMS: ("TrackingParams", "Tracking parameters (utm_*, fbclid, …) in the URL."),
    FindingKind.DUPLICATE_IN_ARTICLE: ("DuplicateInArticle", "The same URL cited again in one article."),
}


def artifact_uri(file: str) -> str:
    """A relative URI reference for an article path: `/`-separated, everything but letters and
    `-._~/` percent-encoded (so a `:` or `#` in a name cannot turn it into a scheme or a fragment)."""
    # A name with bytes that are not UTF-8 holds them as lone surrogates: they become those bytes, escaped.
    return quote(file.replace("\\", "/"), safe="/", errors="surrogateescape")


def _level(verdict: Verdict, failing: frozenset[Verdict]) -> str:
    if verdict in failing:
        return "error"
    return "warning" if is_problem(verdict) else "note"


def _baseline_state(result: UrlResult) -> str:
    """A URL result's state against the `--baseline` report (see the module docstring)."""
    verdict, before = result.judgement.verdict, result.baseline_verdict
    if result.baseline is BaselineMark.NEW or before is None:
        return "new"
    if before is verdict:
        return "unchanged"
    return "updated" if result.baseline is BaselineMark.KNOWN or is_problem(before) else "new"


def _mark_state(mark: BaselineMark | None) -> str:
    return "unchanged" if mark is BaselineMark.KNOWN else "new"


def verdict_rule(verdict: Verdict, failing: frozenset[Verdict]) -> dict[str, Any]:
    """The rule of a verdict (its id is the verdict); its default level is what `failing` makes it."""
    name, text = _RULE_TEXT[verdict]
    return {
        "id": verdict.value,
        "name": name,
        "shortDescription": {"text": f"Citation {verdict.value}"},
        "fullDescription": {"text": text},
        "helpUri": f"{_PROJECT_URL}#what-it-does",
        "defaultConfiguration": {"level": _level(verdict, failing)},
        "properties": {"tags": ["links", "citations"]},
    }


def _finding_rule(kind: FindingKind) -> dict[str, Any]:
    name, text = _FINDING_TEXT[kind]
    return {
        "id": kind.value,
        "name": name,
        "shortDescription": {"text": f"Hygiene finding: {kind.value}"},
        "fullDescription": {"text": text},
        "helpUri": f"{_PROJECT_URL}#hygiene-findings",
        "defaultConfiguration": {"level": "note"},
        "properties": {"tags": ["links", "citations", "hygiene"]},
    }


def _finding_results(report: AuditReport, first_rule: int, *, baselined: bool) -> list[dict[str, Any]]:
    """A `note` per hygiene finding, at its citation; fingerprinted by file, URL, kind and rank."""
    rule_index = {kind: first_rule + i for i, kind in enumerate(FindingKind)}
    seen: Counter[tuple[str, str, str]] = Counter()
    results: list[dict[str, Any]] = []
    for citation, finding in every_finding(report):
        occ = citation.occurrence
        url = citation.result.target.url or occ.raw
        key = (occ.file, url, finding.kind.value)
        nth = seen[key]
        seen[key] += 1
        properties: dict[str, Any] = {"url": url, "kind": finding.kind.value}
        if finding.suggestion is not None:
            properties["suggestion"] = finding.suggestion
        results.append(
            {
                "ruleId": finding.kind.value,
                "ruleIndex": rule_index[finding.kind],
                "level": "note",
                **({"baselineState": _mark_state(finding.baseline)} if baselined else {}),
                "message": {"text": f"{finding.kind.value}: {url} — {finding.detail}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": artifact_uri(occ.file), "uriBaseId": SOURCE_ROOT},
                            "region": {"startLine": occ.line, "startColumn": occ.column},
                        }
                    }
                ],
                "partialFingerprints": {
                    FINGERPRINT_KEY: fingerprint(occ.file, f"{finding.kind.value} {url}", nth)
                },
                "properties": properties,
            }
        )
    return results


def base_ids(report: AuditReport) -> dict[str, Any]:
    """`originalUriBaseIds` naming `%SRCROOT%` as the folder the run showed paths relative to, when known."""
    root = report.root
    if not root.startswith("/"):
        return {}
    uri = "file://" + quote(root.rstrip("/") + "/", safe="/", errors="surrogateescape")
    return {"originalUriBaseIds": {SOURCE_ROOT: {"uri": uri}}}


def fingerprint(file: str, url: str, nth: int) -> str:
    """The `partialFingerprints` value of the `nth` citation of `url` in `file` (see the module docstring)."""
    return hashlib.sha256(f"{file}\0{url}\0{nth}".encode("utf-8", "surrogatepass")).hexdigest()


def write_sarif_report(report: AuditReport, out: TextIO) -> None:
    """Write one SARIF log with one run: the rules, then a result per problem citation."""
    failing = failing_verdicts(report)
    dates = article_dates(report)
    baselined = "baseline" in report.settings  # the run was judged against a --baseline report
    rule_index = {verdict: i for i, verdict in enumerate(RULE_VERDICTS)}
    seen: Counter[tuple[str, str]] = Counter()
    results: list[dict[str, Any]] = []
    for citation in every_citation(report):
        result, occ = citation.result, citation.occurrence
        verdict = result.judgement.verdict
        if not (is_problem(verdict) or verdict in failing):
            continue
        url = result.target.url or occ.raw
        nth = seen[(occ.file, url)]
        seen[(occ.file, url)] += 1
        reason = describe_reason(result.judgement.reason)
        text = " ".join(occ.text.split())
        message = f"{verdict.value} ({reason}): {url}" + (f" — cited as “{text}”" if text else "")
        properties: dict[str, Any] = {
            "url": url,
            "verdict": verdict.value,
            "reason": result.judgement.reason,
            "evidence": evidence_summary(result),
        }
        archived = archive_link(result)
        if archived is not None:
            properties["archiveUrl"] = archived
            message += f" — archived copy: {archived}"
        note = archive_note(result, dates.get(occ.file))
        if note is not None:
            properties["archive"] = note
        if result.drift is not None and result.drift.similarity is not None:
            properties["similarity"] = result.drift.similarity
        excused = excuse(result, failing)
        if excused is not None:
            message += f" ({excused}: not failing the run)"
            properties["failsRun"] = False
        results.append(
            {
                "ruleId": verdict.value,
                "ruleIndex": rule_index[verdict],
                "level": "warning" if excused is not None else _level(verdict, failing),
                **({"baselineState": _baseline_state(result)} if baselined else {}),
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": artifact_uri(occ.file), "uriBaseId": SOURCE_ROOT},
                            "region": {"startLine": occ.line, "startColumn": occ.column},
                        }
                    }
                ],
                "partialFingerprints": {FINGERPRINT_KEY: fingerprint(occ.file, url, nth)},
                "properties": properties,
            }
        )
    file_rule = len(RULE_VERDICTS)
    level = "error" if fails_on_file_errors(report) else "warning"
    for error in sorted(report.errors, key=lambda e: (e.file, e.message)):
        known = error.baseline is BaselineMark.KNOWN
        text = f"{FILE_ERROR}: the article could not be read ({error.message})"
        text += " (known from the baseline: not failing the run)" if known else ""
        results.append(
            {
                "ruleId": FILE_ERROR,
                "ruleIndex": file_rule,
                "level": "warning" if known else level,
                **({"baselineState": _mark_state(error.baseline)} if baselined else {}),
                "message": {"text": text},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": artifact_uri(error.file), "uriBaseId": SOURCE_ROOT}
                        }
                    }
                ],
                "partialFingerprints": {FINGERPRINT_KEY: fingerprint(error.file, FILE_ERROR, 0)},
            }
        )
    rules = [verdict_rule(verdict, failing) for verdict in RULE_VERDICTS]
    rules.append(
        {
            "id": FILE_ERROR,
            "name": "UnreadableArticle",
            "shortDescription": {"text": "Article could not be read"},
            "fullDescription": {"text": "Binary, undecodable, larger than --max-file-size, or vanished."},
            "helpUri": f"{_PROJECT_URL}#what-it-does",
            "defaultConfiguration": {"level": level},
            "properties": {"tags": ["links", "citations"]},
        }
    )
    results += _finding_results(report, len(rules), baselined=baselined)
    rules += [_finding_rule(kind) for kind in FindingKind]
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "linkaudit",
                        "version": __version__,
                        "informationUri": _PROJECT_URL,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not report.partial,
                        "endTimeUtc": report.generated_at,
                    }
                ],
                "columnKind": "unicodeCodePoints",
                **base_ids(report),
                "results": results,
            }
        ],
    }
    out.write(escape_invisible(json.dumps(log, ensure_ascii=False, indent=1)))
    out.write("\n")
