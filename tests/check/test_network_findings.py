"""Hygiene findings that need the network, end to end: `linkaudit check` in a real process against real
servers on loopback.

`https-available`: `secure.example` is one port that speaks HTTP and TLS (tests/tlsserver.py), as a
host's ports 80 and 443 do, with a throwaway certificate given by `--ca-bundle`; `plain.example` (the
simulated web) speaks no TLS; on `half.example` the https:// path asked is missing. One https request
per host, spaced from the host's other requests by `--host-interval`. `shortener`: `bit.ly` on the
simulated web redirects to a live page, or answers 404. `tracking-params`: the URL without them is
checked too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import resolve_args, run_linkaudit
from tlsserver import DualServer, self_signed, serve_http_and_tls

from linkaudit.demo.simweb import Reply, SimWeb

SECURE = ("secure.example", "half.example")


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "cert"
    folder.mkdir()
    return self_signed(folder, "secure.example")


@pytest.fixture
def dual(certificate: tuple[Path, Path]) -> Iterator[DualServer]:
    routes = {(tls, path): 200 for tls in (False, True) for path in ("/a", "/b", "/c")}
    with serve_http_and_tls(*certificate, routes) as server:
        yield server


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        plain = simulated.host("plain.example")
        plain.route("/p", Reply.html("plain"))
        plain.route("/q", Reply.html("plain"))
        news = simulated.host("news.example")
        news.route("/live", Reply.html("live"))
        news.route("/story?id=7", Reply.html("story"))  # routes match the query too
        news.route("/story?id=7&utm_source=feed&fbclid=X1", Reply.html("story"))
        short = simulated.host("bit.ly")
        short.route("/abc", Reply.redirect("http://news.example/live", 301))
        short.route("/gone", Reply.html("no such link", status=404))
        yield simulated


def check(
    folder: Path, web: SimWeb, dual: DualServer, certificate: tuple[Path, Path], exit_code: int = 0
) -> dict[str, Any]:
    """`check . -f json` with every name mapped: the simulated web's, and secure.example to the dual port.
    Findings never fail a run: its exit code is its verdicts' (0 unless a link is dead)."""
    done = run_linkaudit(
        "check",
        ".",
        "--no-store",
        "--host-interval",
        "0.3",
        "--ca-bundle",
        str(certificate[0]),
        "--resolve",
        f"secure.example:{dual.address}",
        *resolve_args(web),
        "-f",
        "json",
        cwd=folder,
    )
    assert done.returncode == exit_code, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def findings(report: dict[str, Any]) -> dict[tuple[str, int], list[dict[str, Any]]]:
    return {
        (occ["file"], occ["line"]): occ["findings"]
        for entry in report["urls"]
        for occ in entry["occurrences"]
        if occ["kind"] != "text-url"
    }


def test_https_available_one_request_per_host_through_its_gate(
    tmp_path: Path, web: SimWeb, dual: DualServer, certificate: tuple[Path, Path]
) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.md").write_text(
        "[a](http://secure.example/a)\n\n[b](http://secure.example/b)\n\n"
        "<p><a href='http://secure.example/c#part'>c</a></p>\n\n"
        "[p](http://plain.example/p)\n\n[q](http://plain.example/q)\n",
        encoding="utf-8",
    )
    (articles / "b.txt").write_text(
        "See http://secure.example/a and http://plain.example/p\n", encoding="utf-8"
    )
    report = check(articles, web, dual, certificate)
    found = findings(report)
    https = {where: [f for f in listed if f["kind"] == "https-available"] for where, listed in found.items()}
    assert [f["suggestion"] for f in https[("a.md", 1)]] == ["https://secure.example/a"]
    assert [f["suggestion"] for f in https[("a.md", 3)]] == ["https://secure.example/b"]
    assert [f["suggestion"] for f in https[("a.md", 5)]] == ["https://secure.example/c#part"]
    assert [f["suggestion"] for f in https[("b.txt", 1)]] == ["https://secure.example/a"]
    # The path asked (the most cited) carries its own verdict; the others were not asked.
    assert https[("a.md", 1)][0]["suggestion_verdict"] == "live"
    assert https[("a.md", 3)][0]["suggestion_verdict"] is None
    # plain.example speaks no TLS: no finding, and its one https request got a TLS error, not a page.
    assert not any(https[where] for where in found if where[0] == "a.md" and where[1] in (7, 9))
    over_tls = [seen for seen in dual.seen if seen.tls]
    assert [(seen.method, seen.path) for seen in over_tls] == [("HEAD", "/a")]
    plain = web.stats("plain.example")
    # The http checks (a HEAD each), and the one https attempt: a TLS hello the host could not parse.
    assert (plain.requests, plain.bad_requests) == (2, 1)
    # The probe waited its turn at the host's gate (--host-interval 0.3) after the http checks.
    last_http = max(seen.at for seen in dual.seen if not seen.tls)
    assert over_tls[0].at - last_http >= 0.25
    # The probes are no entries of the report.
    assert not any(entry["url"].startswith("https://") for entry in report["urls"])


