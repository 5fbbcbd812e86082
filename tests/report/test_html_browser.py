"""The HTML report in a real headless chromium: it renders from disk with nothing loaded from anywhere,
its filters and sorting work, and hostile link texts, file names and server answers run nothing.

Skipped, with the reason shown, only where chromium is not installed and LINKAUDIT_REQUIRE_BROWSER is
not set; `.ci/run` installs chromium and sets it, so in CI these tests always run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, Page, chromium_path, open_browser

from linkaudit.models import AuditReport, Verdict
from linkaudit.report.html import write_html_report

from .builders import cite, every_verdict, http_result, report_of
from .hostile import SCRIPT_PAYLOAD, TITLE_PAYLOAD, hostile_results

if chromium_path() is None and not os.environ.get("LINKAUDIT_REQUIRE_BROWSER"):
    pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does)", allow_module_level=True)

READY = "document.documentElement.dataset.ready === 'true'"
# Anything a payload could have left behind, were it run or parsed as markup.
TRACES = """({
  title: document.title,
  pwned: document.getElementById('pwned') !== null,
  images: document.querySelectorAll('img').length,
  handlers: document.querySelectorAll('[onerror],[onload],[onclick]').length,
  scripts: document.scripts.length,
  badLinks: [...document.querySelectorAll('a[href]')].map(a => a.protocol)
    .filter(p => p !== 'http:' && p !== 'https:'),
})"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with open_browser(tmp_path_factory.mktemp("chromium-profile")) as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with browser.page() as tab:
        yield tab


def write(report: AuditReport, path: Path, *, verbose: bool = False) -> str:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        write_html_report(report, out, verbose=verbose)
    return path.as_uri()


def rows(page: Page) -> list[dict[str, Any]]:
    value: list[dict[str, Any]] = page.evaluate(
        "[...document.querySelectorAll('#rows tr')].map(tr => ({verdict: tr.dataset.verdict,"
        " cells: [...tr.cells].map(td => td.textContent),"
        " links: [...tr.querySelectorAll('a')].map(a => a.href)}))"
    )
    return value


def test_it_renders_from_disk_and_loads_nothing_else(page: Page, tmp_path: Path) -> None:
    url = write(report_of(*every_verdict()), tmp_path / "report.html")
    page.send("Network.enable")
    page.open(url, ready=READY)
    shown = rows(page)
    assert [r["cells"][0] for r in shown] == [
        "articles/a.md:10:1",
        "articles/a.md:11:1",
        "articles/a.md:12:9",
        "articles/a.md:20:1",
        "articles/b.md:2:1",
        "articles/b.md:4:3",
        "articles/b.md:5:3",
        "articles/b.md:6:3",
        "articles/b.md:8:2",
    ]  # every problem citation, in reading order
    assert page.evaluate("document.documentElement.dataset.rows") == "9"
    dead = [r for r in shown if r["verdict"] == "dead"]
    assert dead[0]["cells"][1:5] == ["the study", "https://gone.example/x", "dead", "404 Not Found"]
    assert dead[0]["cells"][5] == "HTTP 404 · 1 request, 81 ms"
    assert dead[0]["links"] == ["https://gone.example/x"]
    (drifted,) = (r for r in shown if r["verdict"] == "deviated")
    archived = "https://web.archive.org/web/20211230101500/https://news.example/story"
    assert drifted["links"] == ["https://news.example/story", archived]
    assert drifted["cells"][6] == (
        "archived copyarchived 2021-12-30, 1 day before cited; main text 4% as archived"
    )
    assert page.evaluate("document.querySelectorAll('#charts svg rect').length") > 0
    requested = {
        event["params"]["request"]["url"]
        for event in page.events
        if event.get("method") == "Network.requestWillBeSent"
    }
    assert requested == {url}


