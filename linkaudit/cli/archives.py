"""The archive options of `check`: `--archives`, `--archive-url`, `--cited-at`, and their parsing.

Their own module so that `check`'s option list grows by three lines and the archive stage is imported
only when a check runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from linkaudit.cli.app import fail_usage

if TYPE_CHECKING:
    from linkaudit.archive.stage import ArchiveOptions

__all__ = [
    "ARCHIVE_MODES",
    "ArchiveUrlOpt",
    "ArchivesOpt",
    "CitedAtOpt",
    "archive_options",
    "check_archive_url",
]

ARCHIVE_MODES = ("none", "failing", "all")
DEFAULT_ARCHIVE_URL = "https://web.archive.org"

ArchivesOpt = Annotated[
    str,
    typer.Option(
        "--archives",
        metavar="<mode>",
        help="Find the archived copy nearest each citation date: none, failing (dead, soft-dead, usurped, "
        "unreachable URLs), or all (live ones too, and flag content drift: deviated).",
    ),
]
ArchiveUrlOpt = Annotated[
    str, typer.Option("--archive-url", help="The web archive asked (Wayback Machine CDX API).")
]
CitedAtOpt = Annotated[
    str | None,
    typer.Option(
        "--cited-at",
        metavar="<date>",
        help="Date every citation as of this day, YYYY-MM-DD (default: each article's own date: front "
        "matter, dateline, first commit, modification time).",
        show_default=False,
    ),
]


def check_archive_url(url: str) -> None:
    """Raise ValueError unless `url` is an archive's address: http(s)://HOST[:PORT][/PATH]."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{url!r}: expected http(s)://HOST[:PORT][/PATH]")


def archive_options(archives: str, archive_url: str, cited_at: str | None) -> ArchiveOptions:
    """The archive stage's options; a bad value is a usage error naming the option."""
    from linkaudit.archive.dates import parse_cited_at  # noqa: PLC0415 - lazy: a check imports it anyway
    from linkaudit.archive.select import ArchiveMode  # noqa: PLC0415
    from linkaudit.archive.stage import ArchiveOptions  # noqa: PLC0415

    if archives not in ARCHIVE_MODES:
        raise fail_usage(f"--archives {archives!r}: expected none, failing or all")
    try:
        check_archive_url(archive_url)
    except ValueError as exc:
        raise fail_usage(f"--archive-url {exc}") from None
    try:
        day = parse_cited_at(cited_at) if cited_at is not None else None
    except ValueError as exc:
        raise fail_usage(str(exc)) from None
    return ArchiveOptions(ArchiveMode(archives), archive_url.rstrip("/"), day)
