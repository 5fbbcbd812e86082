"""The extraction cache's entries in the store (see `linkaudit.extract.cache` for what they hold).

Loaded in one SELECT (a warm run of 46,000 files must not pay a query per file); saved in transactions of
a few megabytes as files are extracted, so a run killed half-way keeps what it had done. An entry written
by another extractor is never served, and the first save of a run drops them.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence

from linkaudit.extract.cache import CachedFile
from linkaudit.store.db import Store

__all__ = ["StoreFileCache"]

_MANIFESTS = 8

_COLUMNS = "key, stamp, keys, n_ok, line_keys, warning, lines, stated"


class StoreFileCache:
    """A `linkaudit.extract.cache.FileCache` kept in the store. A failure to keep entries is said once,
    in the store's warnings; extraction goes on as without a cache."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.failed = False
        self._purged = False

    def _failure(self, exc: sqlite3.Error | ValueError, doing: str) -> None:
        if not self.failed:
            self.store.warnings.append(f"{self.store.error(exc, doing)}; extraction cache not updated")
        self.failed = True

    def load(self, extractor: str) -> dict[str, CachedFile]:
        try:
            rows = self.store.connection.execute(
                f"SELECT {_COLUMNS} FROM files WHERE extractor = ?",
                (extractor,),
            ).fetchall()
        except sqlite3.Error as exc:
            self._failure(exc, "read the extraction cache")
            return {}
        return {row[0]: CachedFile._make(row) for row in rows}

    def _write(self, *statements: tuple[str, Iterable[Sequence[object]]]) -> None:
        """Run `(statement, rows)` pairs in one transaction; after a failure (said once), nothing more."""
        if self.failed:
            return
        try:
            with self.store.transaction() as db:
                for statement, rows in statements:
                    db.executemany(statement, rows)
        except (sqlite3.Error, ValueError) as exc:  # (ValueError: text SQLite cannot take)
            self._failure(exc, "save the extraction cache")

    def save(self, extractor: str, entries: Sequence[CachedFile]) -> None:
        purge = [] if self._purged else [(extractor,)]  # entries another extractor wrote are no use
        self._write(
            ("DELETE FROM files WHERE extractor <> ?", purge),
            (
                f"INSERT OR REPLACE INTO files (extractor, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(extractor, *entry) for entry in entries],
            ),
        )
        self._purged = not self.failed

    def restamp(self, stamps: Sequence[tuple[str, bytes]]) -> None:
        self._write(("UPDATE files SET stamp = ? WHERE key = ?", [(stamp, key) for key, stamp in stamps]))

    def templates(self, manifest: bytes) -> tuple[set[str], bytes] | None:
        try:
            row = self.store.connection.execute(
                "SELECT templates, marks FROM extractions WHERE manifest = ?", (manifest,)
            ).fetchone()
        except sqlite3.Error as exc:
            self._failure(exc, "read the extraction cache")
            return None
        if row is None:
            return None
        return {url for url in row[0].split("\n") if url}, row[1]

    def remember(self, manifest: bytes, templates: set[str], marks: bytes) -> None:
        if any("\n" in url for url in templates):
            return
        self._write(
            (
                "INSERT OR REPLACE INTO extractions (manifest, templates, marks, used) VALUES (?, ?, ?, ?)",
                [(manifest, "\n".join(sorted(templates)), marks, int(time.time()))],
            ),
            # The last few sets of files (an archive, a folder of it) are worth remembering; no more.
            (
                "DELETE FROM extractions WHERE manifest NOT IN "
                "(SELECT manifest FROM extractions ORDER BY used DESC, rowid DESC LIMIT ?)",
                [(_MANIFESTS,)],
            ),
        )

    def forget(self, keys: Sequence[str]) -> None:
        gone = [(key,) for key in keys]
        self._write(("DELETE FROM files WHERE key = ?", gone))
