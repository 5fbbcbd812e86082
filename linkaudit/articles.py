"""The audited articles as a report lists them: path, sha256 of the bytes, and when each cited its links.

The sha256 lets `linkaudit fix` refuse a file edited since the audit (its spans would no longer hold);
the citation date (front matter, dateline, git, mtime; `--cited-at` overrides: see `archive.dates`)
is what the archived copy nearest to it is chosen by. The extraction cache knows both for the files
it holds (hashed and dated by the workers from the bytes they parsed), so a warm run reads no file for
them; a file extraction did not cache is read once more here. Either way `fix` still checks every span
reads what the report says before it writes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from datetime import date

from linkaudit.archive.dates import citation_dates
from linkaudit.extract import FileFacts
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
    files: Sequence[InputFile],
    *,
    cited_at: date | None = None,
    use_git: bool = True,
    known: Mapping[str, FileFacts] | None = None,
) -> tuple[ArticleFile, ...]:
    """Every input file, in path order, with its sha256 and citation date.

    `known` (`ExtractResult.file_facts`) holds what the extraction workers read of each file: its sha256
    and stated date. Those files are not read again here; the git walk and mtimes, for the files that
    state no date, stay here (one walk for all of them).
    """
    known = known or {}
    stated = {name: facts.stated for name, facts in known.items()}
    dates = citation_dates(
        {f.display: f.path for f in files}, override=cited_at, use_git=use_git, stated=stated
    )

    def sha256(file: InputFile) -> str | None:
        facts = known.get(file.display)
        return facts.sha256 if facts is not None else file_sha256(file.path)

    return tuple(
        ArticleFile(f.display, sha256(f), dates.get(f.display))
        for f in sorted(files, key=lambda f: f.display)
    )
