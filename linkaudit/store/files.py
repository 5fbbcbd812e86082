"""The extraction cache's entries in the store (see `linkaudit.extract.cache` for what they hold).

Loaded in one SELECT (a warm run of 46,000 files must not pay a query per file); saved in transactions of
a few megabytes as files are extracted, so a run killed half-way keeps what it had done. An entry written
by another extractor is never served, and the first save of a run drops them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from linkaudit.extract.cache import CachedFile
from linkaudit.store.db import Store

__all__ = ["StoreFileCache"]

_COLUMNS = "key, stamp, keys, n_ok, line_keys, lines"


class StoreFileCache:
    """A `linkaudit.extract.cache.FileCache` kept in the store. A failure to keep entries is said once,
    in the store's warnings; extraction goes on as without a cache."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.failed = False
        self._purged = False

    def _failure(self, exc: sqlite3.Error, doing: str) -> None:
        if not self.failed:
            self.store.warnings.append(f"{self.store.error(exc, doing)}; extraction cache not updated")
        self.failed = True

    def load(self, extractor: str) -> dict[str, CachedFile]:
        try:
            rows = self.store.connection.execute(
                f"SELECT {_COLUMNS} FROM files WHERE extractor = ?", (extractor,)
            ).fetchall()
        except sqlite3.Error as exc:
            self._failure(exc, "read the extraction cache")
            return {}
        return {row[0]: CachedFile._make(row) for row in rows}

    def save(self, extractor: str, entries: Sequence[CachedFile]) -> None:
        if self.failed or not entries:
            return
        try:
            with self.store.transaction() as db:
                if not self._purged:
                    db.execute("DELETE FROM files WHERE extractor <> ?", (extractor,))
                db.executemany(
                    f"INSERT OR REPLACE INTO files (extractor, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ((extractor, *entry) for entry in entries),
                )
            self._purged = True
        except sqlite3.Error as exc:
            self._failure(exc, "save the extraction cache")

    def restamp(self, stamps: Sequence[tuple[str, bytes]]) -> None:
        if self.failed:
            return
        try:
            with self.store.transaction() as db:
                db.executemany("UPDATE files SET stamp = ? WHERE key = ?", ((s, k) for k, s in stamps))
        except sqlite3.Error as exc:
            self._failure(exc, "update the extraction cache")

    def forget(self, keys: Sequence[str]) -> None:
        if self.failed:
            return
        try:
            with self.store.transaction() as db:
                db.executemany("DELETE FROM files WHERE key = ?", ((key,) for key in keys))
        except sqlite3.Error as exc:
            self._failure(exc, "prune the extraction cache")
