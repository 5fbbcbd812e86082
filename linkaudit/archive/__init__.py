"""The archive stage: for citations that rotted, the archived copy nearest the day they were cited.

The pipeline's part, in order: `citation_dates(files)` dates every article (front matter, dateline,
git, mtime; `--cited-at` overrides); `archive_wanted(results, dates, mode)` picks the URLs to look up,
each with the earliest date it was cited; `await find_archived(wanted, settings, ...)` asks the archive
(politely, and never for long when it is down) and returns an `ArchiveLookup` per URL: a copy, or the
reason there is none. `recognize(url)` tells a citation that already is an archived copy.

Inside: `dates` (citation dates), `recognize` (archive URLs), `choose` (which capture, pure), `cdx` (the
CDX client), `select` (which URLs), `lookup` (`find_archived`), `stage` (the stage of a check run, with
the store and drift), `drift` (main-text similarity), and `simarchive`, an archive on loopback for tests
and the demo. Each name below is imported when first used: extraction dates articles (`dates`) without
the network stack the CDX client needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkaudit.archive.cdx import DEFAULT_ARCHIVE_URL, ArchiveSettings, CdxClient, RawSnapshot
    from linkaudit.archive.choose import Capture, choose_capture
    from linkaudit.archive.dates import citation_dates, earliest, parse_cited_at, url_citation_dates
    from linkaudit.archive.lookup import find_archived
    from linkaudit.archive.recognize import ArchiveCitation, recognize
    from linkaudit.archive.select import ArchiveMode, archive_wanted

__all__ = [
    "DEFAULT_ARCHIVE_URL",
    "ArchiveCitation",
    "ArchiveMode",
    "ArchiveSettings",
    "Capture",
    "CdxClient",
    "RawSnapshot",
    "archive_wanted",
    "choose_capture",
    "citation_dates",
    "earliest",
    "find_archived",
    "parse_cited_at",
    "recognize",
    "url_citation_dates",
]

_HOME = {
    "DEFAULT_ARCHIVE_URL": "cdx",
    "ArchiveSettings": "cdx",
    "CdxClient": "cdx",
    "RawSnapshot": "cdx",
    "Capture": "choose",
    "choose_capture": "choose",
    "citation_dates": "dates",
    "earliest": "dates",
    "parse_cited_at": "dates",
    "url_citation_dates": "dates",
    "find_archived": "lookup",
    "ArchiveCitation": "recognize",
    "recognize": "recognize",
    "ArchiveMode": "select",
    "archive_wanted": "select",
}


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
