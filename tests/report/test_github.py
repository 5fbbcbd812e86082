"""GitHub workflow commands: one annotation per listed problem, escaped as GitHub's toolkit escapes."""

from __future__ import annotations

import io
import re

from linkaudit.models import AuditReport, ErrorKind, FileError, Verdict
from linkaudit.report.github import escape_data, escape_property, write_github_report

from .builders import cite, every_verdict, http_result, report_of
from .hostile import HOSTILE_FILE, hostile_report

COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def render(report: AuditReport, **kwargs: object) -> list[str]:
    out = io.StringIO()
    write_github_report(report, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue().splitlines()


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """A command as the runner reads it: properties split on `,` then `=`, values and message unescaped."""
    match = COMMAND.match(line)
    assert match is not None, line
    level, props, message = match.groups()

    def unescape(value: str) -> str:
        for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            value = value.replace(code, char)
        return value

    properties = dict(item.split("=", 1) for item in props.split(",")) if props else {}
    return level, {k: unescape(v) for k, v in properties.items()}, unescape(message)


def test_failing_verdicts_are_errors_other_problems_warnings() -> None:
    lines = render(report_of(*every_verdict(), settings={"fail_on": ["dead"]}))
    commands = [parse(line) for line in lines if line.startswith("::")]
    dead = [c for c in commands if c[1].get("line") == "12"]
    assert dead == [
        (
            "error",
            {"file": "articles/a.md", "line": "12", "col": "9", "title": "linkaudit: dead (404 Not Found)"},
            "the study → https://gone.example/x",
        )
    ]
    levels = {c[1]["title"].split(" (")[0]: c[0] for c in commands}
    assert levels["linkaudit: dead"] == "error"
    assert levels["linkaudit: blocked"] == "warning"
    assert levels["linkaudit: unreachable"] == "warning"
    assert not any("live" in c[1]["title"] or "redirected" in c[1]["title"] for c in commands)
    assert lines[-1].startswith(
        "linkaudit: 2 files · 12 links · 11 distinct URLs · 3.2 s: 1 dead, 1 usurped,"
    )


def test_escapes_follow_the_toolkit() -> None:
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("\x1b[31mred\x00") == " [31mred "


def test_no_article_text_can_end_or_start_a_command() -> None:
    lines = render(hostile_report())
    assert all(COMMAND.match(line) for line in lines[:-1]), lines
    assert not any("injected" in line and line.startswith("::error file=evil.md") for line in lines)
    commands = [parse(line) for line in lines[:-1]]
    files = {c[1].get("file") for c in commands}
    assert HOSTILE_FILE in files
    trap = next(c for c in commands if c[1].get("line") == "6")
    # Line breaks in a link text are spaces; a literal "%0A" stays literal (escaped as %250A).
    assert trap[2] == "x ::error file=evil.md,line=1::injected %0A → https://trap.example/"
    assert "%250A" in lines[[c[1].get("line") for c in commands].index("6")]


def test_annotations_are_capped_per_file_with_a_closing_notice() -> None:
    results = [
        http_result(
            f"https://a.example/{i}",
            Verdict.DEAD,
            "http-404",
            cite(f"https://a.example/{i}", "big.md", i + 1, 1),
            status=404,
        )
        for i in range(25)
    ]
    lines = render(report_of(*results, errors=(FileError("bad.md", "not valid text"),)), max_per_file=10)
    on_big = [parse(line) for line in lines if "file=big.md" in line]
    assert [c[0] for c in on_big] == ["error"] * 10 + ["notice"]
    assert on_big[-1][2] == "15 more problems in this file: see the full report"
    assert parse(next(line for line in lines if "file=bad.md" in line))[0] == "error"  # file-error fails
    quiet = render(report_of(errors=(FileError("bad.md", "x"),), settings={"fail_on": ["dead"]}))
    assert parse(quiet[0])[0] == "warning"


def test_a_dead_host_is_one_annotation() -> None:
    results = [
        http_result(
            f"https://gone.example/{i}",
            Verdict.DEAD,
            "dns-not-found",
            cite(f"https://gone.example/{i}", f"a{i}.md"),
            error=ErrorKind.DNS_NOT_FOUND,
        )
        for i in range(12)
    ]
    commands = [parse(line) for line in render(report_of(*results)) if line.startswith("::")]
    assert commands == [
        (
            "error",
            {"title": "linkaudit: dead host"},
            "gone.example: DNS name not found — 12 URLs cited in 12 files",
        )
    ]
