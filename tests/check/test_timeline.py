"""The run timeline (linkaudit.check.timeline): every request with its role and waits, every change of pace,
every URL's span; and `linkaudit check --timeline FILE`, which writes it (a hidden option)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import news_web, resolve_args, run_linkaudit
from test_engine import FAST, item

from linkaudit.check import Timeline, check_targets
from linkaudit.check.resolve import Resolver
from linkaudit.check.timeline import FORMAT, role_after
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import Attempt, ErrorKind, UrlResult
from linkaudit.settings import HostPolicy


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        yield simulated
        assert simulated.errors == []


def test_a_requests_role_follows_from_the_one_before() -> None:
    assert role_after(None, "HEAD") == "first"
    assert role_after(Attempt("HEAD", "http://a/x", 404, None, None, 5), "GET") == "get-after-head"
    assert role_after(Attempt("HEAD", "http://a/x", 301, None, None, 5), "HEAD") == "hop"
    assert role_after(Attempt("GET", "http://a/x", 302, None, None, 5), "GET") == "hop"
    assert role_after(Attempt("HEAD", "http://a/x", 429, None, None, 5), "HEAD") == "retry"
    assert role_after(Attempt("GET", "http://a/x", None, ErrorKind.TIMEOUT, None, 5), "GET") == "retry"


async def test_the_timeline_records_requests_waits_and_pauses(web: SimWeb) -> None:
    host = web.host("news.example", latency=0.01)
    host.route("/moved", Reply.redirect("/story"))
    host.route("/story", Reply.html("story"))
    host.route("/busy", Reply.html("later", status=429, headers={"Retry-After": "1"}), Reply.html("ok"))
    urls = [web.url("news.example", path) for path in ("/moved", "/missing", "/busy")]
    settings = dataclasses.replace(FAST, host=HostPolicy(concurrency=1, interval=0.05))
    timeline = Timeline()
    results: list[UrlResult] = []
    resolver = Resolver({**web.resolve, "*": None}, system=False)
    await check_targets(
        [item(url) for url in urls], settings, on_result=results.append, resolver=resolver, timeline=timeline
    )
    data = json.loads(json.dumps(timeline.as_json()))  # plain JSON all the way down
    assert data["format"] == FORMAT
    (address,) = data["hosts"]
    requests = data["hosts"][address]["requests"]
    by_url: dict[str, list[tuple[str, str, str | None, str]]] = {}
    for r in requests:
        by_url.setdefault(r["of"], []).append((r["role"], r["method"], r["after"], r["outcome"]))
        assert r["asked"] <= r["sent"] <= r["ended"]
        assert all(
            cause in {"host-slot", "spacing", "pause", "global", "wire-spacing"} for cause in r["waits"]
        )
    assert by_url[urls[0]] == [("first", "HEAD", None, "301"), ("hop", "HEAD", "301", "200")]
    assert by_url[urls[1]] == [("first", "HEAD", None, "404"), ("get-after-head", "GET", "404", "404")]
    assert by_url[urls[2]] == [("first", "HEAD", None, "429"), ("retry", "HEAD", "429", "200")]
    # One place, 50 ms apart: every request after the first waited for the spacing or its place.
    assert sum(1 for r in requests if r["waits"]) >= len(requests) - 1
    first, retry = (r for r in requests if r["of"] == urls[2])
    assert retry["asked"] - first["ended"] >= 1 - 0.01  # the URL waited its Retry-After
    # A lone 429 at a load the host had coped with: the host was not paused.
    assert [e for e in data["hosts"][address]["events"] if e["kind"] == "pause"] == []
    assert set(data["urls"]) == set(urls)
    assert all(span["started"] <= span["ended"] for span in data["urls"].values())


def test_check_writes_the_timeline_it_is_asked_for(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("[a](http://news.example/live) [b](http://news.example/nope)\n")
    with news_web() as simulated:
        done = run_linkaudit(
            "check", "a.md", *resolve_args(simulated), "--timeline", "timeline.json", "--quiet", cwd=tmp_path
        )
    assert done.returncode == 1, done.stderr
    data = json.loads((tmp_path / "timeline.json").read_text(encoding="utf-8"))
    assert data["format"] == FORMAT
    assert {"http://news.example/live", "http://news.example/nope"} <= set(data["urls"])
    help_text = run_linkaudit("check", "--help", cwd=tmp_path).stdout
    assert "--timeline" not in help_text  # an advanced option: the help stays as the README shows it
