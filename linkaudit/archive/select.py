"""Which checked URLs get an archive lookup, and with which citation date (pure).

`--archives none|failing|all`: `failing` (the default) looks up the URLs whose verdict says the reader
cannot reach what was cited (dead, soft-dead, usurped, unreachable); `all` every web URL (for drift).
A citation that already is an archived copy is never looked up: it is the copy. Each URL is looked up
for the earliest date among the articles citing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum

from linkaudit.archive.dates import url_citation_dates
from linkaudit.archive.recognize import recognize
from linkaudit.models import CitationDate, UrlResult, Verdict

__all__ = ["FAILING", "ArchiveMode", "archive_wanted"]

#: Verdicts whose citations need an archived copy in `failing` mode.
FAILING = frozenset({Verdict.DEAD, Verdict.SOFT_DEAD, Verdict.USURPED, Verdict.UNREACHABLE})


class ArchiveMode(StrEnum):
    """`--archives`: which citations are looked up in the archive."""

    NONE = "none"
    FAILING = "failing"
    ALL = "all"


def archive_wanted(
    results: Iterable[UrlResult], by_file: Mapping[str, CitationDate], mode: ArchiveMode
) -> dict[str, date]:
    """The URLs to look up, each with its citation date, in the order of `results`."""
    if mode is ArchiveMode.NONE:
        return {}
    chosen = [
        result
        for result in results
        if result.target.is_http
        and (mode is ArchiveMode.ALL or result.judgement.verdict in FAILING)
        and recognize(result.target.url) is None
    ]
    dates = url_citation_dates((occ for result in chosen for occ in result.occurrences), by_file)
    return {r.target.url: dates[r.target.url].cited_at for r in chosen if r.target.url in dates}
