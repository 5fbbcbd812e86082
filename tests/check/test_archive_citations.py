"""Cited archived copies (web.archive.org/web/<ts>/<url>, archive.today …) are checked as gently as the
archive is asked for lookups, and get no soft-rot sibling: a random name beside a capture is a lookup in
the archive, not a page of a site."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import resolve_args, run_linkaudit

from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.settings import ARCHIVE_HOST_POLICY, CheckSettings, HostPolicy, HostRule

CAPTURES = [f"/web/2015030210101{n}/http://old.example/story/{n}" for n in range(4)]


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        wayback = simulated.host("web.archive.org")
        for path in CAPTURES:
            wayback.route(path, Reply.html("the story as it was, " + path))
        simulated.host("news.example").route("/a/b", Reply.html("a live story"))
        yield simulated


def test_cited_copies_one_at_a_time_a_second_apart_and_no_sibling(tmp_path: Path, web: SimWeb) -> None:
    cited = [web.url("web.archive.org", path) for path in CAPTURES]
    (tmp_path / "a.md").write_text(
        "\n\n".join(f"[copy {n}]({url})" for n, url in enumerate(cited))
        + "\n\n[live](http://news.example/a/b)\n",
        encoding="utf-8",
    )
    done = run_linkaudit(
        "check",
        ".",
        "--no-store",
        "--host-concurrency",
        "8",
        "--host-interval",
        "0",
        *resolve_args(web),
        "-f",
        "json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    verdicts = {entry["url"]: entry["verdict"] for entry in json.loads(done.stdout)["urls"]}
    assert all(verdicts[url] == "live" for url in cited), verdicts
    wayback = web.stats("web.archive.org")
    assert set(wayback.paths) == set(CAPTURES), wayback.paths  # no random sibling beside a capture
    assert wayback.max_in_flight == 1
    gap = wayback.min_gap()
    assert gap is not None and gap >= ARCHIVE_HOST_POLICY.interval - 0.05, wayback.starts()
    # An ordinary host keeps the run's politeness, and its deep link its sibling.
    assert len(web.stats("news.example").paths) == 2


def test_the_user_still_decides_for_an_archive_host() -> None:
    run = CheckSettings(host=HostPolicy(concurrency=8, interval=0.0))
    assert run.policy_for("web.archive.org") == ARCHIVE_HOST_POLICY
    assert run.policy_for("archive.ph:443") == ARCHIVE_HOST_POLICY
    assert run.policy_for("news.example") == HostPolicy(8, 0.0)
    # A gentler run stays gentler with the archive: its pace is a floor, not a replacement.
    assert CheckSettings(host=HostPolicy(1, 5.0)).policy_for("web.archive.org") == HostPolicy(1, 5.0)
    assert CheckSettings(host=HostPolicy(2, 0.0)).policy_for("web.archive.org") == HostPolicy(1, 1.0)
    overridden = CheckSettings(
        host=HostPolicy(8, 0.0),
        host_overrides={"web.archive.org": HostPolicy(2, 0.5)},
        host_rules={"archive.ph": HostRule(interval=3.0)},
    )
    assert overridden.policy_for("web.archive.org") == HostPolicy(2, 0.5)
    assert overridden.policy_for("archive.ph") == HostPolicy(1, 3.0)
