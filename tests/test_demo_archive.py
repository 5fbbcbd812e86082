"""`linkaudit demo` shows archived copies offline: its own simulated archive on loopback, and (its
default is `--archives all`) a live page that has drifted from its copy. A saved demo report is one
`linkaudit fix` reads: the diff, never a write into the installed package."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from clirun import run_linkaudit
from contracts import assert_valid_report

from linkaudit.demo import demo_articles
from linkaudit.demo.archive import DEMO_DRIFTED

HARBOUR = "http://daily-news.example/world/2023/harbour-fire"


def test_the_demo_offers_the_copy_nearest_the_citation_date(tmp_path: Path) -> None:
    done = run_linkaudit("demo", "-q", "-f", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert_valid_report(report)
    by_url = {entry["url"]: entry for entry in report["urls"] if entry["fragment"] is None}
    harbour = by_url[HARBOUR]
    assert harbour["verdict"] == "dead"
    assert harbour["archive"]["url"] == f"http://archive.example/web/20231121064512/{HARBOUR}"
    assert harbour["archive"]["direction"] == "before"
    assert by_url["http://tinylink.example/x7Kq2"]["archive_error"] == "none-found"
    assert report["settings"]["archives"] == "all"


def test_failing_looks_up_only_what_failed(tmp_path: Path) -> None:
    done = run_linkaudit("demo", "-q", "-f", "json", "--archives", "failing", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert all(entry["drift"] is None for entry in report["urls"])
    assert "deviated" not in {entry["verdict"] for entry in report["urls"]}
    assert report["settings"]["archives"] == "failing"


def test_the_terminal_report_shows_the_copy_and_its_days(tmp_path: Path) -> None:
    done = run_linkaudit("demo", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "archived 2022-05-12, 678 days before cited" in done.stdout
    assert f"→ http://archive.example/web/20231121064512/{HARBOUR}" in done.stdout


def test_the_demo_finds_a_drifted_page(tmp_path: Path) -> None:
    """Every verdict of the citation audit, `deviated` too, in a plain `linkaudit demo`."""
    done = run_linkaudit("demo", "-q", "-f", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    by_url = {entry["url"]: entry for entry in report["urls"] if entry["fragment"] is None}
    for url, verdict in DEMO_DRIFTED.items():
        assert by_url[url]["verdict"] == verdict
        assert by_url[url]["reason"] == "content-drift"
        assert by_url[url]["drift"]["similarity"] < 0.2
    assert "30 of 30 web URLs" in done.stderr


def test_fix_reads_a_saved_demo_report_and_never_writes_the_package(tmp_path: Path) -> None:
    def fingerprint() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in demo_articles().iterdir()}

    before = fingerprint()
    saved = run_linkaudit("demo", "-q", "-f", "json", "-o", "demo.json", cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    shown = run_linkaudit("fix", "demo.json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "+++ b/demo/articles/linjiang-flood.md" in shown.stdout
    assert f"/web/20231121064512/{HARBOUR})" in shown.stdout
    assert "linkaudit fix: would fix" in shown.stderr
    written = run_linkaudit("fix", "demo.json", "--write", cwd=tmp_path)
    assert written.returncode == 2
    assert "linkaudit's own demo articles" in written.stderr
    assert fingerprint() == before
