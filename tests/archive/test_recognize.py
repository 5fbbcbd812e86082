"""Citations that already are archived copies: a table of the shapes met in articles."""

from __future__ import annotations

import pytest

from linkaudit.archive.recognize import ArchiveCitation, recognize
from linkaudit.urls import normalize

# URL | service | timestamp | captured URL | flag | wildcard ("-": none). A row with only a URL: not a copy.
# {wb}, {a} and {ts} stand for the values below, so that a row fits on a line.
TABLE = """
{wb}/{ts}/{a}?b=1 | wayback | {ts} | {a}?b=1 | - | no
http://web.archive.org/web/20211231/http://n.example/ | wayback | 20211231 | http://n.example/ | - | no
{wb}/{ts}id_/{a} | wayback | {ts} | {a} | id_ | no
{wb}/{ts}if_/{a} | wayback | {ts} | {a} | if_ | no
{wb}/{ts}im_/https://img.example/a.png | wayback | {ts} | https://img.example/a.png | im_ | no
{wb}/2021*/news.example/a | wayback | 2021 | http://news.example/a | - | yes
{wb}/*/{a}* | wayback | - | {a} | - | yes
{wb}/{a} | wayback | - | {a} | - | no
{wb}/20211231/news.example/a | wayback | 20211231 | http://news.example/a | - | no
{wb}/20211231/http:/news.example/a | wayback | 20211231 | http://news.example/a | - | no
{wb}/20211231/https%3A%2F%2Fnews.example%2Fa | wayback | 20211231 | {a} | - | no
{wb}/20211231/{a}#section | wayback | 20211231 | {a} | - | no
http://wayback.archive.org/web/{ts}/http://n.example/ | wayback | {ts} | http://n.example/ | - | no
https://archive.org/web/{ts}/http://n.example/ | wayback | {ts} | http://n.example/ | - | no
https://archive.ph/2021.12.31-235959/{a} | archive.today | {ts} | {a} | - | no
https://archive.is/{ts}/{a} | archive.today | {ts} | {a} | - | no
https://archive.today/newest/{a} | archive.today | - | {a} | newest | no
http://archive.md/oldest/{a} | archive.today | - | {a} | oldest | no
https://archive.ph/AbC12 | archive.today | - | - | - | no
https://archive.li/AbC12/image | archive.today | - | - | - | no
https://arquivo.pt/wayback/{ts}/https://n.example.pt/ | arquivo.pt | {ts} | https://n.example.pt/ | - | no
https://wayback.archive-it.org/1234/{ts}/{a} | wayback.archive-it.org | {ts} | {a} | - | no
https://webarchive.nla.gov.au/awa/{ts}/{a} | webarchive.nla.gov.au | {ts} | {a} | - | no
https://www.archive.ph/wip/AbC12
https://web.archive.org/
https://web.archive.org/details/texts
https://archive.org/details/somebook
{wb}/sitemap/
https://news.example/web/20211231/https://other.example/
https://archive.ph/
mailto:editor@archive.org
not a url
"""
NAMES = {"wb": "https://web.archive.org/web", "a": "https://news.example/a", "ts": "20211231235959"}
ROWS = [[cell.strip() for cell in line.split("|")] for line in TABLE.format_map(NAMES).strip().splitlines()]


@pytest.mark.parametrize("row", ROWS, ids=[row[0][:70] for row in ROWS])
def test_recognize(row: list[str]) -> None:
    url, *rest = row
    found = recognize(url)
    if not rest:
        assert found is None
        return
    service, timestamp, original, flag, wildcard = (None if cell == "-" else cell for cell in rest)
    assert service is not None
    assert found == ArchiveCitation(service, url, timestamp, original, flag or "", wildcard == "yes")


def test_recognised_after_normalization() -> None:
    # The pipeline holds normalized targets: what it normalizes (case, encoding) must still be read.
    target = normalize("HTTPS://Web.Archive.org/web/20211231235959/https://news.example/文章?q=1")
    found = recognize(target.url)
    assert found is not None
    assert (found.timestamp, found.original) == (
        "20211231235959",
        "https://news.example/%E6%96%87%E7%AB%A0?q=1",
    )
