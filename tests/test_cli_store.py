"""The history store end to end: real `linkaudit` processes, a real SQLite file, a real web on loopback.

Days pass with `--now`; a kill is a real SIGKILL; two runs at once are two real processes.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import run_linkaudit
from contracts import assert_valid_history, parse_report
from storelock import held

from linkaudit.demo.simweb import Reply, SimWeb

DAY0 = "2025-03-01T09:00:00Z"


def day(n: float) -> str:
    seconds = int(n * 86_400)
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1740819600 + seconds))


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        news = simulated.host("news.example")
        news.route("/live", Reply.html("live"))
        news.route("/gone", Reply.html("gone", status=404))
        news.route("/private", Reply.html("members only", status=403))
        yield simulated


def network(web: SimWeb) -> list[str]:
    args: list[str] = []
    for name, address in web.resolve.items():
        args += ["--resolve", f"{name}:{address if address is not None else 'nxdomain'}"]
    return [*args, "--resolve", "*:nxdomain", "--allow-private-net", "127.0.0.0/8", "--retries", "0"]


def check(web: SimWeb, folder: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    done = run_linkaudit("check", "a.md", *network(web), "-f", "json", *args, cwd=folder)
    assert "Traceback" not in done.stderr, done.stderr
    report = parse_report(done.stdout) if done.stdout.strip() else {}
    return done.returncode, report, done.stderr


def entries(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["url"]: entry for entry in report["urls"]}


def requests(web: SimWeb) -> int:
    return web.stats("news.example").requests


def article(folder: Path, *paths: str) -> None:
    (folder / "a.md").write_text("".join(f"[{p}](http://news.example{p})\n" for p in paths), encoding="utf-8")


def test_max_age_reuses_fresh_results_without_a_request(tmp_path: Path, web: SimWeb) -> None:
    article(tmp_path, "/live", "/gone")
    code, first, _ = check(web, tmp_path, "--max-age", "1d", "--now", DAY0)
    assert code == 1
    assert not any(entry["reused"] for entry in first["urls"])
    sent = requests(web)
    code, second, _ = check(web, tmp_path, "--max-age", "1d", "--now", day(0.5))
    assert code == 1  # a failing result is reused too, and still fails
    assert requests(web) == sent
    assert all(entry["reused"] for entry in second["urls"])
    assert {url: e["verdict"] for url, e in entries(second).items()} == {
        url: e["verdict"] for url, e in entries(first).items()
    }
    assert entries(second)["http://news.example/gone"]["checked_at"] == DAY0
    assert second["settings"]["max_age"] == 86_400
    code, third, _ = check(web, tmp_path, "--max-age", "1d", "--now", day(1.5))
    assert requests(web) > sent
    assert not any(entry["reused"] for entry in third["urls"])
    # The default, --max-age 0: always probed.
    sent = requests(web)
    check(web, tmp_path, "--now", day(1.6))
    assert requests(web) > sent


def test_a_reused_verdict_follows_todays_accept(tmp_path: Path, web: SimWeb) -> None:
    article(tmp_path, "/private")
    _, first, _ = check(web, tmp_path, "--now", DAY0)
    assert entries(first)["http://news.example/private"]["verdict"] == "blocked"
    sent = requests(web)
    _, second, _ = check(web, tmp_path, "--max-age", "1d", "--now", day(0.1), "--accept", "403")
    entry = entries(second)["http://news.example/private"]
    assert (entry["verdict"], entry["reason"], entry["reused"]) == ("live", "accepted-403", True)
    assert requests(web) == sent


def test_a_failure_fails_the_run_once_confirmed_and_a_success_resets_it(tmp_path: Path, web: SimWeb) -> None:
    article(tmp_path, "/flaky")
    news = web["news.example"]
    news.route("/flaky", Reply.html("gone", status=404))
    seen = []
    for n in range(4):
        code, report, stderr = check(web, tmp_path, "--confirm", "3/3", "--now", day(n))
        entry = entries(report)["http://news.example/flaky"]
        seen.append((code, entry["verdict"], entry["failures"], entry["first_failed_at"], entry["confirmed"]))
        if not entry["confirmed"]:
            assert "1 failing URL not confirmed yet (--confirm 3/3)" in stderr
    assert seen == [
        (0, "dead", 1, DAY0, False),
        (0, "dead", 2, DAY0, False),
        (0, "dead", 3, DAY0, False),  # three failures, but over two days only
        (1, "dead", 4, DAY0, True),
    ]
    news.route("/flaky", Reply.html("back"))
    code, report, _ = check(web, tmp_path, "--confirm", "3/3", "--now", day(4))
    entry = entries(report)["http://news.example/flaky"]
    assert (code, entry["verdict"], entry["failures"], entry["confirmed"]) == (0, "live", 0, None)
    news.route("/flaky", Reply.html("gone", status=404))
    code, report, _ = check(web, tmp_path, "--confirm", "3/3", "--now", day(5))
    entry = entries(report)["http://news.example/flaky"]
    assert (code, entry["failures"], entry["first_failed_at"]) == (0, 1, day(5))
    # The default, --confirm 1/0: a failure is confirmed at once.
    code, report, _ = check(web, tmp_path, "--now", day(6))
    assert (code, entries(report)["http://news.example/flaky"]["confirmed"]) == (1, True)


def test_a_missing_fragment_is_one_check_of_its_page_and_fails_over_time(tmp_path: Path, web: SimWeb) -> None:
    web["news.example"].route("/doc", Reply.html('<h2 id="here">Here</h2>'))
    (tmp_path / "a.md").write_text(
        "[ok](http://news.example/doc#here) [lost](http://news.example/doc#gone)\n", encoding="utf-8"
    )
    seen = []
    for n in range(2):
        code, report, _ = check(web, tmp_path, "--check-fragments", "--confirm", "2/0", "--now", day(n))
        lost = next(e for e in report["urls"] if e["fragment"] == "gone")
        seen.append((code, lost["reason"], lost["failures"], lost["confirmed"]))
    assert seen == [(0, "fragment-missing", 1, False), (1, "fragment-missing", 2, True)]
    with sqlite3.connect(tmp_path / ".linkaudit" / "store.sqlite") as db:
        kept = db.execute("SELECT url, verdict FROM check_log").fetchall()
    assert kept == [("http://news.example/doc", "live")] * 2  # the page's check, once a run


def test_history_shows_a_urls_checks_over_time(tmp_path: Path, web: SimWeb) -> None:
    article(tmp_path, "/gone")
    for n in range(3):
        check(web, tmp_path, "--now", day(n))
    shown = run_linkaudit("history", "http://NEWS.example/gone", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    rows = [line.split() for line in shown.stdout.splitlines() if line.startswith("2025-")]
    assert rows == [[day(n), "dead", "http-404", "404"] for n in range(3)]
    assert shown.stdout.splitlines()[0] == "http://news.example/gone"
    assert "3 checks from 2025-03-01T09:00:00Z to 2025-03-03T09:00:00Z; last: dead (http-404)" in shown.stdout
    as_json = run_linkaudit("history", "http://news.example/gone", "--format", "json", cwd=tmp_path)
    document = json.loads(as_json.stdout)
    assert_valid_history(document)
    assert document["schema"] == "linkaudit.history/1"
    assert [(c["checked_at"], c["verdict"], c["http_status"]) for c in document["checks"]] == [
        (day(n), "dead", 404) for n in range(3)
    ]
    assert document["checks"][0]["attempts"][0]["method"] == "HEAD"
    unknown = run_linkaudit("history", "http://news.example/never", cwd=tmp_path)
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert "no checks of http://news.example/never" in unknown.stderr
    missing = run_linkaudit("history", "http://news.example/gone", "--store", "nowhere.sqlite", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert not (tmp_path / "nowhere.sqlite").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--max-age", "1y"], "--max-age '1y': expected a duration like 30m, 12h, 1d or 2w"),
        (["--confirm", "3"], "--confirm '3': expected N/DAYS"),
        (["--now", "tomorrow"], "--now 'tomorrow': expected an ISO-8601 date or time"),
        (["--no-store", "--max-age", "1d"], "--max-age and --confirm need the history store"),
        (["--no-store", "--confirm", "3/3"], "--max-age and --confirm need the history store"),
        (["--store-wait", "-1"], "--store-wait -1: must be a finite number of seconds >= 0"),
    ],
)
def test_store_options_are_checked(tmp_path: Path, args: list[str], says: str) -> None:
    article(tmp_path, "/live")
    done = run_linkaudit("check", "a.md", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert says in done.stderr
    assert done.stderr.count("\n") == 1


def test_the_store_is_where_it_is_asked_and_nowhere_with_no_store(tmp_path: Path, web: SimWeb) -> None:
    article(tmp_path, "/live")
    code, _, _ = check(web, tmp_path, "--no-store")
    assert code == 0
    assert not (tmp_path / ".linkaudit").exists()
    code, report, _ = check(web, tmp_path, "--store", "elsewhere/history.sqlite")
    assert code == 0
    assert report["settings"]["store"] == "elsewhere/history.sqlite"
    assert (tmp_path / "elsewhere" / "history.sqlite").exists()
    code, _, _ = check(web, tmp_path)
    assert (tmp_path / ".linkaudit" / "store.sqlite").exists()
    with sqlite3.connect(tmp_path / ".linkaudit" / "store.sqlite") as db:
        assert db.execute("SELECT count(*) FROM checks").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM files").fetchone() == (1,)  # the extraction cache


def stored_checks(path: Path) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        try:
            count: int = db.execute("SELECT count(*) FROM checks").fetchone()[0]
        except sqlite3.OperationalError:  # the run has made the file but not yet its tables
            return 0
        return count


def fast_and_stuck(web: SimWeb, folder: Path) -> None:
    """20 URLs on a host that answers at once, 20 on one that takes 30 s, all cited in a.md."""
    for name, latency in (("fast.example", 0.0), ("slow.example", 30.0)):
        host = web.host(name, latency=latency)
        for n in range(20):
            host.route(f"/p{n}", Reply.html(name))
    links = (f"[{n}](http://{name}/p{n})" for n in range(20) for name in ("fast.example", "slow.example"))
    (folder / "a.md").write_text("\n".join(links) + "\n", encoding="utf-8")


def test_kill_9_mid_run_then_the_next_run_resumes(tmp_path: Path) -> None:
    with SimWeb() as web:
        fast_and_stuck(web, tmp_path)
        command = [sys.executable, "-m", "linkaudit", "check", "a.md", *network(web), "--max-age", "1d"]
        process = subprocess.Popen(
            command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        store = tmp_path / ".linkaudit" / "store.sqlite"
        deadline = time.monotonic() + 60
        while stored_checks(store) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert web.stats("slow.example").in_flight > 0  # still at work on the slow host
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
        with sqlite3.connect(store) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            kept = {row[0] for row in db.execute("SELECT url FROM check_log")}
        assert {f"http://fast.example/p{n}" for n in range(20)} <= kept
        fast_sent = web.stats("fast.example").requests
        web["slow.example"].latency = 0
        code, report, _ = check(web, tmp_path, "--max-age", "1d")
    assert code == 0
    results = entries(report)
    assert web.stats("fast.example").requests == fast_sent  # checked before the kill: not probed again
    assert all(results[f"http://fast.example/p{n}"]["reused"] for n in range(20))
    assert not any(results[f"http://slow.example/p{n}"]["reused"] for n in range(20))
    assert all(entry["verdict"] == "live" for entry in results.values())


def test_two_runs_at_once_share_one_store(tmp_path: Path) -> None:
    with SimWeb() as web:
        host = web.host("shared.example", latency=0.05)
        for n in range(40):
            host.route(f"/p{n}", Reply.html("ok"))
        for name in ("one", "two"):
            folder = tmp_path / name
            folder.mkdir()
            (folder / "a.md").write_text(
                "".join(f"[{n}](http://shared.example/p{n})\n" for n in range(40)), encoding="utf-8"
            )
        store = str(tmp_path / "store.sqlite")
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "linkaudit", "check", ".", *network(web), "--store", store, "-q"],
                cwd=tmp_path / name,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("one", "two")
        ]
        outcomes = [(run.wait(timeout=120), run.communicate()[1]) for run in runs]
    assert outcomes == [(0, ""), (0, "")]
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM checks").fetchone() == (80,)
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (2,)
        assert db.execute("SELECT count(*) FROM files").fetchone() == (2,)


def test_a_store_held_by_another_process_is_said_in_one_line(tmp_path: Path, web: SimWeb) -> None:
    article(tmp_path, "/live")
    store = tmp_path / "store.sqlite"
    assert check(web, tmp_path, "--store", str(store))[0] == 0
    (tmp_path / "b.md").write_text("[new](http://news.example/new)\n", encoding="utf-8")
    with held(store):
        started = time.monotonic()
        code, _, stderr = check(web, tmp_path, "--store", str(store), "--store-wait", "1")
        took = time.monotonic() - started
        # extract only caches: it says the cache was not kept, and its output is whole.
        extracted = run_linkaudit(
            "extract", "a.md", "b.md", "--store", str(store), "--store-wait", "0.5", cwd=tmp_path
        )
    assert code == 2
    assert took < 30
    assert stderr.count("\n") == 1
    assert "is in use by another process (waited 1 s to start the run)" in stderr
    assert extracted.returncode == 0
    assert extracted.stdout == run_linkaudit("extract", "a.md", "b.md", "--no-store", cwd=tmp_path).stdout
    assert "warning: the store" in extracted.stderr
    assert "extraction cache not updated" in extracted.stderr
    assert os.path.getsize(store) > 0