def test_filters_by_verdict_host_and_article_and_keeps_them_in_the_address(
    page: Page, tmp_path: Path
) -> None:
    url = write(report_of(*every_verdict()), tmp_path / "report.html", verbose=True)
    page.open(url, ready=READY)
    assert len(rows(page)) == 12
    page.evaluate(
        "(() => { const s = document.getElementById('f-verdict'); s.value = 'dead';"
        " s.dispatchEvent(new Event('input')); })()"
    )
    assert {r["verdict"] for r in rows(page)} == {"dead"}
    assert len(rows(page)) == 2
    assert page.evaluate("location.hash") == "#verdict=dead"
    page.evaluate(
        "(() => { const s = document.getElementById('f-article'); s.value = 'b.md';"
        " s.dispatchEvent(new Event('input')); })()"
    )
    assert [r["cells"][0] for r in rows(page)] == ["articles/b.md:2:1"]
    assert page.evaluate("document.getElementById('count').textContent") == "1 of 12 rows"
    # A shared address opens the same view.
    page.open(url + "#host=wall.example", ready=READY)
    assert [(r["verdict"], r["cells"][2]) for r in rows(page)] == [("blocked", "https://wall.example/p")]
    assert page.evaluate("document.getElementById('f-host').value") == "wall.example"
    page.open(url + "#verdict=live&article=a.md", ready=READY)
    assert [r["cells"][2] for r in rows(page)] == ["https://ok.example/page"]


def test_columns_sort_both_ways(page: Page, tmp_path: Path) -> None:
    url = write(report_of(*every_verdict()), tmp_path / "report.html")
    page.open(url, ready=READY)
    page.evaluate("document.querySelector('th[data-sort=verdict] button').click()")
    verdicts = [r["cells"][3] for r in rows(page)]
    assert verdicts == sorted(verdicts)
    assert (
        page.evaluate("document.querySelector('th[data-sort=verdict]').getAttribute('aria-sort')")
        == "ascending"
    )
    page.evaluate("document.querySelector('th[data-sort=verdict] button').click()")
    assert [r["cells"][3] for r in rows(page)] == sorted(verdicts, reverse=True)
    assert page.evaluate("location.hash") == "#sort=verdict&dir=desc"
    page.open(url + "#sort=line", ready=READY)
    lines = [int(r["cells"][0].rsplit(":", 2)[1]) for r in rows(page)]
    assert lines == sorted(lines)


def test_a_long_table_shows_a_page_at_a_time(page: Page, tmp_path: Path) -> None:
    results = [
        http_result(
            f"https://a.example/{i}",
            Verdict.DEAD,
            "http-404",
            cite(f"https://a.example/{i}", "a.md", i + 1),
            status=404,
        )
        for i in range(1_200)
    ]
    url = write(report_of(*results), tmp_path / "report.html")
    page.open(url, ready=READY)
    assert (page.evaluate("document.documentElement.dataset.rows"), len(rows(page))) == ("1200", 500)
    page.evaluate("document.getElementById('more').click()")
    assert len(rows(page)) == 1_000


def test_hostile_texts_names_and_server_answers_run_nothing(page: Page, tmp_path: Path) -> None:
    report = report_of(*hostile_results(), settings={"fail_on": ["dead"]})
    url = write(report, tmp_path / "report.html", verbose=True)
    page.open(url, ready=READY)
    traces = page.evaluate(TRACES)
    assert traces == {
        "title": "linkaudit: 4 failing citations",
        "pwned": False,
        "images": 0,
        "handlers": 0,
        "scripts": 2,
        "badLinks": [],
    }
    shown = rows(page)
    texts = [cell for row in shown for cell in row["cells"]]
    assert any(TITLE_PAYLOAD in cell for cell in texts)  # shown as text, to be read
    assert any(SCRIPT_PAYLOAD in cell for cell in texts)
    assert any(cell.startswith("javascript:") for cell in texts)  # the skipped URL, not a link
    links = [link for row in shown for link in row["links"]]
    assert links and all(link.startswith("https://") for link in links)
    # Sorting and filtering re-render from the data: still nothing runs.
    page.evaluate("document.querySelector('th[data-sort=text] button').click()")
    page.open(url + "#article=" + "script", ready=READY)
    assert page.evaluate(TRACES) == traces | {"scripts": 2}
    assert len(rows(page)) == 1


