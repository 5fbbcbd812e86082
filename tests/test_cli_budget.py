"""`linkaudit check --url-budget`: one URL's time, all tries and hops included, end to end."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from clirun import run_linkaudit
from contracts import parse_report

from linkaudit.demo.simweb import Reply, SimWeb


def test_a_url_stops_when_its_budget_is_spent(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("[slow](http://slow.example/a)\n", encoding="utf-8")
    with SimWeb() as web:
        host = web.host("slow.example")
        for n in range(40):  # each hop answers after 0.4 s: 40 of them would take 16 s
            host.route("/a" + "x" * n, Reply(302, headers={"Location": "/a" + "x" * (n + 1)}, latency=0.4))
        started = time.monotonic()
        done = run_linkaudit(
            "check", "a.md", "--format", "json", "-o", "out.json", "--timeout", "5", "--url-budget", "1.5",
            "--max-redirects", "1000", "--resolve", f"slow.example:{web.resolve['slow.example']}",
            "--allow-private-net", "127.0.0.0/8", cwd=tmp_path,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    report = parse_report((tmp_path / "out.json").read_text(encoding="utf-8"))
    (entry,) = report["urls"]
    assert (entry["verdict"], entry["reason"]) == ("unreachable", "url-budget-exhausted")
    assert report["settings"]["url_budget"] == 1.5
    assert elapsed < 1.5 + 5  # the budget, and the start-up of a process


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_a_budget_that_is_not_a_positive_number_is_a_usage_error(tmp_path: Path, value: str) -> None:
    (tmp_path / "a.md").write_text("x\n", encoding="utf-8")
    done = run_linkaudit("check", "a.md", "--url-budget", value, cwd=tmp_path)
    assert done.returncode == 2
    assert "--url-budget" in done.stderr
