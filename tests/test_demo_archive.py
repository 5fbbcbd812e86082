"""`linkaudit demo` shows archived copies offline: its own simulated archive on loopback, and with
`--archives all` a live page that has drifted from its copy."""

from __future__ import annotations

import json
from pathlib import Path

from clirun import run_linkaudit
from contracts import assert_valid_report

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
    assert all(entry["drift"] is None for entry in by_url.values())
    assert report["settings"]["archives"] == "failing"


def test_the_terminal_report_shows_the_copy_and_its_days(tmp_path: Path) -> None:
    done = run_linkaudit("demo", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "archived 2022-05-12, 678 days before cited" in done.stdout
    assert f"→ http://archive.example/web/20231121064512/{HARBOUR}" in done.stdout


def test_with_all_the_demo_finds_a_drifted_page(tmp_path: Path) -> None:
    done = run_linkaudit("demo", "-q", "-f", "json", "--archives", "all", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    by_url = {entry["url"]: entry for entry in report["urls"] if entry["fragment"] is None}
    for url, verdict in DEMO_DRIFTED.items():
        assert by_url[url]["verdict"] == verdict
        assert by_url[url]["reason"] == "content-drift"
        assert by_url[url]["drift"]["similarity"] < 0.2
    assert "26 of 26 web URLs" in done.stderr
