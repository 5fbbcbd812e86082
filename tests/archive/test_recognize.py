"""Citations that already are archived copies: a table of the shapes met in articles."""

from __future__ import annotations

import pytest

from linkaudit.archive.recognize import ArchiveCitation, recognize
from linkaudit.urls import normalize

W = "wayback"
T = "archive.today"

CASES: list[tuple[str, tuple[str, str | None, str | None, str, bool] | None]] = [
    # (url, (service, timestamp, original, flag, wildcard))
    (
        "https://web.archive.org/web/20211231235959/https://news.example/a?b=1",
        (W, "20211231235959", "https://news.example/a?b=1", "", False),
    ),
    (
        "http://web.archive.org/web/20211231/http://news.example/a",
        (W, "20211231", "http://news.example/a", "", False),
    ),
    (
        "https://web.archive.org/web/20211231235959id_/https://news.example/a",
        (W, "20211231235959", "https://news.example/a", "id_", False),
    ),
    (
        "https://web.archive.org/web/20211231235959if_/https://news.example/a",
        (W, "20211231235959", "https://news.example/a", "if_", False),
    ),
    (
        "https://web.archive.org/web/20211231235959im_/https://img.example/a.png",
        (W, "20211231235959", "https://img.example/a.png", "im_", False),
    ),
    ("https://web.archive.org/web/2021*/news.example/a", (W, "2021", "http://news.example/a", "", True)),
    ("https://web.archive.org/web/*/https://news.example/a*", (W, None, "https://news.example/a", "", True)),
    ("https://web.archive.org/web/https://news.example/a", (W, None, "https://news.example/a", "", False)),
    (
        "https://web.archive.org/web/20211231/news.example/a",
        (W, "20211231", "http://news.example/a", "", False),
    ),
    (
        "https://web.archive.org/web/20211231/http:/news.example/a",
        (W, "20211231", "http://news.example/a", "", False),
    ),
    (
        "https://web.archive.org/web/20211231/https%3A%2F%2Fnews.example%2Fa",
        (W, "20211231", "https://news.example/a", "", False),
    ),
    (
        "https://web.archive.org/web/20211231/https://news.example/a#section",
        (W, "20211231", "https://news.example/a", "", False),
    ),
    (
        "http://wayback.archive.org/web/20100101000000/http://news.example/",
        (W, "20100101000000", "http://news.example/", "", False),
    ),
    (
        "https://archive.org/web/20100101000000/http://news.example/",
        (W, "20100101000000", "http://news.example/", "", False),
    ),
    (
        "https://archive.ph/2021.12.31-235959/https://news.example/a",
        (T, "20211231235959", "https://news.example/a", "", False),
    ),
    (
        "https://archive.is/20211231235959/https://news.example/a",
        (T, "20211231235959", "https://news.example/a", "", False),
    ),
    (
        "https://archive.today/newest/https://news.example/a",
        (T, None, "https://news.example/a", "newest", False),
    ),
    ("http://archive.md/oldest/https://news.example/a", (T, None, "https://news.example/a", "oldest", False)),
    ("https://archive.ph/AbC12", (T, None, None, "", False)),
    ("https://www.archive.ph/wip/AbC12", None),
    ("https://archive.li/AbC12/image", (T, None, None, "", False)),
    (
        "https://arquivo.pt/wayback/20200101000000/https://news.example.pt/",
        ("arquivo.pt", "20200101000000", "https://news.example.pt/", "", False),
    ),
    (
        "https://wayback.archive-it.org/1234/20200101000000/https://news.example/",
        ("wayback.archive-it.org", "20200101000000", "https://news.example/", "", False),
    ),
    (
        "https://webarchive.nla.gov.au/awa/20200101000000/http://news.example.au/",
        ("webarchive.nla.gov.au", "20200101000000", "http://news.example.au/", "", False),
    ),
    # Not archived copies.
    ("https://web.archive.org/", None),
    ("https://web.archive.org/details/texts", None),
    ("https://archive.org/details/somebook", None),
    ("https://web.archive.org/web/sitemap/", None),
    ("https://news.example/web/20211231/https://other.example/", None),
    ("https://archive.ph/", None),
    ("mailto:editor@archive.org", None),
    ("not a url", None),
]


@pytest.mark.parametrize(("url", "expected"), CASES, ids=[c[0][:70] for c in CASES])
def test_recognize(url: str, expected: tuple[str, str | None, str | None, str, bool] | None) -> None:
    found = recognize(url)
    if expected is None:
        assert found is None
        return
    service, timestamp, original, flag, wildcard = expected
    assert found == ArchiveCitation(service, url, timestamp, original, flag, wildcard)


def test_recognised_after_normalization() -> None:
    # The pipeline holds normalized targets: what it normalizes (case, encoding) must still be read.
    target = normalize("HTTPS://Web.Archive.org/web/20211231235959/https://news.example/文章?q=1")
    found = recognize(target.url)
    assert found is not None
    assert (found.timestamp, found.original) == (
        "20211231235959",
        "https://news.example/%E6%96%87%E7%AB%A0?q=1",
    )
