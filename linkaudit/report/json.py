"""The machine-readable check report, `linkaudit.report/1`: a contract later issues extend, never break.

Shape (every key always present; absent evidence is null or an empty list, never a missing key)::

    {"schema": "linkaudit.report/1", "generated_at": "…", "partial": false, "elapsed_s": 1.234,
     "settings": {…},
     "summary": {"files": 12, "links": 140, "urls": 96, "by_verdict": {"live": 80, "redirected": 0, …}},
     "urls": [{"url", "verdict", "reason", "http_status", "final_url", "permanent",
               "redirects": [{url, status}], "content_type", "checked_at", "error", "detail",
               "short_circuited", "attempts": [{method, url, status, error, detail, elapsed_ms}],
               "occurrences": [{raw, kind, text, file, line, column, start, end, template, title,
                                fragment, "findings": [{kind, detail, suggestion, suggestion_verdict,
                                                        suggestion_reason, baseline}]}],
               "fragment", "attempts_omitted", "redirects_omitted",
               "reused", "confirmed", "failures", "first_failed_at", "baseline", "baseline_verdict",
               "archive": {url, timestamp, distance_days, direction} | null,
               "archive_error", "archive_detail", "cited_at",
               "cited_snapshot": {service, original, timestamp, distance_days, direction} | null,
               "drift": {similarity, snapshot, timestamp, error} | null}],
     "errors": [{"file", "message", "baseline"}],
     "warnings": [{"file", "line", "column", "message"}],
     "pending": ["url", …],
     "root": "/abs/folder",
     "files": [{"path", "sha256", "cited_at", "cited_at_source"}]}

`by_verdict` lists every verdict linkaudit knows, zero when none occurred, so `.summary.by_verdict.dead`
is always a number. `urls` are sorted by URL (code-point order) and each URL's occurrences by file and
position: the engine finishes URLs in whatever order the network allows, and a report that is the same for
the same findings diffs cleanly between runs (a URL whose verdict changed is a one-line change). Filter by
verdict with `jq '.urls[] | select(.verdict == "dead")'`.

`errors` are files that could not be read (binary, undecodable, too large, vanished); `warnings` files
read with a flaw whose links are in the report (undecodable bytes read as U+FFFD, located by line and
column). A `partial` report (the run was interrupted) lists in `pending` the URLs it did not check.

`reused` says the result came from the history store (`--max-age`) instead of a probe. A URL whose verdict
is one of `--fail-on` has `failures` (failed checks since its last success, this one included),
`first_failed_at`, and `confirmed` (whether they meet `--confirm N/DAYS`; only confirmed failures fail the
run); for other URLs they are 0, null and null. With `--baseline`, a failing URL's `baseline` is `known`
(the baseline had it failing: it does not fail the run) or `new`; null otherwise. With it too, every URL's
`baseline_verdict` is its verdict in the baseline (null: not there), an unreadable article's `baseline`
is `known` (the baseline listed it: it does not fail the run) or `new`, and so is a hygiene finding's
(the baseline had that kind on that URL in that article); all null without `--baseline`.

`root` is the folder the run's relative paths (`files[].path`, `occurrences[].file`) are relative to;
`files` lists the audited articles in path order with the sha256 of their bytes (null if unreadable) and
the date each cited its links, with where that date came from (`front-matter`, `dateline`, `git`,
`mtime`, `override` for `--cited-at`). `summary.files` stays the count.

`archive` is the archived copy nearest the URL's citation date (the earliest of the articles citing it):
`{archive}/web/{timestamp}/{url}`, captured `distance_days` whole days `before` or `after` that date; the
latest good capture on or before the date, else the earliest after (`--archives failing`, the default,
looks up dead, soft-dead, usurped and unreachable URLs; `all` every one). When there is none,
`archive_error` says why: `none-found`, `archive-unreachable`, `archive-rate-limited`,
`archive-bad-answer` (an archive that fails is given up on for the run; verdicts never depend on it).
`cited_snapshot` describes a citation that already is an archived copy. With `--archives all`, `drift`
compares the live page's main text with the copy's: `similarity` is the share of the copy's text still
there, and below the threshold the verdict is `deviated`, reason `content-drift`.

A `#fragment` its page lacks has an entry of its own: the page's `url`, `"fragment"` set, verdict `dead`,
reason `fragment-missing`, `detail` naming the closest anchor. A hygiene finding (`kind` such as
`escaped-bare-url`) sits on the citation it concerns, with the URL it suggests and that URL's verdict.

The writer streams one URL per line, so memory stays flat; 100,000 URLs take a few seconds. Bidi and C1
controls, U+2028/U+2029 and lone surrogates (a file name that is not UTF-8) are written as `\\uXXXX`
escapes (`linkaudit.jsontext`): the report is pasted into HTML pages and pull-request comments, where they
would act instead of showing, and must be valid UTF-8.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from enum import Enum
from pathlib import PurePath
from typing import Any, TextIO

from linkaudit.jsontext import escape_invisible
from linkaudit.models import AuditReport, Verdict
from linkaudit.report import REPORT_SCHEMA
from linkaudit.report.serialize import article_dict, report_error_dict, url_result_dict, warning_dict

__all__ = ["REPORT_SCHEMA", "report_summary", "write_json_report"]


def _plain(value: object) -> object:
    """Settings may hold sets, enums or paths; anything else unserializable is a bug and must fail loudly."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"cannot put a {type(value).__name__} into a JSON report: {value!r}")