def test_no_https_finding_where_the_path_is_missing_over_https(
    tmp_path: Path, web: SimWeb, certificate: tuple[Path, Path]
) -> None:
    with serve_http_and_tls(*certificate, {(False, "/a"): 200, (True, "/a"): 404}) as server:
        (tmp_path / "a.md").write_text("[a](http://secure.example/a)\n", encoding="utf-8")
        report = check(tmp_path, web, server, certificate)
    assert findings(report)[("a.md", 1)] == []
    assert [(seen.tls, seen.path) for seen in server.seen].count((True, "/a")) >= 1


def test_shortener_resolved_and_tracking_parameters(
    tmp_path: Path, web: SimWeb, dual: DualServer, certificate: tuple[Path, Path]
) -> None:
    (tmp_path / "a.md").write_text(
        "[s](http://bit.ly/abc)\n\n[g](http://bit.ly/gone)\n\n"
        "[t](http://news.example/story?id=7&utm_source=feed&fbclid=X1)\n",
        encoding="utf-8",
    )
    report = check(tmp_path, web, dual, certificate, exit_code=1)  # bit.ly/gone is dead
    found = findings(report)
    [resolved] = [f for f in found[("a.md", 1)] if f["kind"] == "shortener"]
    assert resolved["suggestion"] == "http://news.example/live"
    [nowhere] = [f for f in found[("a.md", 3)] if f["kind"] == "shortener"]
    assert nowhere["suggestion"] is None and "led nowhere (http-404)" in nowhere["detail"]
    [tracking] = [f for f in found[("a.md", 5)] if f["kind"] == "tracking-params"]
    assert tracking["suggestion"] == "http://news.example/story?id=7"
    assert tracking["detail"] == "remove fbclid, utm_source"
    assert tracking["suggestion_verdict"] == "live"  # the URL without them was checked


def test_fix_applies_the_suggestions_asked_for(
    tmp_path: Path, web: SimWeb, dual: DualServer, certificate: tuple[Path, Path]
) -> None:
    """`linkaudit fix --findings …` points citations at their suggestions where these are known to work."""
    articles = tmp_path / "articles"
    articles.mkdir()
    text = (
        "[a](http://secure.example/a) [c](http://secure.example/c#part) [p](http://plain.example/p)\n\n"
        "[s](http://bit.ly/abc) [g](http://bit.ly/gone)\n\n"
        "see http://news.example/story?id=7&utm_source=feed&fbclid=X1 too\n"
    )
    (articles / "a.md").write_text(text, encoding="utf-8")
    report = check(articles, web, dual, certificate, exit_code=1)
    (tmp_path / "r.json").write_text(json.dumps(report), encoding="utf-8")
    only_tracking = run_linkaudit("fix", "../r.json", "--findings", "tracking-params", cwd=articles)
    assert only_tracking.returncode == 0, only_tracking.stderr
    assert "would fix 1 citation (1 edit) in 1 file" in only_tracking.stderr
    every = "tracking-params,https-available,shortener"
    done = run_linkaudit("fix", "../r.json", "--findings", every, "--write", cwd=articles)
    assert done.returncode == 0, done.stderr
    assert (articles / "a.md").read_text(encoding="utf-8") == (
        "[a](https://secure.example/a) [c](https://secure.example/c#part) [p](http://plain.example/p)\n\n"
        "[s](http://news.example/live) [g](http://bit.ly/gone)\n\n"
        "see [http://news.example/story?id=7&utm_source=feed&fbclid=X1](http://news.example/story?id=7) too\n"
    )
    wrong = run_linkaudit("fix", "../r.json", "--findings", "duplicate-in-article", cwd=articles)
    assert wrong.returncode == 2
    assert "not a finding with a suggestion" in wrong.stderr
