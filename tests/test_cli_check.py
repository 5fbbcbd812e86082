"""`linkaudit check` end to end: a real process, real servers on loopback, exit codes, JSON, Ctrl-C."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import news_web, resolve_args, run_linkaudit
from contracts import parse_report

from linkaudit.demo.simweb import Reply, SimWeb


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with news_web() as simulated:
        yield simulated


linkaudit = run_linkaudit


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_all_live_exits_0(tmp_path: Path, web: SimWeb) -> None:
    write(tmp_path, "a.md", "据[新闻](http://news.example/live)报道 ![](http://news.example/pic.png)\n")
    done = linkaudit("check", ".", *resolve_args(web), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "live" in done.stdout


def test_dead_link_exits_1_and_json_report(tmp_path: Path, web: SimWeb) -> None:
    write(
        tmp_path,
        "a.md",
        "[a](http://news.example/live)\n[b](http://gone.example/x)\n[c](http://news.example/moved)\n",
    )
    done = linkaudit(
        "check", "a.md", *resolve_args(web), "--format", "json", "--output", "out.json", cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    report = parse_report((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert report["schema"] == "linkaudit.report/1"
    assert report["partial"] is False
    by_url = {entry["url"]: entry for entry in report["urls"]}
    assert by_url["http://gone.example/x"]["verdict"] == "dead"
    assert by_url["http://gone.example/x"]["reason"] == "dns-not-found"
    moved = by_url["http://news.example/moved"]
    assert (moved["verdict"], moved["permanent"], moved["final_url"]) == (
        "redirected",
        True,
        "http://news.example/live",
    )
    assert moved["redirects"] == [{"url": "http://news.example/moved", "status": 301}]
    occurrence = by_url["http://gone.example/x"]["occurrences"][0]
    assert (occurrence["file"], occurrence["line"], occurrence["column"]) == ("a.md", 2, 1)
    assert report["summary"]["by_verdict"]["dead"] == 1


def test_json_to_stdout_is_pure_json(tmp_path: Path, web: SimWeb) -> None:
    write(tmp_path, "a.md", "[a](http://news.example/live)\n")
    done = linkaudit("check", ".", *resolve_args(web), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert parse_report(done.stdout)["summary"]["urls"] == 1


def test_fail_on_other_verdicts(tmp_path: Path, web: SimWeb) -> None:
    write(tmp_path, "a.md", "[b](http://gone.example/x)\n")
    done = linkaudit("check", ".", *resolve_args(web), "--fail-on", "unreachable", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_check_fragments_of_web_pages_only_when_asked(tmp_path: Path, web: SimWeb) -> None:
    web["news.example"].route("/doc", Reply.html('<h1 id="intro">Intro</h1>'))
    write(tmp_path, "a.md", "# 背景\n\n[a](http://news.example/doc#nope) [b](#背景) [c](#前景)\n")
    done = linkaudit("check", ".", *resolve_args(web), "-f", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # a local fragment is always checked
    report = parse_report(done.stdout)
    assert report["settings"]["check_fragments"] is False
    assert [(e["fragment"], e["verdict"]) for e in report["urls"] if e["fragment"]] == [
        ("%E5%89%8D%E6%99%AF", "dead")
    ]
    done = linkaudit("check", ".", *resolve_args(web), "-f", "json", "--check-fragments", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    report = parse_report(done.stdout)
    assert report["settings"]["check_fragments"] is True
    missing = [
        (e["url"].rsplit("/", 1)[1], e["fragment"], e["reason"]) for e in report["urls"] if e["fragment"]
    ]
    assert missing == [
        ("a.md", "%E5%89%8D%E6%99%AF", "fragment-missing"),
        ("doc", "nope", "fragment-missing"),
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["missing-folder"],
        [".", "--resolve", "no-address"],
        [".", "--accept", "abc"],
        [".", "--fail-on", "dead,sorta"],
        [".", "--header", "no colon here"],
        [".", "--host-concurrency", "0"],
        [".", "--exclude", "("],
        [".", "--timeout", "0"],
        [".", "--format", "yaml"],
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path: Path, args: list[str]) -> None:
    write(tmp_path, "a.md", "[a](http://news.example/live)\n")
    done = linkaudit("check", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_unwritable_output_is_a_clear_error(tmp_path: Path, web: SimWeb) -> None:
    write(tmp_path, "a.md", "[a](http://news.example/live)\n")
    done = linkaudit(
        "check", ".", *resolve_args(web), "-f", "json", "-o", "no/such/dir/out.json", cwd=tmp_path
    )
    assert done.returncode == 2
    assert "cannot write report" in done.stderr
    assert "Traceback" not in done.stderr


def test_demo_shows_every_verdict(tmp_path: Path) -> None:
    done = linkaudit("demo", "--format", "json", "--output", "demo.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "verdicts as the simulated web knows them" in done.stderr
    report = parse_report((tmp_path / "demo.json").read_text(encoding="utf-8"))
    seen = {entry["verdict"] for entry in report["urls"]}
    assert seen >= {
        "live",
        "redirected",
        "dead",
        "blocked",
        "rate-limited",
        "unreachable",
        "invalid",
        "skipped",
    }
