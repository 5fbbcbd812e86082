"""Pruning the history store: checks older than a cut-off go, the latest check of every URL stays.

A nightly run on a large archive adds a check per URL a day: most of it is the same answer again (kept
once, in `evidence`, but a row in `checks` each time). `prune` removes the checks made before
`now - keep`, except each URL's latest one (so `--max-age` reuse and `linkaudit history` still know
every URL), then the evidence no check refers to any more, then gives the space back (`VACUUM`).

Keep longer than `--confirm`'s DAYS: a failure is confirmed from the checks kept.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from linkaudit.store.db import Store

__all__ = ["PruneResult", "prune"]


@dataclass(frozen=True, slots=True)
class PruneResult:
    """What `prune` removed, and the store's size (bytes, the database file with its WAL) before and after."""

    checks: int
    evidence: int
    bytes_before: int
    bytes_after: int


def _size(store: Store) -> int:
    total = 0
    for suffix in ("", "-wal"):
        try:
            total += store.path.with_name(store.path.name + suffix).stat().st_size
        except OSError:
            continue
    return total


def prune(store: Store, *, older_than: int) -> PruneResult:
    """Remove the checks made before `older_than` (Unix seconds) but each URL's latest, and the evidence left
    unused; compact the file. Raises `StoreError` when the store cannot be written."""
    before = _size(store)
    try:
        with store.transaction() as db:
            checks = db.execute(
                """DELETE FROM checks WHERE checked_at < ? AND id NOT IN (
                       SELECT (SELECT id FROM checks AS latest WHERE latest.url_id = urls.id
                               ORDER BY checked_at DESC, id DESC LIMIT 1)
                       FROM urls)""",
                (older_than,),
            ).rowcount
            evidence = db.execute(
                "DELETE FROM evidence WHERE id NOT IN (SELECT DISTINCT evidence_id FROM checks)"
            ).rowcount
        db = store.connection
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise store.error(exc, "prune") from None
    return PruneResult(checks, evidence, before, _size(store))
