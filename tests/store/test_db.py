"""Opening the store: a real SQLite file, WAL, a schema version and migrations, other processes holding it."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from storelock import held

import linkaudit.store.db as db_module
from linkaudit.models import Evidence, Judgement, Verdict
from linkaudit.store import CheckLog, Store, StoreError
from linkaudit.store.schema import MIGRATIONS, SCHEMA_VERSION


def test_a_new_store_is_created_in_wal_mode_at_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "store.sqlite"
    with Store.open(path) as store:
        assert store.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert store.connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        tables = {row[0] for row in store.connection.execute("SELECT name FROM sqlite_master")}
        assert {"urls", "runs", "evidence", "checks", "files", "check_log"} <= tables
    with Store.open(path) as again:  # opening again migrates nothing
        assert again.connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_an_older_store_is_migrated_forward(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.sqlite"
    with Store.open(path) as store:
        store.begin_run(1000)
    later = (*MIGRATIONS, "ALTER TABLE runs ADD COLUMN note TEXT;\nUPDATE runs SET note = 'migrated';")
    monkeypatch.setattr(db_module, "MIGRATIONS", later)
    monkeypatch.setattr(db_module, "SCHEMA_VERSION", len(later))
    with Store.open(path) as store:
        assert store.connection.execute("PRAGMA user_version").fetchone() == (len(later),)
        assert store.connection.execute("SELECT started_at, note FROM runs").fetchall() == [
            (1000, "migrated")
        ]


def test_a_first_version_store_is_brought_to_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 1 kept each file's template marks in a table of their own; version 2 keeps them per run."""
    path = tmp_path / "store.sqlite"
    monkeypatch.setattr(db_module, "MIGRATIONS", MIGRATIONS[:1])
    monkeypatch.setattr(db_module, "SCHEMA_VERSION", 1)
    with Store.open(path) as old:
        old.begin_run(1000)
        old.connection.execute("INSERT INTO marks (key, flips) VALUES ('k', x'00')")
        old.connection.execute("INSERT INTO extractions (manifest, templates, used) VALUES (x'01', '', 1)")
    monkeypatch.undo()
    with Store.open(path) as store:
        db = store.connection
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "marks" not in tables
        assert db.execute("SELECT count(*) FROM extractions").fetchone() == (0,)
        assert db.execute("SELECT started_at FROM runs").fetchall() == [(1000,)]  # the history stays
        db.execute("INSERT INTO extractions (manifest, templates, marks, used) VALUES (x'02', '', x'', 2)")


def test_a_version_3_store_s_check_log_shows_the_url_that_answered_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 4 redefines the view `check_log`: `final_url` was NULL when the URL answered itself."""
    path = tmp_path / "store.sqlite"
    monkeypatch.setattr(db_module, "MIGRATIONS", MIGRATIONS[:3])
    monkeypatch.setattr(db_module, "SCHEMA_VERSION", 3)
    with Store.open(path) as old:
        run = old.begin_run(1000)
        CheckLog(old).record(
            run_id=run,
            checked_at=1000,
            judgement=Judgement(Verdict.LIVE, "http-200"),
            evidence=Evidence("https://a.example/", status=200, checked_at="x"),
            wants_image=False,
        )
        assert old.connection.execute("SELECT final_url FROM check_log").fetchall() == [(None,)]
    monkeypatch.undo()
    with Store.open(path) as store:
        db = store.connection
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (4,)
        assert db.execute("SELECT url, final_url FROM check_log").fetchall() == [
            ("https://a.example/", "https://a.example/")
        ]


def test_a_store_from_a_newer_linkaudit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match=rf"written by a newer linkaudit \(schema {SCHEMA_VERSION + 1}"):
        Store.open(path)


def test_a_file_that_is_not_a_store_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert "\n" not in str(caught.value)
    assert str(path) in str(caught.value)
    assert path.read_text(encoding="utf-8").startswith("these are my notes")  # left as it was


def test_opening_without_create_needs_the_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        Store.open(tmp_path / "missing.sqlite", create=False)
    assert not (tmp_path / "missing.sqlite").exists()


def test_a_store_another_process_holds_says_so_after_the_wait(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    Store.open(path).close()
    with held(path):
        store = Store.open(path, wait=0.5)  # reading needs no lock
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            store.begin_run()
        waited = time.monotonic() - started
        store.close()
    assert 0.4 < waited < 5
    message = str(caught.value)
    assert "in use by another process (waited 0.5 s" in message
    assert "\n" not in message


def test_a_writer_waits_its_turn(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    Store.open(path).close()
    with held(path) as holder:
        store = Store.open(path, wait=10)
        assert holder.stdin is not None
        threading.Timer(1.0, holder.stdin.close).start()  # the other process lets go in a second
        started = time.monotonic()
        run = store.begin_run(5)
        waited = time.monotonic() - started
        store.close()
    assert run == 1
    assert waited > 0.8
