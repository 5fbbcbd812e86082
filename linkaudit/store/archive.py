"""The archive lookups a store keeps: the copy chosen for a URL and a citation date, and the drift measured.

A lookup younger than `--max-age` stands in for asking the archive again (the archive is someone else's
free service, and the answer for a date in the past rarely changes); so does the drift measured against
that copy. Only answers are kept: a copy, or `none-found`. An archive that could not be reached says
nothing about the URL. The archived copy's URL is also written on this run's check of the URL
(`checks.archive`, what `linkaudit history` shows).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from linkaudit.models import ArchivedCopy, ArchiveDirection, ArchiveError, ArchiveLookup, Drift
from linkaudit.store.db import Store

__all__ = ["ArchiveMemory", "RememberedLookup"]


@dataclass(frozen=True, slots=True)
class RememberedLookup:
    """A kept lookup: the answer, and the drift measured against its copy (None: not measured)."""

    lookup: ArchiveLookup
    drift: Drift | None = None


def _encode(lookup: ArchiveLookup, drift: Drift | None) -> str:
    body: dict[str, object] = {}
    copy = lookup.archived
    if copy is not None:
        body.update(
            url=copy.url, timestamp=copy.timestamp, distance_days=copy.distance_days, direction=copy.direction
        )
    else:
        body["error"] = ArchiveError.NONE_FOUND.value
    if drift is not None and drift.similarity is not None:
        body["drift"] = {
            "snapshot": drift.snapshot,
            "timestamp": drift.timestamp,
            "similarity": drift.similarity,
        }
    return json.dumps(body, separators=(",", ":"))


def _decode(url: str, cited_at: date, text: str) -> RememberedLookup | None:
    try:
        body = json.loads(text)
        if "error" in body:
            return RememberedLookup(ArchiveLookup(url, cited_at, error=ArchiveError(body["error"])))
        copy = ArchivedCopy(
            str(body["url"]),
            str(body["timestamp"]),
            int(body["distance_days"]),
            ArchiveDirection(body["direction"]),
        )
        measured = body.get("drift")
        drift = None
        if isinstance(measured, dict):
            drift = Drift(
                str(measured["snapshot"]), str(measured["timestamp"]), float(measured["similarity"])
            )
        return RememberedLookup(ArchiveLookup(url, cited_at, archived=copy), drift)
    except (ValueError, KeyError, TypeError):  # written by another version: asked again
        return None


class ArchiveMemory:
    """One run's use of the kept lookups of one archive: `recall` before asking, `keep` after."""

    def __init__(
        self, store: Store, archive_url: str, *, now: int, max_age: int, run_id: int | None = None
    ) -> None:
        self.store = store
        self.archive_url = archive_url.rstrip("/")
        self.now = now
        self.max_age = max_age
        self.run_id = run_id

    def recall(self, wanted: Mapping[str, date]) -> dict[str, RememberedLookup]:
        """The kept lookups younger than `max_age` for these URLs and citation dates (none if it is 0)."""
        if self.max_age <= 0 or not wanted:
            return {}
        found: dict[str, RememberedLookup] = {}
        db = self.store.connection
        try:
            rows = db.execute(
                "SELECT u.url, a.cited_at, a.body FROM archive_lookups a JOIN urls u ON u.id = a.url_id"
                " WHERE a.archive_url = ? AND a.looked_up_at > ?",
                (self.archive_url, self.now - self.max_age),
            ).fetchall()
        except sqlite3.Error as exc:
            self.store.warnings.append(f"{self.store.error(exc, 'read archive lookups')}; none used")
            return {}
        for url, cited_at, body in rows:
            day = wanted.get(url)
            if day is None or day.isoformat() != cited_at:
                continue
            remembered = _decode(url, day, body)
            if remembered is not None:
                found[url] = remembered
        return found

    def keep(self, answers: Iterable[tuple[ArchiveLookup, Drift | None]]) -> None:
        """Keep these lookups (answers only) and note each copy on this run's check of its URL."""
        rows = [
            (lookup, drift)
            for lookup, drift in answers
            if lookup.archived is not None or lookup.error is ArchiveError.NONE_FOUND
        ]
        if not rows:
            return
        try:
            with self.store.transaction() as db:
                for lookup, drift in rows:
                    found = db.execute("SELECT id FROM urls WHERE url = ?", (lookup.url,)).fetchone()
                    if found is None:
                        found = db.execute(
                            "INSERT INTO urls (url) VALUES (?) RETURNING id", (lookup.url,)
                        ).fetchone()
                    db.execute(
                        "INSERT OR REPLACE INTO archive_lookups"
                        " (url_id, archive_url, cited_at, looked_up_at, body) VALUES (?, ?, ?, ?, ?)",
                        (
                            found[0],
                            self.archive_url,
                            lookup.cited_at.isoformat(),
                            self.now,
                            _encode(lookup, drift),
                        ),
                    )
                    if lookup.archived is not None and self.run_id is not None:
                        db.execute(
                            "UPDATE checks SET archive = ? WHERE run_id = ? AND url_id = ?",
                            (lookup.archived.url, self.run_id, found[0]),
                        )
        except (sqlite3.Error, ValueError) as exc:
            self.store.warnings.append(f"{self.store.error(exc, 'keep archive lookups')}; not kept")
