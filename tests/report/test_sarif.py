"""SARIF 2.1.0: valid against the official schema, one result per problem citation, stable fingerprints."""

from __future__ import annotations

import functools
import io
import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

from linkaudit.models import AuditReport, FileError, FindingKind, Verdict
from linkaudit.report.sarif import FINGERPRINT_KEY, artifact_uri, write_sarif_report

from .builders import cite, every_verdict, http_result, report_of
from .hostile import hostile_report

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"
# RFC 3986 relative-ref characters: unreserved, sub-delims, ":", "@", "/", and %XX escapes.
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*")


@functools.cache
def validator() -> Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def render(report: AuditReport) -> dict[str, Any]:
    out = io.StringIO()
    write_sarif_report(report, out)
    log: dict[str, Any] = json.loads(out.getvalue())
    errors = sorted(validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    return log


def test_valid_sarif_with_a_rule_per_verdict_and_a_result_per_problem_citation() -> None:
    log = render(report_of(*every_verdict(), settings={"fail_on": ["dead"]}))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    kinds = [kind.value for kind in FindingKind]  # hygiene findings: notes under rules of their own
    assert sorted(rule["id"] for rule in rules) == sorted([v.value for v in Verdict] + ["file-error", *kinds])
    results = run["results"]
    # Problems only: live, redirected and skipped citations are not alerts.
    assert sorted(r["ruleId"] for r in results) == sorted(
        [
            "dead",
            "dead",
            "usurped",
            "soft-dead",
            "invalid",
            "unreachable",
            "blocked",
            "rate-limited",
            "deviated",
        ]
    )
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    dead = [r for r in results if r["ruleId"] == "dead"]
    assert [r["level"] for r in dead] == ["error", "error"]
    assert {r["level"] for r in results if r["ruleId"] != "dead"} == {"warning"}
    location = dead[0]["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "articles/a.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12, "startColumn": 9},
    }
    assert dead[0]["message"]["text"] == "dead (404 Not Found): https://gone.example/x — cited as “the study”"
    assert dead[0]["properties"]["reason"] == "http-404"


def test_fingerprints_are_stable_and_survive_lines_moving() -> None:
    def fingerprints(line_shift: int) -> list[str]:
        url = "https://gone.example/x"
        report = report_of(
            http_result(
                url,
                Verdict.DEAD,
                "http-404",
                cite(url, "a.md", 3 + line_shift, 1),
                cite(url, "a.md", 9 + line_shift, 4),
                cite(url, "b.md", 3, 1),
                status=404,
            )
        )
        return [r["partialFingerprints"][FINGERPRINT_KEY] for r in render(report)["runs"][0]["results"]]

    first = fingerprints(0)
    assert first == fingerprints(0)
    assert len(set(first)) == 3  # two citations in one file stay apart
    assert fingerprints(5) == first


def test_artifact_uris_are_relative_references() -> None:
    assert artifact_uri("articles/a b/中文.md") == "articles/a%20b/%E4%B8%AD%E6%96%87.md"
    assert artifact_uri("c:d#e?.md") == "c%3Ad%23e%3F.md"
    assert artifact_uri("dir\\file.md") == "dir/file.md"
    log = render(hostile_report())
    for result in log["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert URI_REFERENCE.fullmatch(uri), uri
        assert not uri.startswith("/")


def test_an_archived_copy_rides_along() -> None:
    results = render(hostile_report())["runs"][0]["results"]
    archives = {r["properties"].get("archiveUrl") for r in results}
    assert archives == {None, "https://web.archive.org/web/2020/https://gone.example/b"}


def test_an_unreadable_article_is_a_file_error_result() -> None:
    errors = (FileError("articles/bad file.md", "not valid text"),)
    log = render(report_of(*every_verdict(), errors=errors, settings={"fail_on": ["dead", "file-error"]}))
    (run,) = log["runs"]
    (result,) = [r for r in run["results"] if r["ruleId"] == "file-error"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "file-error"
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "articles/bad%20file.md"
    quiet = render(report_of(*every_verdict(), errors=errors, settings={"fail_on": ["dead"]}))
    assert [r["level"] for r in quiet["runs"][0]["results"] if r["ruleId"] == "file-error"] == ["warning"]
