"""The `linkaudit.report/1` contract: every key, for every verdict, parsed back from the real output."""

from __future__ import annotations

import io
import json
from pathlib import PurePosixPath
from typing import Any

import pytest
from contracts import parse_report
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.models import (
    ErrorKind,
    FileError,
    FileWarning,
    Hop,
    Judgement,
    LinkKind,
    TargetStatus,
    Verdict,
)
from linkaudit.report.json import REPORT_SCHEMA, write_json_report

from .builders import (
    CHECKED_AT,
    cite,
    escaped_result,
    every_verdict,
    fragment_results,
    http_result,
    report_of,
    unchecked_result,
)

TOP_KEYS = {
    *("schema", "generated_at", "partial", "elapsed_s", "settings", "summary", "urls", "errors"),
    *("warnings", "pending"),  # grown by issue 9
    *("root", "files"),  # grown by issue 7: what `fix` trusts, and each article's citation date
}
URL_KEYS = {
    "url",
    "verdict",
    "reason",
    "http_status",
    "final_url",
    "permanent",
    "redirects",
    "content_type",
    "checked_at",
    "error",
    "detail",
    "short_circuited",
    "attempts",
    "occurrences",
    "fragment",
    "attempts_omitted",
    "redirects_omitted",
    "soft",
    "reused",
    "confirmed",
    "failures",
    "first_failed_at",
    "archive",
    "archive_error",
    "archive_detail",
    "cited_at",
    "cited_snapshot",
    "drift",
    "baseline",
    "baseline_verdict",
}
ATTEMPT_KEYS = {"method", "url", "status", "error", "detail", "elapsed_ms"}
OCCURRENCE_KEYS = {
    "file",
    "line",
    "column",
    "kind",
    "text",
    "raw",
    "start",
    "end",
    "template",
    "title",
    "fragment",
    "findings",
}


def render(*args: Any, **kwargs: Any) -> dict[str, Any]:
    out = io.StringIO()
    write_json_report(report_of(*args, **kwargs), out)
    return parse_report(out.getvalue())


def by_url(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["url"]: entry for entry in doc["urls"]}


def test_every_key_of_the_contract_for_every_verdict() -> None:
    doc = render(
        *every_verdict(),
        errors=(FileError("articles/bad.md", "cannot decode"),),
        settings={"concurrency": 64, "fail_on": ["dead"]},
    )
    assert set(doc) == TOP_KEYS
    assert doc["schema"] == REPORT_SCHEMA == "linkaudit.report/1"
    assert doc["generated_at"] == "2026-05-01T12:00:05Z"
    assert doc["partial"] is False
    assert doc["elapsed_s"] == 3.25
    assert doc["settings"] == {"concurrency": 64, "fail_on": ["dead"]}
    assert doc["errors"] == [{"file": "articles/bad.md", "message": "cannot decode", "baseline": None}]
    assert {entry["verdict"] for entry in doc["urls"]} == {v.value for v in Verdict}
    for entry in doc["urls"]:
        assert set(entry) == URL_KEYS, entry["url"]
        for attempt in entry["attempts"]:
            assert set(attempt) == ATTEMPT_KEYS
        for hop in entry["redirects"]:
            assert set(hop) == {"url", "status"}
        assert entry["occurrences"]
        for occurrence in entry["occurrences"]:
            assert set(occurrence) == OCCURRENCE_KEYS


def test_summary_counts_files_links_urls_and_every_verdict() -> None:
    doc = render(*every_verdict(), files=7)
    summary = doc["summary"]
    assert summary["files"] == 7
    assert summary["links"] == sum(len(r.occurrences) for r in every_verdict())
    assert summary["urls"] == len(every_verdict())
    assert summary["by_verdict"] == {v.value: 1 for v in Verdict}


def test_verdicts_that_did_not_occur_are_zero_not_missing() -> None:
    doc = render(http_result("https://a.example/", Verdict.LIVE, "http-200", status=200))
    assert doc["summary"]["by_verdict"]["dead"] == 0
    assert doc["summary"]["by_verdict"]["live"] == 1
    assert list(doc["summary"]["by_verdict"]) == [v.value for v in Verdict]


