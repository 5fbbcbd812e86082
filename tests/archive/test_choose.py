"""The capture offered for a citation, as InternetArchiveBot chooses it: a table, and a property."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkaudit.archive.choose import Capture, after_query, before_query, choose_capture, snapshot_url
from linkaudit.models import ArchivedCopy, ArchiveDirection

ARCHIVE = "https://web.archive.org"
URL = "https://news.example/2021/12/story.html"
CITED = date(2021, 12, 31)


def cap(timestamp: str, status: int | None = 200) -> Capture:
    return Capture(timestamp, URL, status, "text/html")


CASES: list[tuple[str, list[Capture], tuple[str, ArchiveDirection, int] | None]] = [
    (
        "latest good one at or before the day",
        [cap("20200101000000"), cap("20211220101010"), cap("20211230120000", 301), cap("20220105000000")],
        ("20211220101010", ArchiveDirection.BEFORE, 11),
    ),
    (
        "the last second of the day is still that day",
        [cap("20211231235959")],
        ("20211231235959", ArchiveDirection.BEFORE, 0),
    ),
    (
        "the next day's first second is after",
        [cap("20220101000000")],
        ("20220101000000", ArchiveDirection.AFTER, 1),
    ),
    (
        "none before: the earliest good one after",
        [
            cap("20220301000000"),
            cap("20220102000000", 302),
            cap("20220110000000"),
            cap("20220105000000", 404),
        ],
        ("20220110000000", ArchiveDirection.AFTER, 10),
    ),
    (
        "203 and 206 are offered",
        [cap("20211201000000", 203), cap("20211215000000", 206)],
        ("20211215000000", ArchiveDirection.BEFORE, 16),
    ),
    (
        "redirects, errors and revisits never are",
        [
            cap("20211230000000", 301),
            cap("20211229000000", 404),
            cap("20211228000000", None),
            cap("20211227000000", 500),
        ],
        None,
    ),
    ("nothing captured", [], None),
    (
        "malformed timestamps are passed over",
        [cap("2021xx30000000"), cap("2021"), cap("20211399000000"), cap("20211201000000")],
        ("20211201000000", ArchiveDirection.BEFORE, 30),
    ),
    ("years away", [cap("20150630000000")], ("20150630000000", ArchiveDirection.BEFORE, 2376)),
]


@pytest.mark.parametrize(("captures", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_choice(captures: list[Capture], expected: tuple[str, ArchiveDirection, int] | None) -> None:
    chosen = choose_capture(captures, CITED, archive_url=ARCHIVE, url=URL)
    if expected is None:
        assert chosen is None
        return
    timestamp, direction, days = expected
    assert chosen == ArchivedCopy(f"{ARCHIVE}/web/{timestamp}/{URL}", timestamp, days, direction)
    # The order rows come in does not matter.
    shuffled = list(captures)
    random.Random(3).shuffle(shuffled)
    assert choose_capture(reversed(shuffled), CITED, archive_url=ARCHIVE, url=URL) == chosen


_STAMPS = st.builds(
    lambda day, seconds: f"{day:%Y%m%d}{seconds // 3600:02d}{seconds // 60 % 60:02d}{seconds % 60:02d}",
    st.dates(min_value=date(1996, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=86399),
)
_CAPTURES = st.lists(
    st.builds(cap, _STAMPS, st.sampled_from([200, 203, 206, 301, 302, 304, 403, 404, 410, 500, 503, None])),
    max_size=30,
)


@given(captures=_CAPTURES, cited=st.dates(min_value=date(1996, 1, 1), max_value=date(2030, 12, 31)))
def test_choice_property(captures: list[Capture], cited: date) -> None:
    chosen = choose_capture(captures, cited, archive_url=ARCHIVE, url=URL)
    good = [c for c in captures if c.status in (200, 203, 206)]
    end = f"{cited:%Y%m%d}235959"
    before = [c.timestamp for c in good if c.timestamp <= end]
    after = [c.timestamp for c in good if c.timestamp > end]
    if not good:
        assert chosen is None
        return
    assert chosen is not None
    if before:
        assert (chosen.timestamp, chosen.direction) == (max(before), ArchiveDirection.BEFORE)
    else:
        assert (chosen.timestamp, chosen.direction) == (min(after), ArchiveDirection.AFTER)
    captured = date(int(chosen.timestamp[:4]), int(chosen.timestamp[4:6]), int(chosen.timestamp[6:8]))
    assert chosen.distance_days == abs((captured - cited).days)
    assert chosen.url == f"{ARCHIVE}/web/{chosen.timestamp}/{URL}"


def test_queries_ask_for_one_row_each_side() -> None:
    before = before_query(URL, date(2021, 12, 31))
    assert before == {
        "url": URL,
        "output": "json",
        "fl": "timestamp,original,statuscode,mimetype",
        "filter": "statuscode:200|203|206",
        "to": "20211231",
        "limit": "-1",
    }
    after = after_query(URL, date(2021, 12, 31))
    assert (after["from"], after["limit"], after["filter"]) == ("20220101", "1", before["filter"])
    assert "to" not in after
    assert after_query(URL, date(2024, 2, 28))["from"] == "20240229"


def test_snapshot_urls() -> None:
    copy = ArchivedCopy(
        snapshot_url(ARCHIVE + "/", "20211220101010", URL), "20211220101010", 11, ArchiveDirection.BEFORE
    )
    assert copy.url == f"{ARCHIVE}/web/20211220101010/{URL}"
    assert copy.raw_url == f"{ARCHIVE}/web/20211220101010id_/{URL}"
    assert snapshot_url(ARCHIVE, "20211220101010", URL, "id_") == copy.raw_url
