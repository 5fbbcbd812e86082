"""The audited articles as a report lists them: path, sha256 of the bytes, and when each cited its links.

The sha256 lets `linkaudit fix` refuse a file edited since the audit (its spans would no longer hold);
the citation date (front matter, dateline, git, mtime; `--cited-at` overrides: see `archive.dates`)
is what the archived copy nearest to it is chosen by. Hashing reads each file once more after
extraction: a file edited in between gets the new hash, and `fix` still checks every span reads what
the report says before it writes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from datetime import date

from linkaudit.archive.dates import citation_dates
from linkaudit.extract.inputs import InputFile
from linkaudit.models import ArticleFile

__all__ = ["file_sha256", "list_articles"]


def file_sha256(path: str | os.PathLike[str]) -> str | None:
    """The hex sha256 of a file's bytes, or None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (OSError, ValueError):
        return None


def list_articles(
    files: Sequence[InputFile], *, cited_at: date | None = None, use_git: bool = True
) -> tuple[ArticleFile, ...]:
    """Every input file, in path order, with its sha256 and citation date."""
    dates = citation_dates({f.display: f.path for f in files}, override=cited_at, use_git=use_git)
    return tuple(
        ArticleFile(f.display, file_sha256(f.path), dates.get(f.display))
        for f in sorted(files, key=lambda f: f.display)
    )