def test_a_dead_url_carries_its_evidence_and_every_citation() -> None:
    entry = by_url(render(*every_verdict()))["https://gone.example/x"]
    assert entry["verdict"] == "dead"
    assert entry["reason"] == "http-404"
    assert entry["http_status"] == 404
    assert entry["checked_at"] == CHECKED_AT
    assert entry["attempts"] == [
        {
            "method": "HEAD",
            "url": "https://gone.example/x",
            "status": 404,
            "error": None,
            "detail": None,
            "elapsed_ms": 81,
        }
    ]
    assert [(o["file"], o["line"], o["column"], o["text"]) for o in entry["occurrences"]] == [
        ("articles/a.md", 12, 9, "the study"),
        ("articles/b.md", 2, 1, "same study"),
    ]


def test_a_redirect_lists_every_hop_and_whether_it_is_permanent() -> None:
    entry = by_url(render(*every_verdict()))["https://moved.example/old"]
    assert entry["verdict"] == "redirected"
    assert entry["permanent"] is True
    assert entry["final_url"] == "https://new.example/home"
    assert entry["redirects"] == [
        {"url": "https://moved.example/old", "status": 301},
        {"url": "https://moved.example/mid", "status": 308},
    ]
    assert [a["status"] for a in entry["attempts"]] == [301, 308, 200]


def test_a_connection_failure_has_no_status_and_names_its_error() -> None:
    entry = by_url(render(*every_verdict()))["https://slow.example/p"]
    assert entry["http_status"] is None
    assert entry["final_url"] is None
    assert entry["error"] == "timeout"
    assert entry["attempts"][0]["error"] == "timeout"


def test_skipped_and_invalid_targets_have_nulls_and_empty_lists_not_missing_keys() -> None:
    urls = by_url(render(*every_verdict()))
    for url, verdict in (("mailto:me@example.org", "skipped"), ("htp://typo", "invalid")):
        entry = urls[url]
        assert entry["verdict"] == verdict
        assert entry["http_status"] is None
        assert entry["final_url"] is None
        assert entry["permanent"] is None
        assert entry["content_type"] is None
        assert entry["checked_at"] is None
        assert entry["error"] is None
        assert entry["short_circuited"] is False
        assert entry["redirects"] == []
        assert entry["attempts"] == []
    assert urls["htp://typo"]["reason"] == "misspelt-scheme"
    assert urls["htp://typo"]["detail"] == "misspelt scheme 'htp'"


def test_short_circuited_urls_are_marked() -> None:
    entry = render(
        http_result(
            "https://gone.example/1",
            Verdict.DEAD,
            "host-unreachable",
            error=ErrorKind.HOST_UNREACHABLE,
            short_circuited=True,
        )
    )["urls"][0]
    assert entry["short_circuited"] is True
    assert entry["attempts"] == []


def test_occurrences_keep_template_title_fragment_and_raw() -> None:
    url = "https://a.example/page"
    result = http_result(
        url,
        Verdict.LIVE,
        "http-200",
        cite(url, "z.md", 4, 2, template=True, title="A title", fragment="part", kind=LinkKind.IMAGE),
        cite(url, "a.md", 9, 1),
        status=200,
    )
    occurrences = render(result)["urls"][0]["occurrences"]
    assert [o["file"] for o in occurrences] == ["a.md", "z.md"]
    assert occurrences[0]["title"] is None
    assert occurrences[0]["fragment"] is None
    assert occurrences[1] | {"start": 0, "end": 0} == {
        "raw": url,
        "kind": "image",
        "text": "link text",
        "file": "z.md",
        "line": 4,
        "column": 2,
        "start": 0,
        "end": 0,
        "template": True,
        "title": "A title",
        "fragment": "part",
        "findings": [],
    }


def test_a_missing_fragment_has_an_entry_of_its_own() -> None:
    doc = render(*reversed(fragment_results()))
    assert doc["summary"]["urls"] == 2
    page, missing = doc["urls"]
    assert page["url"] == missing["url"] == "https://docs.example/guide"
    assert (page["fragment"], page["verdict"], [o["fragment"] for o in page["occurrences"]]) == (
        None,
        "live",
        ["setup"],
    )
    assert (missing["fragment"], missing["verdict"], missing["reason"], missing["detail"]) == (
        "setpu",
        "dead",
        "fragment-missing",
        "closest: #setup",
    )
    assert [(o["line"], o["fragment"]) for o in missing["occurrences"]] == [(5, "setpu")]