def test_the_same_payloads_do_run_on_a_page_without_these_defences(page: Page, tmp_path: Path) -> None:
    """The check above can fail: embedded naively, the payload in the data sets the title."""
    naive = tmp_path / "naive.html"
    data = json.dumps({"text": SCRIPT_PAYLOAD})
    naive.write_text(
        f'<!DOCTYPE html><title>safe</title><script type="application/json">{data}</script>', encoding="utf-8"
    )
    page.open(naive.as_uri())
    assert page.evaluate("document.title") == "pwned"


def test_a_real_run_with_hostile_files_and_servers(page: Page, tmp_path: Path) -> None:
    """`check --format html` against a simulated web whose answers carry payloads, on hostile file names."""
    from typer.testing import CliRunner  # noqa: PLC0415 - only this test runs the CLI

    from linkaudit.cli import app  # noqa: PLC0415
    from linkaudit.demo.simweb import Reply, SimWeb  # noqa: PLC0415

    folder = tmp_path / "x<"
    folder.mkdir()
    (folder / "script><svg onload=alert(1)>.md").write_text(
        f"[{TITLE_PAYLOAD}](http://evil.example/type)\n"
        "[redirect](http://evil.example/to-js)\n"
        "[redirect](http://evil.example/to-payload)\n"
        f"[{SCRIPT_PAYLOAD}](http://evil.example/gone)\n"
        "[click](javascript:document.title='pwned')\n",
        encoding="utf-8",
    )
    with SimWeb() as web:
        evil = web.host("evil.example")
        evil.route(
            "/type", Reply.html("x", status=404, headers={"Content-Type": f"text/html; x={TITLE_PAYLOAD}"})
        )
        evil.route("/to-js", Reply.redirect("javascript:document.title='pwned'", 302))
        evil.route("/to-payload", Reply.redirect(f"/x?{TITLE_PAYLOAD}", 302))
        evil.route("/gone", Reply.html(SCRIPT_PAYLOAD, status=410))
        resolve = [f"--resolve={name}:{address or 'nxdomain'}" for name, address in web.resolve.items()]
        result = CliRunner().invoke(
            app,
            [
                "check",
                str(tmp_path),
                *resolve,
                "--resolve=*:nxdomain",
                "--allow-private-net=127.0.0.0/8",  # the simulated web is on loopback
                "--no-store",  # in process: the history store would land in the current folder
                "-q",
                "-v",
                "-f",
                "html",
                "-o",
                str(tmp_path / "r.html"),
            ],
        )
    assert result.exit_code == 1, (result.output, result.exception)
    page.open((tmp_path / "r.html").as_uri(), ready=READY)
    traces = page.evaluate(TRACES)
    assert (traces["title"], traces["pwned"], traces["images"], traces["handlers"], traces["badLinks"]) == (
        "linkaudit: 5 failing citations",  # the <img src=x> in a link text cites a missing file "x"
        False,
        0,
        0,
        [],
    )
    cells = [cell for row in rows(page) for cell in row["cells"]]
    assert any("script><svg onload=alert(1)>.md" in cell for cell in cells)
    assert any(TITLE_PAYLOAD in cell for cell in cells)  # the Content-Type header, as evidence
    assert any(cell.startswith("javascript:document.title") for cell in cells)
    assert any(cell.startswith("302 → 404 at http://evil.example/x?%3Cimg") for cell in cells)
    assert any("redirect to a non-web URL \"javascript:document.title='pwned'\"" in cell for cell in cells)
