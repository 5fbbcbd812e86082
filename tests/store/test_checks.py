"""Checks kept in a real SQLite store: recorded one transaction each, read back by URL and by time."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from storelock import held

from linkaudit.models import Attempt, ErrorKind, Evidence, Judgement, Verdict
from linkaudit.store import CheckLog, Store

A = "https://a.example/page"
B = "https://b.example/other"
DAY = 86_400


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store.sqlite") as opened:
        yield opened


def live(url: str) -> Evidence:
    return Evidence(url, status=200, attempts=(Attempt("HEAD", url, 200, elapsed_ms=40),), checked_at="x")


def gone(url: str) -> Evidence:
    return Evidence(url, status=404, attempts=(Attempt("HEAD", url, 404), Attempt("GET", url, 404)))


def record(log: CheckLog, evidence: Evidence, at: int, verdict: Verdict = Verdict.LIVE, run: int = 1) -> None:
    reason = f"http-{evidence.status}"
    log.record(
        run_id=run, checked_at=at, judgement=Judgement(verdict, reason), evidence=evidence, wants_image=False
    )


def test_every_check_is_kept_and_read_back(store: Store) -> None:
    log = CheckLog(store)
    record(log, live(A), 0)
    record(log, gone(A), DAY, Verdict.DEAD)
    record(log, live(B), DAY)
    history = log.history(A)
    assert [(c.checked_at, c.verdict, c.reason) for c in history] == [
        (0, Verdict.LIVE, "http-200"),
        (DAY, Verdict.DEAD, "http-404"),
    ]
    assert history[1].evidence == Evidence(
        A, status=404, attempts=gone(A).attempts, checked_at="1970-01-02T00:00:00Z"
    )
    assert history[0].evidence.attempts[0].elapsed_ms == 0  # timings are not kept
    assert history[0].archive is None
    row = store.connection.execute(
        "SELECT url, checked_at, verdict, reason, status, final_url, archive FROM check_log ORDER BY rowid"
    ).fetchone()
    assert row == (A, "1970-01-01T00:00:00Z", "live", "http-200", 200, A, None)  # it answered itself


def test_the_check_log_view_says_where_each_check_ended(store: Store) -> None:
    log = CheckLog(store)
    record(log, live(A), 0)
    moved = Evidence(B, status=200, final_url="https://b.example/new", checked_at="x")
    record(log, moved, 0)
    silent = Evidence("https://c.example/", error=ErrorKind.TIMEOUT, checked_at="x")
    log.record(
        run_id=1,
        checked_at=0,
        judgement=Judgement(Verdict.UNREACHABLE, "timeout"),
        evidence=silent,
        wants_image=False,
    )
    rows = store.connection.execute("SELECT url, final_url FROM check_log ORDER BY url").fetchall()
    assert rows == [(A, A), (B, "https://b.example/new"), ("https://c.example/", None)]  # nothing answered


def test_the_same_evidence_is_kept_once(store: Store) -> None:
    log = CheckLog(store)
    for day in range(10):
        record(log, live(A), day * DAY)
        record(log, live(B), day * DAY)
    assert store.connection.execute("SELECT count(*) FROM checks").fetchone() == (20,)
    assert store.connection.execute("SELECT count(*) FROM evidence").fetchone() == (1,)  # relative to the URL
    assert store.connection.execute("SELECT count(*) FROM urls").fetchone() == (2,)


def test_latest_within_a_window_and_not_after_now(store: Store) -> None:
    log = CheckLog(store)
    record(log, gone(A), 0, Verdict.DEAD)
    record(log, live(A), 2 * DAY)
    record(log, live(B), 0)
    latest = log.latest([A, B, "https://never.example/"], newer_than=DAY, not_after=3 * DAY)
    assert set(latest) == {A}
    assert latest[A].checked_at == 2 * DAY
    # "Now" before the newest check: that check is in the future, the older one is what was known.
    earlier = log.latest([A], newer_than=-DAY, not_after=DAY)
    assert earlier[A].verdict is Verdict.DEAD


def test_recent_is_newest_first_per_url(store: Store) -> None:
    log = CheckLog(store)
    for day in range(3):
        record(log, gone(A), day * DAY, Verdict.DEAD)
    record(log, live(B), 0)
    recent = log.recent([A, B], not_after=DAY)
    assert [c.checked_at for c in recent[A]] == [DAY, 0]
    assert [c.checked_at for c in recent[B]] == [0]


def test_a_busy_store_delays_checks_and_then_says_in_one_line_what_was_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    Store.open(path).close()
    with held(path), Store.open(path, wait=0.3) as store:
        log = CheckLog(store, patience=0.1)
        started = time.monotonic()
        record(log, live(A), 0)  # waits a tenth of a second, then keeps the check for later
        record(log, live(B), 0)  # not tried again within a second: no wait at all
        assert time.monotonic() - started < 1.0
        assert not log.failed and not store.warnings
        log.flush()  # the end of the run: waits the store's wait, then gives up and says so
        assert log.failed
        assert len(store.warnings) == 1
        assert "in use by another process" in store.warnings[0]
        assert "2 checks not kept" in store.warnings[0]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM checks").fetchone() == (0,)


def test_checks_a_busy_store_delayed_are_kept_once_it_is_free(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    Store.open(path).close()
    with Store.open(path) as store:
        log = CheckLog(store, patience=0.1)
        with held(path):
            record(log, live(A), 0)
        record(log, live(B), DAY)  # within the second: still waiting
        log.flush()
        assert not log.failed and not store.warnings
        assert [c.url for c in log.recent([A, B], not_after=DAY)[B]] == [B]
        assert store.connection.execute("SELECT count(*) FROM checks").fetchone() == (2,)


def test_two_processes_recording_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    Store.open(path).close()
    writer = textwrap.dedent(
        f"""
        import sys
        from linkaudit.models import Evidence, Judgement, Verdict
        from linkaudit.store import CheckLog, Store
        with Store.open({str(path)!r}) as store:
            run = store.begin_run()
            log = CheckLog(store)
            for n in range(300):
                url = f"https://{{sys.argv[1]}}.example/{{n}}"
                log.record(run_id=run, checked_at=n, judgement=Judgement(Verdict.LIVE, "http-200"),
                           evidence=Evidence(url, status=200, detail=str(n)), wants_image=False)
            assert not store.warnings, store.warnings
        """
    )
    writers = [subprocess.Popen([sys.executable, "-c", writer, name]) for name in ("one", "two")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM checks").fetchone() == (600,)
        assert db.execute("SELECT count(DISTINCT run_id) FROM checks").fetchone() == (2,)
