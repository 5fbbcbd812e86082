"""Reading `linkaudit.report/1` back: JSON → model → JSON gives the same document; bad files, one line."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.ci.baseline import Baseline, mark_errors, mark_results
from linkaudit.models import (
    AuditReport,
    ErrorKind,
    FileError,
    FileWarning,
    Hop,
    Judgement,
    LinkKind,
    TargetStatus,
    Verdict,
)
from linkaudit.report import ReportFormat, write_report
from linkaudit.report.json import write_json_report
from linkaudit.report.read import ReportReadError, parse_report, read_report

from .builders import (
    cite,
    escaped_result,
    every_verdict,
    fragment_results,
    http_result,
    report_of,
    unchecked_result,
)


def as_json(report: AuditReport) -> str:
    out = io.StringIO()
    write_json_report(report, out)
    return out.getvalue()


def round_trip(text: str) -> str:
    return as_json(parse_report(json.loads(text)))


def full_report() -> AuditReport:
    """Every verdict, a fragment its page lacks, hygiene findings, omitted attempts, errors, a partial run."""
    bounded = http_result(
        "https://loop.example/",
        Verdict.DEAD,
        "too-many-redirects",
        cite("https://loop.example/", "z/deep.md", 9, 1),
        error=ErrorKind.TOO_MANY_REDIRECTS,
    )
    assert bounded.evidence is not None
    bounded = replace(
        bounded, evidence=replace(bounded.evidence, attempts_omitted=995, redirects_omitted=990)
    )
    return report_of(
        *every_verdict(),
        *fragment_results(),
        escaped_result(Judgement(Verdict.LIVE, "http-200")),
        escaped_result(None),
        bounded,
        http_result(
            "https://host.example/down",
            Verdict.UNREACHABLE,
            "host-unreachable",
            cite("https://host.example/down", "z/deep.md", 3, 4, fragment="part", title="T"),
            error=ErrorKind.HOST_UNREACHABLE,
            short_circuited=True,
        ),
        errors=(FileError("articles/bad.md", "not valid text"),),
        warnings=(FileWarning("articles/odd.md", "1 byte that is not UTF-8, read as U+FFFD", 3, 14),),
        pending=("https://later.example/1", "https://later.example/2"),
        partial=True,
        settings={"fail_on": ["dead", "unreachable"], "timeout": None, "nested": {"a": [1, 2.5]}},
    )


def test_json_model_json_is_the_same_document() -> None:
    text = as_json(full_report())
    assert round_trip(text) == text


def test_what_the_model_gets_back() -> None:
    report = parse_report(json.loads(as_json(full_report())))
    assert (report.files, report.links, report.partial, report.elapsed_s) == (3, 18, True, 3.25)
    assert report.warnings == (
        FileWarning("articles/odd.md", "1 byte that is not UTF-8, read as U+FFFD", 3, 14),
    )
    assert report.pending == ("https://later.example/1", "https://later.example/2")
    by_url = {result.target.url: result for result in report.results}
    dead = by_url["https://gone.example/x"]
    assert dead.judgement.verdict is Verdict.DEAD
    assert dead.evidence is not None and dead.evidence.status == 404
    assert [(o.file, o.line, o.column) for o in dead.occurrences] == [
        ("articles/a.md", 12, 9),
        ("articles/b.md", 2, 1),
    ]
    typo = by_url["htp://typo"]
    assert typo.evidence is None
    assert (typo.target.status, typo.target.reason, typo.target.detail) == (
        TargetStatus.INVALID,
        "misspelt-scheme",
        "misspelt scheme 'htp'",
    )
    assert by_url["mailto:me@example.org"].target.status is TargetStatus.SKIPPED
    down = by_url["https://host.example/down"]
    assert down.evidence is not None and down.evidence.short_circuited
    assert down.occurrences[0].target.fragment == "part"
    assert down.occurrences[0].title == "T"
    assert down.target.is_http and down.target.host == "host.example"
    missing = next(r for r in report.results if r.target.fragment == "setpu")
    assert (missing.target.url, missing.judgement.reason) == (
        "https://docs.example/guide",
        "fragment-missing",
    )
    (finding,) = next(r for r in report.results if r.occurrences[0].findings).occurrences[0].findings
    assert finding.suggestion == "https://x.example/jana_c/status/1"
    loop = by_url["https://loop.example/"]
    assert loop.evidence is not None
    assert (loop.evidence.attempts_omitted, loop.evidence.redirects_omitted) == (995, 990)


def test_fields_a_newer_version_wrote_are_kept() -> None:
    document = json.loads(as_json(full_report()))
    document["baseline"] = {"known": 3}
    document["urls"][0]["mirror"] = {"url": "https://mirror.example/gone.example/x"}
    document["urls"][0]["occurrences"][0]["hint"] = "a newer occurrence field"
    document["summary"]["by_verdict"]["new-verdict"] = 0
    report = parse_report(document)
    assert report.extra_fields == {"baseline": {"known": 3}}
    first = report.results[0]
    assert dict(first.extra_fields) == {
        "mirror": {"url": "https://mirror.example/gone.example/x"},
    }
    again = json.loads(as_json(report))
    assert again["baseline"] == {"known": 3}
    assert again["urls"][0]["mirror"] == document["urls"][0]["mirror"]
    assert "hint" not in again["urls"][0]["occurrences"][0]  # unknown occurrence fields are dropped


def test_our_own_fields_win_over_kept_ones() -> None:
    document = json.loads(as_json(full_report()))
    report = parse_report(document)
    assert all(not result.extra_fields for result in report.results)
    assert not report.extra_fields


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(),
    raw=st.text(min_size=1),
    detail=st.none() | st.text(),
    title=st.text(),
    fragment=st.none() | st.text(),
    line=st.integers(1, 10**6),
)
def test_any_text_round_trips(  # noqa: PLR0917 - hypothesis passes what it draws by keyword
    text: str, raw: str, detail: str | None, title: str, fragment: str | None, line: int
) -> None:
    invalid = unchecked_result(
        raw,
        TargetStatus.INVALID,
        "invalid-host",
        cite(raw, "文/a b.md", line, 2, text=text, status=TargetStatus.INVALID, reason="invalid-host"),
        detail=detail,
    )
    url = "https://a.example/p"
    live = http_result(
        url,
        Verdict.REDIRECTED,
        "redirect-302",
        cite(url, text=text, title=title, fragment=fragment, kind=LinkKind.IMAGE),
        status=200,
        redirects=(Hop(url, 302),),
        final_url="https://b.example/" + text,
        permanent=False,
    )
    source = as_json(report_of(invalid, live))
    assert round_trip(source) == source


def _bad(document: Any) -> str:
    with pytest.raises(ReportReadError) as caught:
        parse_report(document, source="r.json")
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_foreign_documents_say_what_they_are() -> None:
    assert _bad([1, 2]) == "r.json: not a linkaudit report (the JSON is a list, not an object)"
    assert _bad({"urls": []}) == 'r.json: not a linkaudit report (no "schema": "linkaudit.report/1")'
    extract = {"schema": "linkaudit.extract/1", "files": 1, "links": [], "errors": []}
    assert _bad(extract) == "r.json: a linkaudit.extract/1 document, not a linkaudit.report/1 report"


def test_a_broken_report_names_the_path_of_the_bad_value() -> None:
    document = json.loads(as_json(full_report()))
    document["urls"][2]["occurrences"][0]["line"] = "twelve"
    assert (
        _bad(document) == "r.json: urls[2].occurrences[0].line: expected an integer, got the string 'twelve'"
    )
    document = json.loads(as_json(full_report()))
    del document["urls"][1]["reason"]
    assert _bad(document) == "r.json: urls[1].reason: missing"
    document = json.loads(as_json(full_report()))
    document["urls"][0]["verdict"] = "haunted"
    assert (
        _bad(document) == "r.json: urls[0].verdict: unknown verdict 'haunted' (written by a newer linkaudit?)"
    )
    document = json.loads(as_json(full_report()))
    document["summary"]["files"] = True
    assert _bad(document) == "r.json: summary.files: expected an integer, got true"
    document = json.loads(as_json(full_report()))
    document["urls"] = {}
    assert _bad(document) == "r.json: urls: expected a list, got an object"


def test_files_that_cannot_be_read_or_parsed(tmp_path: Path) -> None:
    cases = {
        "missing.json": None,
        "empty.json": b"",
        "half.json": as_json(full_report()).encode()[:500],
        "latin1.json": b'{"schema": "caf\xe9"}',
    }
    messages = {}
    for name, data in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        with pytest.raises(ReportReadError) as caught:
            read_report(path)
        messages[name] = str(caught.value).replace(str(tmp_path) + "/", "")
    assert messages["missing.json"] == "cannot read missing.json: No such file or directory"
    assert messages["empty.json"] == "empty.json: not valid JSON (line 1, column 1: Expecting value)"
    assert messages["half.json"].startswith("half.json: not valid JSON (line ")
    assert messages["latin1.json"].startswith("latin1.json: not a JSON report (not UTF-8 text")


def test_a_saved_report_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(as_json(full_report()), encoding="utf-8")
    assert as_json(read_report(path)) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_draws_the_same_from_the_report_read_back(fmt: ReportFormat) -> None:
    original = full_report()
    again = parse_report(json.loads(as_json(original)))
    drawn = []
    for report in (original, again):
        out = io.StringIO()
        write_report(report, fmt, out, color=False, verbose=True, width=100)
        drawn.append(out.getvalue())
    assert drawn[0] == drawn[1]


def test_baseline_marks_round_trip() -> None:
    """What `--baseline` records for SARIF's `baselineState` (a URL's verdict there, an unreadable article's
    mark, a finding's) is read back as it was written."""
    full = full_report()
    old = replace(full, results=full.results[:5], errors=())
    baseline = Baseline.of(old, "old.json")
    marked = replace(
        full,
        results=mark_results(full.results, frozenset({Verdict.DEAD}), baseline),
        errors=mark_errors(full.errors, baseline),
    )
    text = as_json(marked)
    assert round_trip(text) == text
    document = json.loads(text)
    assert {entry["baseline_verdict"] for entry in document["urls"]} > {None}
    assert document["errors"][0]["baseline"] == "new"
    findings = [f for entry in document["urls"] for o in entry["occurrences"] for f in o["findings"]]
    assert findings and {f["baseline"] for f in findings} <= {"new", "known"}
