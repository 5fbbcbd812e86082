"""The checks a store keeps: one row per URL per run, recorded as results arrive, read back by URL.

A check row holds when, the verdict and reason as judged then, and a reference to its evidence (kept
once per distinct compact JSON: a URL that answers the same every day adds a small row a day, not its
evidence again). Reading back gives `StoredCheck`s whose evidence can be judged again under today's rules.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

from linkaudit.models import Evidence, Judgement, Verdict
from linkaudit.store.db import Store, _busy
from linkaudit.store.evidence import EvidenceFormatError, decode_evidence, encode_evidence
from linkaudit.store.policy import iso

__all__ = ["CheckLog", "StoredCheck"]

_COLUMNS = "u.url, c.checked_at, c.verdict, c.reason, c.archive, c.run_id, e.body"


class _Check(NamedTuple):
    """A check on its way into the store."""

    url: str
    run_id: int | None
    checked_at: int
    judgement: Judgement
    body: str
    status: int | None
    final_url: str | None


_Row: TypeAlias = tuple[str, int, str, str, str | None, int | None, str]


@dataclass(frozen=True, slots=True)
class StoredCheck:
    """One check as the store kept it. `verdict` and `reason` are as judged then; `evidence` can be judged
    again. `wants_image`: whether the probe read the body to tell an image."""

    checked_at: int
    judgement: Judgement
    evidence: Evidence  # of the URL checked: `evidence.url`
    wants_image: bool
    archive: str | None = None
    run_id: int | None = None

    @property
    def url(self) -> str:
        return self.evidence.url

    @property
    def verdict(self) -> Verdict:
        return self.judgement.verdict

    @property
    def reason(self) -> str:
        return self.judgement.reason


def _verdict(value: str) -> Verdict:
    try:
        return Verdict(value)
    except ValueError:  # written by a newer linkaudit
        return Verdict.UNREACHABLE


def _stored(rows: Iterable[_Row]) -> list[StoredCheck]:
    """The rows as stored checks, leaving out any whose evidence this version cannot read."""
    checks: list[StoredCheck] = []
    for url, checked_at, verdict, reason, archive, run_id, body in rows:
        try:
            evidence, wants_image = decode_evidence(url, body, iso(checked_at))
        except EvidenceFormatError:
            continue
        judgement = Judgement(_verdict(verdict), reason)
        checks.append(StoredCheck(checked_at, judgement, evidence, wants_image, archive, run_id))
    return checks


class CheckLog:
    """Recording and reading the checks of one store."""

    def __init__(self, store: Store, *, patience: float | None = None) -> None:
        """`patience`: seconds a write waits for a store another run is writing (default: the store's
        wait); a check run uses a short one, and keeps checks it could not write for a later try."""
        self.store = store
        self.connection = store.connection
        self.patience = store.wait if patience is None else patience
        self._url_ids: dict[str, int] = {}
        self._pending: list[_Check] = []
        self._retry_at = 0.0
        self.failed = False

    def record(
        self,
        *,
        run_id: int | None,
        checked_at: int,
        judgement: Judgement,
        evidence: Evidence,
        wants_image: bool,
    ) -> None:
        """Keep one check, in a transaction of its own, at once.

        When another run holds the store longer than `patience`, the check waits (with any others) for a
        later call or `flush`, a second later at the soonest: a busy store never stalls a run for long.
        Any other failure is said once, in the store's warnings, and later checks are not kept; the run
        itself goes on.
        """
        if self.failed:
            return
        body = encode_evidence(evidence, wants_image=wants_image)
        final_url = evidence.final_url if evidence.final_url != evidence.url else None
        self._pending.append(
            _Check(evidence.url, run_id, checked_at, judgement, body, evidence.status, final_url)
        )
        if time.monotonic() >= self._retry_at:
            self._write(self.patience, final=False)

    def flush(self) -> None:
        """Write what is pending, waiting as long as the store's wait allows (at the end of a run)."""
        if self._pending and not self.failed:
            self._write(self.store.wait, final=True)

    def _write(self, patience: float, *, final: bool) -> None:
        db = self.connection
        try:
            db.execute(f"PRAGMA busy_timeout = {int(patience * 1000)}")
            with self.store.transaction():
                for check in self._pending:
                    self._insert(db, check)
        except (sqlite3.Error, ValueError) as exc:  # (ValueError: text SQLite cannot take)
            self._url_ids.clear()  # ids made in the transaction rolled back with it
            if isinstance(exc, sqlite3.OperationalError) and _busy(exc) and not final:
                self._retry_at = time.monotonic() + 1.0
                return
            self.failed = True
            lost = f"{len(self._pending)} check{'' if len(self._pending) == 1 else 's'}"
            self.store.warnings.append(
                f"{self.store.error(exc, 'record checks')}; {lost} not kept, nor later ones"
            )
        else:
            self._pending.clear()
        finally:
            with contextlib.suppress(sqlite3.Error):
                db.execute(f"PRAGMA busy_timeout = {int(self.store.wait * 1000)}")

    def _insert(self, db: sqlite3.Connection, check: _Check) -> None:
        url_id = self._url_id(db, check.url)
        digest = hashlib.sha256(check.body.encode("utf-8", "surrogatepass")).digest()[:12]
        row = db.execute("SELECT id FROM evidence WHERE digest = ?", (digest,)).fetchone()
        if row is None:
            row = db.execute(
                "INSERT INTO evidence (digest, status, final_url, body) VALUES (?, ?, ?, ?) RETURNING id",
                (digest, check.status, check.final_url, check.body),
            ).fetchone()
        db.execute(
            "INSERT INTO checks (url_id, run_id, checked_at, verdict, reason, evidence_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                url_id,
                check.run_id,
                check.checked_at,
                check.judgement.verdict.value,
                check.judgement.reason,
                row[0],
            ),
        )

    def discard_run(self, run_id: int, why: str) -> None:
        """Drop the checks of a run whose results say nothing about its URLs, and note why."""
        self._pending.clear()
        try:
            with self.store.transaction() as db:
                db.execute("DELETE FROM checks WHERE run_id = ?", (run_id,))
                db.execute("UPDATE runs SET discarded = ? WHERE id = ?", (why, run_id))
        except sqlite3.Error as exc:
            self.store.warnings.append(f"{self.store.error(exc, 'drop the checks of a doubtful run')}")

    def _url_id(self, db: sqlite3.Connection, url: str) -> int:
        url_id = self._url_ids.get(url)
        if url_id is None:
            row = db.execute("SELECT id FROM urls WHERE url = ?", (url,)).fetchone()
            if row is None:
                row = db.execute("INSERT INTO urls (url) VALUES (?) RETURNING id", (url,)).fetchone()
            url_id = self._url_ids[url] = int(row[0])
        return url_id

    def _select(self, urls: Iterable[str], query: str, params: tuple[int, ...]) -> list[StoredCheck]:
        """Rows of `query` (over the temporary table `wanted` of `urls`) as stored checks; none when the
        store cannot be read (said in its warnings)."""
        db = self.connection
        try:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (url TEXT PRIMARY KEY) WITHOUT ROWID")
            db.execute("DELETE FROM wanted")
            db.executemany("INSERT OR IGNORE INTO wanted (url) VALUES (?)", ((url,) for url in urls))
            return _stored(db.execute(query, params))
        except sqlite3.Error as exc:  # the run goes on as if the store remembered nothing
            self.store.warnings.append(f"{self.store.error(exc, 'read past checks')}; none used")
            return []

    def latest(self, urls: Iterable[str], *, newer_than: int, not_after: int) -> dict[str, StoredCheck]:
        """The latest check of each URL after `newer_than` and at or before `not_after` (Unix seconds)."""
        query = f"""
            SELECT {_COLUMNS} FROM wanted w JOIN urls u ON u.url = w.url
            JOIN checks c ON c.id = (
                SELECT id FROM checks WHERE url_id = u.id AND checked_at <= ?
                ORDER BY checked_at DESC, id DESC LIMIT 1)
            JOIN evidence e ON e.id = c.evidence_id
            WHERE c.checked_at > ?"""
        return {check.url: check for check in self._select(urls, query, (not_after, newer_than))}

    def recent(self, urls: Iterable[str], *, not_after: int) -> dict[str, list[StoredCheck]]:
        """Every check of each URL at or before `not_after`, newest first."""
        query = f"""
            SELECT {_COLUMNS} FROM wanted w JOIN urls u ON u.url = w.url
            JOIN checks c ON c.url_id = u.id AND c.checked_at <= ?
            JOIN evidence e ON e.id = c.evidence_id
            ORDER BY u.url, c.checked_at DESC, c.id DESC"""
        found: dict[str, list[StoredCheck]] = {}
        for check in self._select(urls, query, (not_after,)):
            found.setdefault(check.url, []).append(check)
        return found

    def history(self, url: str) -> list[StoredCheck]:
        """Every check of `url`, oldest first."""
        query = f"""
            SELECT {_COLUMNS} FROM urls u JOIN checks c ON c.url_id = u.id
            JOIN evidence e ON e.id = c.evidence_id
            WHERE u.url = ? ORDER BY c.checked_at, c.id"""
        return _stored(self.connection.execute(query, (url,)))
