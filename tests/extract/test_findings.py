"""Hygiene findings from extraction: bare URLs that GitHub links with their escapes and entities kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.bare import intended_url
from linkaudit.extract.document import document_from_bytes
from linkaudit.extract.findings import add_findings
from linkaudit.models import Finding, FindingKind, LinkKind, Occurrence


def extract(name: str, text: str) -> tuple[Occurrence, ...]:
    doc = document_from_bytes(text.encode("utf-8"), Path("/articles") / name, name)
    return add_findings(extract_document(doc, SourceFormat.for_path(name), Path("/articles")))


@pytest.mark.parametrize(
    ("written", "intended"),
    [
        ("https://x.com/jana\\_c/status/1", "https://x.com/jana_c/status/1"),
        ("https://a.example/p?a=1&amp;size=910", "https://a.example/p?a=1&size=910"),
        ("https://a.example/p?q=&#x41;&#66;", "https://a.example/p?q=AB"),
        ("https://a.example/a\\*b\\_", "https://a.example/a*b_"),
        ("https://a.example/a\\", "https://a.example/a"),  # it escaped the "_" that ended the URL
        ("https://a.example/a\\\\", "https://a.example/a\\"),  # an escaped backslash is one backslash
        ("https://a.example/plain?a=1&b=2", None),
        ("https://a.example/dir\\file", None),  # no escape: a backslash before a letter is literal
    ],
)
def test_intended_url(written: str, intended: str | None) -> None:
    assert intended_url(written) == intended


def test_escaped_bare_urls_in_an_archive_article() -> None:
    text = (
        "据报道 https://x.com/jana\\_c/status/1 称，\r\n"
        "\r\n"
        "https://express.adobe.com/page/Cn/images/13.jpg?asset_id=D7&amp;size=558*（图片来源：截图）*\r\n"
        "\r\n"
        "[链接](https://a.example/x\\_y) <https://a.example/auto\\_link> https://a.example/clean\r\n"
    )
    occurrences = extract("gnews/1.md", text)
    found = {occ.raw: occ.findings for occ in occurrences}
    assert found["https://x.com/jana\\_c/status/1"] == (
        Finding(FindingKind.ESCAPED_BARE_URL, "remove the backslash", "https://x.com/jana_c/status/1"),
    )
    adobe = "https://express.adobe.com/page/Cn/images/13.jpg?asset_id=D7&amp;size=558"
    assert found[adobe] == (
        Finding(
            FindingKind.ESCAPED_BARE_URL,
            'write "&" for "&amp;"',
            "https://express.adobe.com/page/Cn/images/13.jpg?asset_id=D7&size=558",
        ),
    )
    # What GitHub links is still what is extracted and checked: the escape, as readers get it.
    by_raw = {occ.raw: occ for occ in occurrences}
    assert by_raw["https://x.com/jana\\_c/status/1"].target.url == "https://x.com/jana%5C_c/status/1"
    assert by_raw[adobe].target.url.endswith("asset_id=D7&amp;size=558")
    # Inline links resolve escapes (CommonMark), autolinks are not bare URLs, a clean URL has no finding.
    assert found["https://a.example/x\\_y"] == ()
    assert found["https://a.example/auto\\_link"] == ()
    assert found["https://a.example/clean"] == ()
    assert {occ.kind for occ in occurrences if occ.findings} == {LinkKind.BARE}


def test_plain_text_files_mean_what_they_say() -> None:
    occurrences = extract("notes.txt", "see https://a.example/p?a=1&amp;b=2 and https://x.com/a\\_b\n")
    assert [occ.findings for occ in occurrences] == [(), ()]


def test_occurrences_without_findings_are_the_same_objects() -> None:
    doc = document_from_bytes(b"https://a.example/x and https://a.example/y\\_z\n", Path("/a.md"), "a.md")
    plain, escaped = extract_document(doc, SourceFormat.MARKDOWN, Path("/"))
    marked = add_findings([plain, escaped])
    assert marked[0] is plain
    assert marked[1].findings and marked[1].raw == escaped.raw