def _finite(value: object) -> object:
    """`--timeout inf` is a fine setting but `Infinity` is not JSON (jq rejects it): write null instead."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


# The entries are trees built fresh here, so the circular-reference check (half the encoding time) is moot.
# allow_nan=False: a non-finite number anywhere else is a bug, and strict JSON parsers would reject it.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=_plain, check_circular=False, allow_nan=False
)


def _dumps(value: object) -> str:
    # Bidi and C1 controls written as \uXXXX: reports end up in HTML pages and PR comments (see jsontext).
    return escape_invisible(_ENCODER.encode(value))


def report_summary(report: AuditReport) -> dict[str, Any]:
    """The `summary` object: totals and URL counts for every known verdict (zero included)."""
    counts = Counter(result.judgement.verdict for result in report.results)
    return {
        "files": report.files,
        "links": report.links,
        "urls": len(report.results),
        "by_verdict": {verdict.value: counts.get(verdict, 0) for verdict in Verdict},
    }


def write_json_report(report: AuditReport, out: TextIO) -> None:
    """Stream `report` to `out` as `linkaudit.report/1`, one URL entry per line."""
    head = {
        "schema": REPORT_SCHEMA,
        "generated_at": report.generated_at,
        "partial": report.partial,
        "elapsed_s": round(report.elapsed_s, 3),
        "settings": _finite(report.settings),
        "summary": report_summary(report),
        "root": report.root,
    }
    # The head is one object minus its closing brace; the lists are then streamed into it, one entry a line.
    out.write(_dumps(head)[:-1])
    results = sorted(
        report.results,
        key=lambda result: (result.target.url, result.target.fragment or "", result.judgement.verdict.value),
    )
    _write_list(out, "urls", (url_result_dict(result) for result in results))
    errors = sorted(report.errors, key=lambda error: (error.file, error.message))
    _write_list(out, "errors", (report_error_dict(error) for error in errors))
    warnings = sorted(report.warnings, key=lambda warning: (warning.file, warning.line, warning.column))
    _write_list(out, "warnings", (warning_dict(warning) for warning in warnings))
    out.write(',\n"pending":')
    out.write(_dumps(sorted(report.pending)))
    _write_list(out, "files", (article_dict(article) for article in report.articles))
    # Fields a newer linkaudit wrote, in a report read back (`linkaudit report`): kept, after ours.
    for key, value in report.extra_fields.items():
        if key not in head and key not in ("urls", "errors", "warnings", "pending", "files"):
            out.write(f",\n{_dumps(key)}:{_dumps(value)}")
    out.write("}\n")


def _write_list(out: TextIO, key: str, entries: Iterable[object]) -> None:
    out.write(f',\n"{key}":[')
    for i, entry in enumerate(entries):
        out.write(",\n" if i else "\n")
        out.write(_dumps(entry))
    out.write("\n]")
