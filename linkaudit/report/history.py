"""`linkaudit history URL`: one URL's checks over time, as a table for people or `linkaudit.history/1` JSON.

The JSON shape::

    {"schema": "linkaudit.history/1", "url": "…",
     "checks": [{"checked_at", "verdict", "reason", "http_status", "final_url", "archive", "run",
                 "error", "detail", "redirects": [{url, status}], "content_type",
                 "attempts": [{method, url, status, error, detail, elapsed_ms}]}]}

Checks are oldest first; `verdict` and `reason` are as judged when the check was made.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO, assert_never

from linkaudit.jsontext import escape_invisible
from linkaudit.report import HistoryFormat
from linkaudit.report.serialize import attempt_dict, hop_dict
from linkaudit.report.text import printable
from linkaudit.store.checks import StoredCheck
from linkaudit.store.policy import iso

__all__ = ["HISTORY_SCHEMA", "write_history"]

HISTORY_SCHEMA = "linkaudit.history/1"


def _check_dict(check: StoredCheck) -> dict[str, Any]:
    evidence = check.evidence
    return {
        "checked_at": iso(check.checked_at),
        "verdict": check.verdict.value,
        "reason": check.reason,
        "http_status": evidence.status,
        "final_url": evidence.final_url,
        "archive": check.archive,
        "run": check.run_id,
        "error": evidence.error.value if evidence.error is not None else None,
        "detail": evidence.detail,
        "redirects": [hop_dict(hop) for hop in evidence.redirects],
        "content_type": evidence.content_type,
        "attempts": [attempt_dict(attempt) for attempt in evidence.attempts],
    }


def _table(url: str, checks: Sequence[StoredCheck], out: TextIO) -> None:
    """One line per check, in columns; text from servers made printable. The archived copy, as `-f json`
    and the store have it, is the last column when any check has one."""
    with_archive = any(check.archive for check in checks)
    rows: list[tuple[str, ...]] = [
        ("checked", "verdict", "reason", "status", "final URL / detail", "archive")
    ]
    for check in checks:
        evidence = check.evidence
        final = evidence.final_url if evidence.final_url not in (None, url) else ""
        status = "" if evidence.status is None else str(evidence.status)
        cells = (iso(check.checked_at), check.verdict.value, check.reason, status)
        rows.append((*cells, final or evidence.detail or "", check.archive or ""))
    shown = 6 if with_archive else 5
    widths = [max(len(printable(row[column])) for row in rows) for column in range(shown - 1)]
    out.write(f"{printable(url)}\n\n")
    for row in rows:
        padded = [printable(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.write(f"{'  '.join(padded)}  {printable(row[shown - 1])}".rstrip() + "\n")
    first, last = checks[0], checks[-1]
    out.write(
        f"\n{len(checks)} check{'' if len(checks) == 1 else 's'} from {iso(first.checked_at)} "
        f"to {iso(last.checked_at)}; last: {last.verdict.value} ({last.reason})\n"
    )


def write_history(
    url: str,
    checks: Sequence[StoredCheck],
    fmt: HistoryFormat,
    out: TextIO,
) -> None:
    """Write `url`'s `checks` (oldest first) to `out` in `fmt`."""
    if fmt is HistoryFormat.TERMINAL:
        if checks:
            _table(url, checks, out)
    elif fmt is HistoryFormat.JSON:
        document = {"schema": HISTORY_SCHEMA, "url": url, "checks": [_check_dict(c) for c in checks]}
        # Bidi and C1 controls from servers as escapes: the JSON may be pasted where they would act.
        out.write(escape_invisible(json.dumps(document, ensure_ascii=False, indent=1)))
        out.write("\n")
    else:
        assert_never(fmt)
