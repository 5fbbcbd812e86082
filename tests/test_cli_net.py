"""`linkaudit check` end to end with proxies, TLS trust, web pages and URL lists as inputs, and the small
things every CLI user notices (-V, exit codes in --help, the one-line summary beside -o FILE).

Real processes against real servers on loopback: SimWeb, a forward proxy (tests/forward_proxy.py), a TLS
server with a throwaway certificate. The machine's proxy and CA variables never reach these processes
(tests/clirun.py); a test that wants one sets it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import run_linkaudit
from contracts import parse_report
from forward_proxy import ForwardProxy
from tlsserver import self_signed, serve_tls

from linkaudit import __version__
from linkaudit.demo.simweb import Reply, SimWeb

# linkaudit itself resolves no name at all; the simulated web's loopback addresses are allowed.
# No archive lookups either: the simulated web has no archive (tests/archive test the archive stage).
NOTHING_RESOLVES = ("--resolve", "*:nxdomain", "--allow-private-net", "127.0.0.0/8", "--archives", "none")


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        news = simulated.host("news.example")
        news.route("/live", Reply.html("live"))
        news.route("/post", Reply.html('<a href="live">live</a> <a href="/gone">gone</a>'))
        simulated.host("direct.example").route("/", Reply.html("direct"))
        yield simulated


def resolve_args(web: SimWeb, *names: str) -> list[str]:
    args: list[str] = []
    for name, address in web.resolve.items():
        if not names or name in names:
            args += ["--resolve", f"{name}:{address if address is not None else 'nxdomain'}"]
    return [*args, *NOTHING_RESOLVES]


def article(folder: Path, text: str = "[a](http://news.example/live) [b](http://direct.example/)\n") -> Path:
    path = folder / "a.md"
    path.write_text(text, encoding="utf-8")
    return path


def report(folder: Path, name: str = "out.json") -> dict[str, object]:
    return parse_report((folder / name).read_text(encoding="utf-8"))


def verdicts(data: dict[str, object]) -> dict[str, str]:
    urls = data["urls"]
    assert isinstance(urls, list)
    return {entry["url"]: entry["verdict"] for entry in urls}


# --- proxies ------------------------------------------------------------------------------------------


def test_the_proxy_option_carries_every_request(tmp_path: Path, web: SimWeb) -> None:
    article(tmp_path)
    with ForwardProxy(web.resolve) as proxy:
        done = run_linkaudit(
            "check",
            "a.md",
            "--proxy",
            proxy.url,
            *NOTHING_RESOLVES,
            "-f",
            "json",
            "-o",
            "out.json",
            cwd=tmp_path,
        )
    assert done.returncode == 0, done.stderr
    data = report(tmp_path)
    assert set(verdicts(data).values()) == {"live"}
    assert sorted(set(proxy.targets("HEAD"))) == ["http://direct.example/", "http://news.example/live"]
    settings = data["settings"]
    assert isinstance(settings, dict)
    assert settings["proxy"] == {"http": f"{proxy.url}", "https": f"{proxy.url}"}
    assert settings["insecure"] is False


def test_environment_proxies_and_no_proxy(tmp_path: Path, web: SimWeb) -> None:
    article(tmp_path)
    with ForwardProxy(web.resolve) as proxy:
        env = {"HTTP_PROXY": proxy.url, "NO_PROXY": "direct.example"}
        done = run_linkaudit("check", "a.md", *resolve_args(web, "direct.example"), cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert proxy.targets() == ["http://news.example/live"]  # direct.example went direct
        assert f"Checked through a proxy: {proxy.url} for http (not for direct.example)." in done.stdout
        # --no-proxy '*' overrides NO_PROXY: nothing through the proxy, names resolved by linkaudit.
        done = run_linkaudit("check", "a.md", "--no-proxy", "*", *resolve_args(web), cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert proxy.targets() == ["http://news.example/live"]


def test_an_unreachable_proxy_is_one_clear_error(tmp_path: Path) -> None:
    article(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = run_linkaudit(
        "check", "a.md", "--proxy", f"127.0.0.1:{port}", *NOTHING_RESOLVES, "-o", "out.txt", cwd=tmp_path
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(f"linkaudit: error: cannot reach the proxy http://127.0.0.1:{port}: connection refused")
    )
    assert not (tmp_path / "out.txt").exists()  # no report of every URL failing


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--proxy", "socks5://127.0.0.1:1080"], {}, "--proxy 'socks5://127.0.0.1:1080': only http://"),
        ([], {"https_proxy": "http://p.example:0x"}, "https_proxy 'http://p.example:0x': bad port"),
        (["--ca-bundle", "junk.pem"], {}, "--ca-bundle junk.pem: no PEM certificates"),
        ([], {"SSL_CERT_FILE": "missing.pem"}, "SSL_CERT_FILE missing.pem: no such file"),
    ],
)
def test_bad_proxy_or_trust_settings_exit_2(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    article(tmp_path)
    (tmp_path / "junk.pem").write_text("junk\n", encoding="utf-8")
    done = run_linkaudit("check", "a.md", *args, *NOTHING_RESOLVES, cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert done.stderr.startswith(f"linkaudit: error: {message}")
    assert len(done.stderr.strip().splitlines()) == 1


# --- TLS ----------------------------------------------------------------------------------------------


def test_insecure_and_added_trust(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, "tls.example")
    article(tmp_path, "[s](https://tls.example/)\n")
    with serve_tls(cert, key) as address:
        resolve = ["--resolve", f"tls.example:{address}", *NOTHING_RESOLVES]
        refused = run_linkaudit("check", "a.md", *resolve, "-f", "json", "-o", "refused.json", cwd=tmp_path)
        assert refused.returncode == 0  # unreachable is not a failure by default
        insecure = run_linkaudit("check", "a.md", *resolve, "--insecure", cwd=tmp_path)
        insecure_json = run_linkaudit(
            "check", "a.md", *resolve, "--insecure", "-f", "json", "-o", "insecure.json", cwd=tmp_path
        )
        trusted = run_linkaudit(
            "check",
            "a.md",
            *resolve,
            "-f",
            "json",
            "-o",
            "trusted.json",
            cwd=tmp_path,
            env={"SSL_CERT_FILE": str(cert)},
        )
    assert verdicts(report(tmp_path, "refused.json")) == {"https://tls.example/": "unreachable"}
    assert insecure.returncode == 0, insecure.stderr
    assert "TLS certificates were not verified (--insecure)." in insecure.stdout
    assert insecure_json.returncode == 0
    settings = report(tmp_path, "insecure.json")["settings"]
    assert isinstance(settings, dict)
    assert settings["insecure"] is True
    assert trusted.returncode == 0, trusted.stderr
    trusted_report = report(tmp_path, "trusted.json")
    assert verdicts(trusted_report) == {"https://tls.example/": "live"}
    settings = trusted_report["settings"]
    assert isinstance(settings, dict)
    assert (settings["ca_bundle"], settings["insecure"]) == (str(cert), False)


# --- web pages and URL lists --------------------------------------------------------------------------


def test_a_web_page_s_links_are_checked(tmp_path: Path, web: SimWeb) -> None:
    done = run_linkaudit(
        "check", "http://news.example/post", *resolve_args(web), "-f", "json", "-o", "out.json", cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    data = report(tmp_path)
    assert verdicts(data) == {"http://news.example/live": "live", "http://news.example/gone": "dead"}
    urls = data["urls"]
    assert isinstance(urls, list)
    files = {occ["file"] for entry in urls for occ in entry["occurrences"]}
    assert files == {"http://news.example/post"}


def test_a_url_list_from_a_file_or_standard_input(tmp_path: Path, web: SimWeb) -> None:
    listing = (
        "# yesterday's failures\n\nhttp://news.example/live\nnews.example/gone\n  http://news.example/gone\n"
    )
    (tmp_path / "failures.txt").write_text(listing, encoding="utf-8")
    from_file = run_linkaudit(
        "check", "--urls", "failures.txt", *resolve_args(web), "-f", "json", "-o", "file.json", cwd=tmp_path
    )
    from_stdin = run_linkaudit(
        "check",
        "--urls",
        "-",
        *resolve_args(web),
        "-f",
        "json",
        "-o",
        "stdin.json",
        cwd=tmp_path,
        stdin=listing,
    )
    assert from_file.returncode == 1, from_file.stderr
    assert from_stdin.returncode == 1, from_stdin.stderr
    for name, file in (("file.json", "failures.txt"), ("stdin.json", "-")):
        data = report(tmp_path, name)
        urls = data["urls"]
        assert isinstance(urls, list)
        places = {
            (entry.get("url") or entry["occurrences"][0]["raw"], entry["verdict"]): [
                (occ["file"], occ["line"], occ["column"]) for occ in entry["occurrences"]
            ]
            for entry in urls
        }
        assert places == {
            ("http://news.example/live", "live"): [(file, 3, 1)],
            ("http://news.example/gone", "dead"): [(file, 5, 3)],
            ("news.example/gone", "invalid"): [(file, 4, 1)],
        }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to check: give files, folders or web pages, or --urls FILE"),
        (["-", "--urls", "-"], "--urls - and the path - cannot both read standard input"),
        (["--urls", "missing.txt"], "--urls missing.txt: no such file"),
    ],
)
def test_input_mistakes_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    done = run_linkaudit("check", *args, *NOTHING_RESOLVES, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"linkaudit: error: {message}")


def test_extract_names_check_for_web_pages(tmp_path: Path) -> None:
    done = run_linkaudit("extract", "https://example.org/page", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "linkaudit: error: https://example.org/page: extract reads files "
        "(the links of a web page: linkaudit check https://example.org/page)\n"
    )


# --- small things -------------------------------------------------------------------------------------


def test_short_version_and_exit_codes_in_help(tmp_path: Path) -> None:
    for flag in ("-V", "--version"):
        done = run_linkaudit(flag, cwd=tmp_path)
        assert (done.returncode, done.stdout) == (0, f"linkaudit {__version__}\n")
    for command in ([], ["check"]):
        done = run_linkaudit(*command, "--help", cwd=tmp_path)
        text = " ".join(done.stdout.replace("│", " ").split())
        assert (
            "Exit codes: 0 nothing failing, 1 failing links or unreadable articles (see --fail-on), 2 usage"
            " or configuration error, 130 interrupted, 143 terminated." in text
        )


def test_a_report_written_to_a_file_leaves_one_summary_line(tmp_path: Path, web: SimWeb) -> None:
    article(tmp_path, "[a](http://news.example/live) [b](http://news.example/gone)\n")
    done = run_linkaudit("check", "a.md", *resolve_args(web), "-f", "json", "-o", "out.json", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines()[-1] == (
        "linkaudit: 2 distinct URLs (1 dead, 1 live) from 2 links in 1 file; report written to out.json"
    )
    quiet = run_linkaudit(
        "check", "a.md", *resolve_args(web), "-q", "-f", "json", "-o", "q.json", cwd=tmp_path
    )
    assert (quiet.stdout, quiet.stderr) == ("", "")
