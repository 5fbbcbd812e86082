"""`linkaudit history URL` as a table: the same checks, and the same columns, as `--format json` has."""

from __future__ import annotations

import io

from linkaudit.models import Evidence, Judgement, Verdict
from linkaudit.report import HistoryFormat
from linkaudit.report.history import write_history
from linkaudit.store.checks import StoredCheck

URL = "https://a.example/page"
COPY = "https://web.archive.org/web/20240101000000/https://a.example/page"


def table(*checks: StoredCheck) -> list[str]:
    out = io.StringIO()
    write_history(URL, checks, HistoryFormat.TERMINAL, out)
    return out.getvalue().splitlines()


def stored(at: int, verdict: Verdict, status: int, archive: str | None = None) -> StoredCheck:
    evidence = Evidence(URL, status=status, final_url=URL)
    return StoredCheck(at, Judgement(verdict, f"http-{status}"), evidence, wants_image=False, archive=archive)


def test_the_archived_copy_is_a_column_when_a_check_has_one() -> None:
    lines = table(stored(0, Verdict.LIVE, 200), stored(86_400, Verdict.DEAD, 404, COPY))
    assert lines[2].split() == [
        "checked",
        "verdict",
        "reason",
        "status",
        "final",
        "URL",
        "/",
        "detail",
        "archive",
    ]
    assert lines[3].split() == ["1970-01-01T00:00:00Z", "live", "http-200", "200"]
    assert lines[4].split() == ["1970-01-02T00:00:00Z", "dead", "http-404", "404", COPY]
    assert lines[4].index(COPY) == lines[2].index("archive")  # in its column, under its heading


def test_without_an_archived_copy_there_is_no_empty_column() -> None:
    lines = table(stored(0, Verdict.LIVE, 200))
    assert lines[2].rstrip().endswith("final URL / detail")
