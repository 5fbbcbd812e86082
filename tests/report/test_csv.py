"""CSV: one row per citation, RFC 4180 as Python's csv module reads it back, no cell a spreadsheet runs."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.models import AuditReport, TargetStatus
from linkaudit.report.csv import COLUMNS, safe_cell, write_csv_report

from .builders import cite, every_verdict, report_of, unchecked_result
from .hostile import FORMULA, hostile_report


def render(report: AuditReport) -> str:
    out = io.StringIO(newline="")
    write_csv_report(report, out)
    return out.getvalue()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_one_row_per_citation_in_reading_order_with_crlf() -> None:
    text = render(report_of(*every_verdict()))
    assert text.startswith(",".join(COLUMNS) + "\r\n")
    assert text.count("\r\n") == 1 + 12
    parsed = rows(text)
    assert len(parsed) == sum(len(r.occurrences) for r in every_verdict())
    assert [(r["file"], int(r["line"]), int(r["column"])) for r in parsed] == sorted(
        (r["file"], int(r["line"]), int(r["column"])) for r in parsed
    )
    dead = [r for r in parsed if r["verdict"] == "dead"]
    assert [(r["file"], r["line"], r["text"], r["reason"], r["http_status"]) for r in dead] == [
        ("articles/a.md", "12", "the study", "http-404", "404"),
        ("articles/b.md", "2", "same study", "http-404", "404"),
    ]
    typo = next(r for r in parsed if r["verdict"] == "invalid")
    assert (typo["reason"], typo["detail"], typo["http_status"]) == (
        "misspelt-scheme",
        "misspelt scheme 'htp'",
        "",
    )


def test_formula_cells_are_made_text() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "a=1", "")] == [
        "'=1+1",
        "'+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "a=1",
        "",
    ]
    parsed = rows(render(hostile_report()))
    texts = {r["text"] for r in parsed}
    assert "'" + FORMULA in texts
    assert "'-2+3" in texts
    for row in parsed:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    assert any(r["archive_url"] == "https://web.archive.org/web/2020/https://gone.example/b" for r in parsed)


@settings(max_examples=60, deadline=None)
@given(text=st.text(), raw=st.text(min_size=1))
def test_any_text_survives_quoting(text: str, raw: str) -> None:
    result = unchecked_result(
        raw,
        TargetStatus.INVALID,
        "invalid-host",
        cite(raw, 'a,"b".md', 1, 1, text=text, status=TargetStatus.INVALID),
    )
    (row,) = rows(render(report_of(result)))
    assert row["text"] == safe_cell(text)
    assert row["raw"] == safe_cell(raw)
    assert row["file"] == 'a,"b".md'
