"""`linkaudit check` when the network, not the links, fails: no network, a captive portal (exit 2)."""

from __future__ import annotations

from pathlib import Path

from clirun import run_linkaudit
from contracts import parse_report

from linkaudit.demo.simweb import Reply, SimWeb

SITES = [f"site{n}.example" for n in range(6)]


def article(folder: Path, hosts: list[str]) -> None:
    lines = [f"[{host}](http://{host}/story)" for host in hosts]
    (folder / "a.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(folder: Path, *args: str) -> tuple[int, str, dict[str, dict[str, object]]]:
    # The servers are on loopback, which the private-network guard refuses unless allowed.
    allow = ("--allow-private-net", "127.0.0.0/8")
    no_archive = ("--archives", "none")  # these tests are about the network, not the archive stage
    done = run_linkaudit(
        "check", "a.md", "--format", "json", "-o", "out.json", *allow, *no_archive, *args, cwd=folder
    )
    report = parse_report((folder / "out.json").read_text(encoding="utf-8"))
    return done.returncode, done.stderr, {entry["url"]: entry for entry in report["urls"]}


def reasons(entries: dict[str, dict[str, object]]) -> set[tuple[object, object]]:
    return {(entry["verdict"], entry["reason"]) for entry in entries.values()}


def test_no_name_resolves_is_no_network_exit_2(tmp_path: Path) -> None:
    article(tmp_path, SITES)
    code, stderr, entries = check(tmp_path, "--resolve", "*:nxdomain")
    assert code == 2, stderr
    warnings = [line for line in stderr.splitlines() if "warning" in line]
    assert warnings == [
        "linkaudit: warning: no network? every name lookup failed for 6 of 6 hosts and none answered: "
        "their 6 URLs are reported unreachable (network-down-suspected), not dead"
    ]
    assert reasons(entries) == {("unreachable", "network-down-suspected")}


def test_every_connection_refused_is_no_network_exit_2(tmp_path: Path) -> None:
    article(tmp_path, SITES)
    with SimWeb() as web:
        for host in SITES:
            web.dead_host(host)  # an address on loopback that refuses connections
        resolve = [arg for host in SITES for arg in ("--resolve", f"{host}:{web.resolve[host]}")]
        code, stderr, entries = check(tmp_path, "--retries", "0", *resolve, "--resolve", "*:nxdomain")
    assert code == 2, stderr
    assert "no network? name lookups or connections failed for 6 of 6 hosts" in stderr
    assert reasons(entries) == {("unreachable", "network-down-suspected")}


def test_a_host_that_answers_proves_the_network_and_dead_stays_dead(tmp_path: Path) -> None:
    with SimWeb() as web:
        web.host("up.example").route("/story", Reply.html("here"))
        article(tmp_path, [*SITES, "up.example"])
        code, stderr, entries = check(
            tmp_path, "--resolve", f"up.example:{web.resolve['up.example']}", "--resolve", "*:nxdomain"
        )
    assert code == 1, stderr
    assert "warning" not in stderr
    assert entries["http://up.example/story"]["verdict"] == "live"
    assert reasons({u: e for u, e in entries.items() if "site" in u}) == {("dead", "dns-not-found")}


def test_every_site_sending_the_same_login_page_is_a_captive_portal_exit_2(tmp_path: Path) -> None:
    article(tmp_path, SITES)
    with SimWeb() as web:
        # Every site redirects to the portal's login page, which is a page.
        for host in SITES:
            web.host(host).route("/story", Reply.redirect("http://portal.example/login", 302))
        web.host("portal.example").route("/login", Reply.html("Welcome! Sign in to use the Wi-Fi"))
        resolve = [
            arg for host in [*SITES, "portal.example"] for arg in ("--resolve", f"{host}:{web.resolve[host]}")
        ]
        code, stderr, entries = check(tmp_path, *resolve, "--resolve", "*:nxdomain")
    assert code == 2, stderr
    assert (
        "linkaudit: warning: captive portal? 6 of 6 hosts that answered sent a redirect to "
        "http://portal.example/login"
    ) in stderr
    assert reasons(entries) == {("unreachable", "captive-portal-suspected")}
