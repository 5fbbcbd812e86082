"""Opening the store: one SQLite file in WAL mode, safe to share between runs and to kill at any moment.

Why it holds up. WAL lets one run read while another writes; writers take turns, each waiting up to
`wait` seconds (SQLite's busy timeout) before the store says in one line that another process holds it.
Every write is a small transaction committed as results arrive, so a run killed with SIGKILL loses at
most the result it was writing: SQLite rolls an unfinished transaction back on the next open, and what
was committed is there. `synchronous=NORMAL` keeps commits off the disk's flush path (in WAL mode a power
cut may lose the last commits, never consistency).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from linkaudit import __version__
from linkaudit.store.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = ["DEFAULT_STORE", "DEFAULT_WAIT", "Store", "StoreError"]

DEFAULT_STORE = Path(".linkaudit") / "store.sqlite"
DEFAULT_WAIT = 30.0


class StoreError(Exception):
    """The store cannot be used; the message is one line naming the file and the reason."""


def _busy(exc: sqlite3.Error | ValueError) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and any(word in str(exc) for word in ("locked", "busy"))


class Store:
    """An open history store. Use as a context manager, or `close()` it."""

    def __init__(self, connection: sqlite3.Connection, path: Path, wait: float) -> None:
        self.connection = connection
        self.path = path
        self.wait = wait
        #: Problems met after opening (a write that could not be made): one line each, for the CLI to show.
        self.warnings: list[str] = []

    @classmethod
    def open(cls, path: str | Path, *, wait: float = DEFAULT_WAIT, create: bool = True) -> Store:
        """Open (with `create`, creating it and its folder) and migrate the store at `path`."""
        path = Path(path)
        if not create and not path.exists():
            raise StoreError(f"no store at {path}")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=wait, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store {path}: {exc}") from None
        store = cls(connection, path, wait)
        try:
            store._prepare()
        except sqlite3.Error as exc:
            connection.close()
            raise store.error(exc, "open") from None
        except StoreError:
            connection.close()
            raise
        return store

    def _prepare(self) -> None:
        connection = self.connection
        connection.execute(f"PRAGMA busy_timeout = {int(self.wait * 1000)}")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the store {self.path} was written by a newer linkaudit (schema {version}, this one "
                f"knows {SCHEMA_VERSION}): use that version, or another --store"
            )
        deadline = time.monotonic() + self.wait
        while connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            try:  # needs the file to itself for a moment: another run opening it at once may hold it
                connection.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        connection.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            with self.transaction():
                # Another run may have migrated while this one waited for the lock.
                current = connection.execute("PRAGMA user_version").fetchone()[0]
                for step in range(current, SCHEMA_VERSION):
                    for statement in _statements(MIGRATIONS[step]):
                        connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def error(self, exc: sqlite3.Error | ValueError, doing: str) -> StoreError:
        """The one line that says why the store failed while `doing`."""
        if _busy(exc):
            return StoreError(
                f"the store {self.path} is in use by another process (waited {self.wait:g} s to {doing}); "
                "try again, raise --store-wait, or use another --store"
            )
        return StoreError(f"the store {self.path} cannot be used ({doing}): {exc}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (so that waiting happens here, under the busy timeout)."""
        connection = self.connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def begin_run(self, started_at: int | None = None) -> int:
        """Record that a check run starts (at `started_at`, Unix seconds; default now); its id."""
        at = int(time.time()) if started_at is None else started_at
        try:
            with self.transaction() as connection:
                row = connection.execute(
                    "INSERT INTO runs (started_at, version) VALUES (?, ?) RETURNING id", (at, __version__)
                ).fetchone()
        except sqlite3.Error as exc:
            raise self.error(exc, "start the run") from None
        return int(row[0])

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _statements(script: str) -> Iterator[str]:
    """The statements of a migration, one by one (`executescript` would commit the transaction)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement.strip()
            statement = ""
    if statement.strip():
        yield statement.strip()
