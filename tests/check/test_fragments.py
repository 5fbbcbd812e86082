"""`#fragment` citations: the rules as pure functions, local Markdown and HTML files, and web pages served
by the simulated web on loopback with and without `--check-fragments`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_engine import FAST

from linkaudit.check import check_targets, group_occurrences
from linkaudit.check.fragments import (
    LocalAnchors,
    closest_anchor,
    fragment_name,
    has_anchor,
    page_anchors,
    split_by_fragment,
)
from linkaudit.check.resolve import Resolver
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import document_from_bytes
from linkaudit.models import Anchors, Evidence, Judgement, LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.settings import CheckSettings
from linkaudit.urls import normalize


@pytest.mark.parametrize(
    ("fragment", "name"),
    [
        (None, None),
        ("", None),
        ("top", None),
        ("TOP", None),
        (":~:text=hello%20world", None),  # a text fragment names no anchor
        ("intro:~:text=hello", "intro"),  # ... but what stands before the directive does
        ("/route/page", None),  # client-side routes
        ("!/route", None),
        ("intro", "intro"),
        ("%E6%A0%87%E9%A2%98", "%E6%A0%87%E9%A2%98"),
    ],
)
def test_which_fragments_are_checked(fragment: str | None, name: str | None) -> None:
    assert fragment_name(fragment) == name


def test_names_match_decoded_and_in_any_case_where_the_renderer_allows() -> None:
    markdown = Anchors(frozenset({"intro", "标题第一部分", "s-introduction"}), code_host=True)
    assert has_anchor(markdown, "Intro")
    assert has_anchor(markdown, "S-Introduction")
    assert has_anchor(markdown, "user-content-intro")  # the id GitHub gives it, cited as such
    assert has_anchor(markdown, "%E6%A0%87%E9%A2%98%E7%AC%AC%E4%B8%80%E9%83%A8%E5%88%86")
    assert has_anchor(markdown, "L10")
    assert has_anchor(markdown, "L10C2-L12C5")
    assert not has_anchor(markdown, "outro")
    page = Anchors(frozenset({"Intro", "a b"}))
    assert has_anchor(page, "Intro")
    assert not has_anchor(page, "intro")  # a browser matches ids exactly
    assert has_anchor(page, "a%20b")
    assert not has_anchor(page, "L10")


def test_the_closest_anchor_is_the_hint() -> None:
    anchors = Anchors(frozenset({"installation", "usage", "license"}), code_host=True)
    assert closest_anchor(anchors, "instalation") == "installation"
    assert closest_anchor(anchors, "Usage-Guide") == "usage"
    assert closest_anchor(anchors, "zzz") is None


def _page_result(
    anchors: Anchors | None, *fragments: str | None, verdict: Verdict = Verdict.LIVE
) -> UrlResult:
    url = "https://a.example/page"
    occurrences = tuple(
        Occurrence(
            "a.md", i + 1, 1, 0, 1, LinkKind.LINK, url, normalize(url + (f"#{f}" if f is not None else ""))
        )
        for i, f in enumerate(fragments)
    )
    evidence = Evidence(url=url, status=200, anchors=anchors)
    return UrlResult(normalize(url), Judgement(verdict, "http-200"), evidence, occurrences)


def test_a_missing_fragment_is_split_into_a_dead_result_of_its_own() -> None:
    anchors = Anchors(frozenset({"usage", "license"}))
    results = split_by_fragment(_page_result(anchors, None, "usage", "usgae", "usgae", "top", "nothing"))
    page, typo, nothing = results
    assert [occ.line for occ in page.occurrences] == [1, 2, 5]
    assert page.target.fragment is None and page.judgement.verdict is Verdict.LIVE
    assert (typo.target.url, typo.target.fragment) == ("https://a.example/page", "usgae")
    assert (typo.judgement.verdict, typo.judgement.reason) == (Verdict.DEAD, "fragment-missing")
    assert [occ.line for occ in typo.occurrences] == [3, 4]
    assert typo.evidence is not None and typo.evidence.detail == "closest: #usage"
    assert nothing.evidence is not None and nothing.evidence.detail == "no such anchor"


def test_nothing_is_split_without_complete_anchors_or_from_a_page_that_is_not_live() -> None:
    for result in (
        _page_result(None, "x"),
        _page_result(Anchors(frozenset({"a"}), complete=False), "x"),
        _page_result(Anchors(frozenset({"a"})), "x", verdict=Verdict.DEAD),
        _page_result(Anchors(frozenset({"a"})), "a", None),
    ):
        assert split_by_fragment(result) == [result]


def test_when_every_citation_misses_the_page_result_is_left_out() -> None:
    results = split_by_fragment(_page_result(Anchors(frozenset()), "x"))
    assert [(r.target.fragment, r.judgement.reason) for r in results] == [("x", "fragment-missing")]
    assert results[0].evidence is not None and results[0].evidence.detail == "the page has no anchors"


def _evidence(url: str, content_type: str | None = "text/html; charset=utf-8", status: int = 200) -> Evidence:
    return Evidence(url=url, status=status, final_url=url, content_type=content_type)


def test_page_anchors_of_html_pages_only() -> None:
    body = b'<h1 id="Intro">x</h1><a name="n">y</a>'
    anchors = page_anchors(_evidence("https://a.example/p"), body, 1000)
    assert anchors == Anchors(frozenset({"Intro", "n"}))
    assert page_anchors(_evidence("https://a.example/p", "application/pdf"), body, 1000) is None
    assert page_anchors(_evidence("https://a.example/p", None), body, 1000) is None
    assert page_anchors(_evidence("https://a.example/p", status=404), body, 1000) is None
    assert page_anchors(_evidence("https://a.example/p"), None, 1000) is None


def test_a_page_cut_short_or_without_ids_proves_nothing_missing() -> None:
    body = b'<h1 id="Intro">x</h1>' + b" " * 100
    cut = page_anchors(_evidence("https://a.example/p"), body, len(body))
    assert cut is not None and not cut.complete
    bare = page_anchors(_evidence("https://a.example/app"), b"<div>rendered by script</div>", 1000)
    assert bare is not None and not bare.complete


def test_the_page_charset_is_honoured() -> None:
    body = '<meta charset="gb18030"><h2 id="第一节">x</h2>'.encode("gb18030")
    anchors = page_anchors(_evidence("https://a.example/p", "text/html"), body, 1000)
    assert anchors is not None and "第一节" in anchors.names


def test_code_hosts_match_rendered_markdown_anchors_as_their_script_does() -> None:
    # GitHub prefixes user content's ids and may deliver the rendered README inside JSON.
    body = (
        b'<div id="repo-content"><h2><a id="user-content-installation" href="#installation"></a></h2>'
        b'<script type="application/json">{"richText":"<h2 id=\\"user-content-usage\\">"}</script></div>'
    )
    anchors = page_anchors(_evidence("https://github.com/o/r/blob/main/README.md"), body, 10_000)
    assert anchors is not None
    assert {"installation", "usage", "repo-content"} <= anchors.names
    assert has_anchor(anchors, "Installation")
    assert has_anchor(anchors, "L42-L48")
    elsewhere = page_anchors(_evidence("https://docs.example/readme"), body, 10_000)
    assert elsewhere is not None and not has_anchor(elsewhere, "installation")


def _occurrences(folder: Path, name: str, text: str) -> list[Occurrence]:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    doc = document_from_bytes(path.read_bytes(), path, name)
    return extract_document(doc, SourceFormat.for_path(name), folder)


async def _check(
    occurrences: list[Occurrence], settings: CheckSettings = FAST, web: SimWeb | None = None
) -> list[UrlResult]:
    results: list[UrlResult] = []
    mapping: dict[str, str | None] = {**(web.resolve if web is not None else {}), "*": None}
    resolver = Resolver(mapping, system=False)
    await check_targets(group_occurrences(occurrences), settings, on_result=results.append, resolver=resolver)
    return results


def _verdicts(results: list[UrlResult]) -> dict[tuple[str, str | None], tuple[str, str, list[str]]]:
    return {
        (Path(r.target.url).name, r.target.fragment): (
            r.judgement.verdict.value,
            r.judgement.reason,
            sorted(occ.raw for occ in r.occurrences),
        )
        for r in results
    }


async def test_local_markdown_and_html_files(tmp_path: Path) -> None:
    (tmp_path / "guide.md").write_text(
        '# 安装：第一步\n\n## Usage\n\n## Usage\n\n<a name="Old-Name"></a>\n', encoding="utf-8"
    )
    (tmp_path / "page.html").write_text('<h1 id="Top-Part">x</h1><a name="n1"></a>', encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    occurrences = _occurrences(
        tmp_path,
        "index.md",
        "# Index\n\n"
        "[a](guide.md#安装第一步) [b](guide.md#usage-1) [c](guide.md#USAGE) [d](guide.md#old-name)\n"
        "[e](guide.md#usage-2) [f](guide.md#L12) [g](page.html#Top-Part) [h](page.html#top-part)\n"
        "[i](page.html#n1) [j](#index) [k](#indx) [l](notes.pdf#page=3) [m](guide.md#:~:text=Usage)\n",
    )
    verdicts = _verdicts(await _check(occurrences))
    assert verdicts == {
        ("guide.md", None): (
            "live",
            "file-exists",
            sorted(
                [
                    "guide.md#安装第一步",
                    "guide.md#usage-1",
                    "guide.md#USAGE",
                    "guide.md#old-name",
                    "guide.md#L12",
                    "guide.md#:~:text=Usage",
                ]
            ),
        ),
        ("guide.md", "usage-2"): ("dead", "fragment-missing", ["guide.md#usage-2"]),
        ("page.html", None): ("live", "file-exists", ["page.html#Top-Part", "page.html#n1"]),
        ("page.html", "top-part"): ("dead", "fragment-missing", ["page.html#top-part"]),
        ("index.md", None): ("live", "file-exists", ["#index"]),
        ("index.md", "indx"): ("dead", "fragment-missing", ["#indx"]),
        ("notes.pdf", None): ("live", "file-exists", ["notes.pdf#page=3"]),
    }


async def test_a_missing_file_is_dead_whatever_its_fragment(tmp_path: Path) -> None:
    results = await _check(_occurrences(tmp_path, "a.md", "[x](gone.md#intro)\n"))
    assert [(r.judgement.reason, r.target.fragment) for r in results] == [("file-missing", None)]


def test_a_local_file_is_read_once_per_run(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# One\n", encoding="utf-8")
    local = LocalAnchors()
    first = local.of(path)
    path.write_text("# Two\n", encoding="utf-8")
    assert local.of(path) is first
    assert first is not None and first.names == frozenset({"one"})
    assert LocalAnchors().of(path) == Anchors(frozenset({"two"}), code_host=True)


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        site = simulated.host("docs.example")
        site.route("/guide", Reply.html('<h1 id="intro">Intro</h1><h2 id="setup">Setup</h2>'))
        site.route("/app", Reply.html("<div>built by script</div>"))
        site.route("/file.pdf", Reply(200, b"%PDF-1.4", headers={"Content-Type": "application/pdf"}))
        yield simulated
        assert simulated.errors == []


def _cite(*urls: str) -> list[Occurrence]:
    return [
        Occurrence("a.md", i + 1, 1, 0, len(u), LinkKind.LINK, u, normalize(u)) for i, u in enumerate(urls)
    ]


async def test_web_page_fragments_are_not_checked_by_default(web: SimWeb) -> None:
    results = await _check(
        _cite("http://docs.example/guide#intro", "http://docs.example/guide#nope"), web=web
    )
    assert [(r.judgement.verdict, len(r.occurrences)) for r in results] == [(Verdict.LIVE, 2)]
    assert [record.method for record in web.stats("docs.example").log] == ["HEAD"]


async def test_check_fragments_reads_each_page_once_and_judges_each_fragment(web: SimWeb) -> None:
    settings = dataclasses.replace(FAST, check_fragments=True)
    occurrences = _cite(
        "http://docs.example/guide#intro",
        "http://docs.example/guide#setpu",
        "http://docs.example/guide",
        "http://docs.example/guide#setpu",
        "http://docs.example/app#section",
        "http://docs.example/file.pdf#page=2",
    )
    verdicts = {
        (r.target.url.rsplit("/", 1)[1], r.target.fragment): (
            r.judgement.reason,
            [o.line for o in r.occurrences],
        )
        for r in await _check(occurrences, settings, web)
    }
    assert verdicts == {
        ("guide", None): ("http-200", [1, 3]),
        ("guide", "setpu"): ("fragment-missing", [2, 4]),
        ("app", None): ("http-200", [5]),  # no ids at all: built by script, nothing proven missing
        ("file.pdf", None): ("http-200", [6]),
    }
    log = web.stats("docs.example").log
    assert sorted((record.method, record.path) for record in log) == [
        ("GET", "/app"),
        ("GET", "/file.pdf"),
        ("GET", "/guide"),
    ]


async def test_a_body_cut_at_max_body_proves_nothing_missing(web: SimWeb) -> None:
    settings = dataclasses.replace(FAST, check_fragments=True, max_body=16)
    results = await _check(
        _cite("http://docs.example/guide#setup", "http://docs.example/guide#nope"), settings, web
    )
    assert [(r.judgement.verdict, r.target.fragment, len(r.occurrences)) for r in results] == [
        (Verdict.LIVE, None, 2)
    ]
