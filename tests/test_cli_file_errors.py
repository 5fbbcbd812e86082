"""Unreadable articles are reported and fail the run (`--fail-on file-error`, on by default); an article
with a few stray bytes is read, its links checked, and the bytes located in a warning that fails nothing.

Only local links (`[x](a.md)`): the checks need no network at all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from clirun import run_linkaudit
from contracts import parse_extract_lines, parse_report


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    (tmp_path / "good.md").write_text("[me](good.md)\n", encoding="utf-8")
    (tmp_path / "stray.md").write_bytes(b"# Caf\xe9\n\nSee [good](good.md).\n")
    return tmp_path


def _unreadable(folder: Path) -> None:
    (folder / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "big.md").write_text("[me](good.md)\n" + "x" * 5000, encoding="utf-8")
    (folder / "gone.md").symlink_to(folder / "vanished.md")


def _check(folder: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """The exit code and JSON report of a run, and the terminal report of the same run again."""
    done = run_linkaudit(
        "check", ".", "--max-file-size", "4000", "-f", "json", "-o", "out.json", *args, cwd=folder
    )
    assert "Traceback" not in done.stderr
    shown = run_linkaudit("check", ".", "--max-file-size", "4000", *args, cwd=folder)
    assert shown.returncode == done.returncode
    return done.returncode, parse_report((folder / "out.json").read_text(encoding="utf-8")), shown.stdout


def test_unreadable_files_fail_the_run_by_default(articles: Path) -> None:
    _unreadable(articles)
    code, report, summary = _check(articles)
    assert code == 1
    assert [error["file"] for error in report["errors"]] == ["big.md", "binary.md", "gone.md"]
    assert report["settings"]["fail_on"] == ["dead", "file-error", "soft-dead", "usurped"]
    assert "Files that could not be read" in summary


@pytest.mark.parametrize(("fail_on", "code"), [("dead", 0), ("file-error", 1), ("dead,file-error", 1)])
def test_fail_on_decides_whether_they_fail_it(articles: Path, fail_on: str, code: int) -> None:
    _unreadable(articles)
    assert _check(articles, "--fail-on", fail_on)[0] == code


def test_a_file_with_stray_bytes_is_checked_and_located_but_fails_nothing(articles: Path) -> None:
    code, report, summary = _check(articles)
    assert code == 0
    assert report["errors"] == []
    assert report["warnings"] == [
        {
            "file": "stray.md",
            "line": 1,
            "column": 6,
            "message": "1 undecodable byte read as U+FFFD (first: 0xe9 at byte 5); links kept",
        }
    ]
    cited = {occ["file"] for entry in report["urls"] for occ in entry["occurrences"]}
    assert cited == {"good.md", "stray.md"}
    assert "stray.md:1:6: 1 undecodable byte read as U+FFFD" in summary


def test_extract_says_where_the_stray_bytes_are(articles: Path) -> None:
    done = run_linkaudit("extract", ".", cwd=articles)
    assert done.returncode == 0
    assert done.stderr == (
        "linkaudit: stray.md:1:6: warning: "
        "1 undecodable byte read as U+FFFD (first: 0xe9 at byte 5); links kept\n"
    )
    assert "stray.md:3:5  link" in done.stdout


def test_a_file_name_that_is_not_utf8_reaches_every_report(tmp_path: Path) -> None:
    """Found by fuzzing the writers: such a name made the JSON report (and its fallback) raise, losing it.

    JSON holds the name's undecodable byte as a `\\udcXX` escape: it reads back to the name Python uses
    for the file, so `open()` finds it.
    """
    name = os.fsdecode(b"caf\xe9.md")
    (tmp_path / name).write_text("[me](good.md) [gone](gone.md)\n", encoding="utf-8")
    (tmp_path / "good.md").write_text("[me](good.md)\n", encoding="utf-8")
    code, report, summary = _check(tmp_path)
    assert code == 1  # gone.md
    cited = {occ["file"] for entry in report["urls"] for occ in entry["occurrences"]}
    assert cited == {"good.md", name}
    assert (tmp_path / name).exists()
    assert "caf\ufffd.md  (1 problem)" in summary  # a terminal shows U+FFFD for the byte
    done = run_linkaudit("extract", ".", "-f", "jsonl", cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert {line["file"] for line in parse_extract_lines(done.stdout)} == {"good.md", name}
