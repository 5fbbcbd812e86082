"""`linkaudit store prune` and `linkaudit history --limit`: a real store written by real check runs."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import resolve_args, run_linkaudit

from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.store import CheckLog, Store


def day(n: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1740819600 + n * 86_400))


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        news = simulated.host("news.example")
        news.route("/live", Reply.html("live"))
        news.route("/gone", Reply.html("gone", status=404))
        yield simulated


def checks_per_url(store: Path) -> dict[str, list[int]]:
    with Store.open(store, create=False) as opened:
        log = CheckLog(opened)
        return {
            url: [check.checked_at for check in log.history(url)]
            for url in ("http://news.example/live", "http://news.example/gone")
        }


def test_prune_keeps_recent_checks_and_each_urls_latest(tmp_path: Path, web: SimWeb) -> None:
    (tmp_path / "a.md").write_text(
        "[a](http://news.example/live) [b](http://news.example/gone)\n", encoding="utf-8"
    )
    for n in range(6):
        done = run_linkaudit(
            "check", "a.md", *resolve_args(web), "--retries", "0", "-q", "--now", day(n), cwd=tmp_path
        )
        assert done.returncode == 1, done.stderr
    # The article stops citing /live: its last check is old, and must be kept all the same.
    (tmp_path / "a.md").write_text("[b](http://news.example/gone)\n", encoding="utf-8")
    for n in range(6, 10):
        run_linkaudit(
            "check", "a.md", *resolve_args(web), "--retries", "0", "-q", "--now", day(n), cwd=tmp_path
        )
    store = tmp_path / ".linkaudit" / "store.sqlite"
    before = checks_per_url(store)
    assert [len(times) for times in before.values()] == [6, 10]

    done = run_linkaudit("store", "prune", "--keep", "3d", "--now", day(9), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("linkaudit: pruned 11 checks and ")
    after = checks_per_url(store)
    assert after["http://news.example/live"] == before["http://news.example/live"][-1:]  # the latest stays
    assert after["http://news.example/gone"] == before["http://news.example/gone"][-4:]  # days 6..9
    with sqlite3.connect(store) as db:
        used = db.execute("SELECT COUNT(*) FROM evidence WHERE id NOT IN (SELECT evidence_id FROM checks)")
        assert used.fetchone()[0] == 0

    # A --confirm over the days kept still sees the failures it needs.
    confirmed = run_linkaudit(
        "check",
        "a.md",
        *resolve_args(web),
        "--retries",
        "0",
        "-q",
        "--now",
        day(10),
        "--confirm",
        "3/3",
        cwd=tmp_path,
    )
    assert confirmed.returncode == 1, confirmed.stderr

    shown = run_linkaudit("history", "http://news.example/gone", "--limit", "2", cwd=tmp_path)
    rows = [line.split()[0] for line in shown.stdout.splitlines() if line.startswith("2025-")]
    assert rows == [day(9), day(10)]
    assert run_linkaudit("history", "http://news.example/gone", "-n", "0", cwd=tmp_path).returncode == 2


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--keep", "forever"], "--keep 'forever': expected a duration like 30m, 12h, 1d or 2w (or 0)"),
        (["--keep", "1d", "--store", "nowhere.sqlite"], "no store at nowhere.sqlite"),
    ],
)
def test_prune_says_what_is_wrong_in_one_line(tmp_path: Path, args: list[str], says: str) -> None:
    done = run_linkaudit("store", "prune", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"linkaudit: error: {says}\n"
    assert not (tmp_path / "nowhere.sqlite").exists()