def test_a_finding_carries_the_suggested_url_and_its_verdict() -> None:
    checked = escaped_result(Judgement(Verdict.LIVE, "http-200"))
    (occurrence,) = render(checked)["urls"][0]["occurrences"]
    assert occurrence["raw"] == "https://x.example/jana\\_c/status/1"
    assert occurrence["findings"] == [
        {
            "kind": "escaped-bare-url",
            "detail": "remove the backslash",
            "suggestion": "https://x.example/jana_c/status/1",
            "suggestion_verdict": "live",
            "suggestion_reason": "http-200",
            "baseline": None,
        }
    ]
    (unchecked,) = render(escaped_result(None))["urls"][0]["occurrences"][0]["findings"]
    assert (unchecked["suggestion_verdict"], unchecked["suggestion_reason"]) == (None, None)


def test_urls_are_in_url_order_whatever_order_the_engine_finished_in() -> None:
    results = every_verdict()
    forward = render(*results)
    backward = render(*reversed(results))
    assert forward == backward
    urls = [entry["url"] for entry in forward["urls"]]
    assert urls == sorted(urls)


def test_partial_runs_are_marked() -> None:
    assert render(*every_verdict(), partial=True)["partial"] is True


def test_warnings_and_pending_urls_are_listed() -> None:
    doc = render(
        *every_verdict(),
        partial=True,
        warnings=(FileWarning("articles/b.md", "2 undecodable bytes read as U+FFFD", line=3, column=7),),
        pending=("https://z.example/", "https://a.example/"),
    )
    assert doc["warnings"] == [
        {"file": "articles/b.md", "line": 3, "column": 7, "message": "2 undecodable bytes read as U+FFFD"}
    ]
    assert doc["pending"] == ["https://a.example/", "https://z.example/"]
    assert doc["errors"] == []


def test_settings_with_sets_enums_and_paths_become_json() -> None:
    doc = render(
        settings={"fail_on": frozenset({Verdict.DEAD, Verdict.BLOCKED}), "root": PurePosixPath("/a")}
    )
    assert doc["settings"] == {"fail_on": ["blocked", "dead"], "root": "/a"}


def test_an_empty_run_is_valid_json() -> None:
    doc = render(files=0)
    assert doc["urls"] == []
    assert doc["errors"] == doc["warnings"] == doc["pending"] == []
    assert doc["summary"]["urls"] == 0


def test_one_url_per_line_for_grep_and_diff() -> None:
    out = io.StringIO()
    write_json_report(report_of(*every_verdict()), out)
    lines = out.getvalue().splitlines()
    url_lines = [line for line in lines if line.startswith('{"url":')]
    assert len(url_lines) == len(every_verdict())
    for line in url_lines:
        assert json.loads(line.rstrip(","))["verdict"]


def test_non_ascii_is_written_as_is() -> None:
    url = "https://例子.example/文章"
    out = io.StringIO()
    write_json_report(
        report_of(http_result(url, Verdict.LIVE, "http-200", cite(url, text="中文"), status=200)), out
    )
    assert "中文" in out.getvalue()
    assert parse_report(out.getvalue())["urls"][0]["url"] == url


def test_many_urls_stream_out_whole() -> None:
    results = tuple(
        http_result(
            f"https://h{i % 50}.example/{i}",
            Verdict.DEAD,
            "http-404",
            status=404,
            redirects=(Hop(f"https://h{i % 50}.example/r{i}", 302),),
        )
        for i in range(5_000)
    )
    doc = render(*results)
    assert doc["summary"]["urls"] == len(doc["urls"]) == 5_000
    assert doc["summary"]["by_verdict"]["dead"] == 5_000


@settings(max_examples=50, deadline=None)
@given(text=st.text(), raw=st.text(min_size=1), detail=st.none() | st.text())
def test_any_text_round_trips(text: str, raw: str, detail: str | None) -> None:
    occurrence = cite(raw, text=text, status=TargetStatus.INVALID, reason="invalid-host", detail=detail)
    result = unchecked_result(raw, TargetStatus.INVALID, "invalid-host", occurrence, detail=detail)
    entry = render(result)["urls"][0]
    assert entry["url"] == raw
    assert (entry["reason"], entry["detail"]) == ("invalid-host", detail)
    assert entry["occurrences"][0]["text"] == text
    assert entry["occurrences"][0]["raw"] == raw


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_settings_become_null_so_strict_parsers_accept_the_report(value: float) -> None:
    out = io.StringIO()
    write_json_report(report_of(settings={"timeout": value, "nested": {"wait": [value, 1.5]}}), out)
    assert "Infinity" not in out.getvalue()
    assert "NaN" not in out.getvalue()
    assert parse_report(out.getvalue())["settings"] == {"timeout": None, "nested": {"wait": [None, 1.5]}}
