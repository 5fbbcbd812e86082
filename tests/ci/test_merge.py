"""`merge_reports`: one run's full set of shards becomes its report; anything else is refused in one line."""

from __future__ import annotations

import pytest
from report.builders import cite, http_result, report_of

from linkaudit.ci.merge import MergeError, merge_reports
from linkaudit.ci.shard import Shard, parse_shard, shard_index
from linkaudit.models import AuditReport, FileError, Target, Verdict


def shard(index: int, count: int, *urls: str, **settings: object) -> AuditReport:
    results = [http_result(url, Verdict.DEAD, "http-404", cite(url), status=404) for url in urls]
    return report_of(
        *results,
        files=4,
        errors=(FileError("articles/bad.md", "not UTF-8"),),
        settings={"retries": 3, "shard": f"{index}/{count}", "store": f"/ci/{index}.sqlite", **settings},
    )


def test_shards_merge_into_one_report_sorted_as_a_run_sorts() -> None:
    merged = merge_reports(
        [
            ("b.json", shard(2, 2, "http://b.example/1")),
            ("a.json", shard(1, 2, "http://a.example/1", "http://c.example/")),
        ]
    )
    assert [r.target.url for r in merged.results] == [
        "http://a.example/1",
        "http://b.example/1",
        "http://c.example/",
    ]
    assert merged.files == 4
    assert merged.links == 3
    assert merged.errors == (FileError("articles/bad.md", "not UTF-8"),)  # every shard saw it: once
    assert "shard" not in merged.settings
    assert merged.settings["retries"] == 3


@pytest.mark.parametrize(
    ("reports", "message"),
    [
        ([("1.json", shard(1, 3)), ("2.json", shard(2, 3))], "incomplete set of shards: missing 3/3"),
        ([("1.json", shard(1, 2)), ("again.json", shard(1, 2))], "again.json: shard 1/2 again (also 1.json)"),
        ([("1.json", shard(1, 2)), ("2.json", shard(2, 3))], "2.json: shard 2/3, but 1.json is one of 2"),
        (
            [("1.json", shard(1, 2)), ("2.json", shard(2, 2, retries=0))],
            "2.json: made with other settings than 1.json (retries)",
        ),
        ([("full.json", report_of())], "full.json: not a shard's report (made without --shard I/N)"),
        (
            [("1.json", shard(1, 2, "http://a.example/")), ("2.json", shard(2, 2, "http://a.example/"))],
            "2.json: http://a.example/ is also in 1.json: not shards of one run",
        ),
    ],
)
def test_what_is_not_one_runs_shards_is_refused(reports: list[tuple[str, AuditReport]], message: str) -> None:
    with pytest.raises(MergeError) as caught:
        merge_reports(reports)
    assert str(caught.value) == message


def test_a_shard_is_chosen_by_a_stable_hash_of_the_host() -> None:
    # Fixed values: Python's own hash is salted per process, and shards on other machines must agree.
    assert shard_index(Target("http://daily-news.example/a"), 3) == 2
    assert shard_index(Target("http://daily-news.example/b?x=1"), 3) == 2
    assert shard_index(Target("https://old-press.example/"), 3) == 1
    counts = [0, 0, 0, 0]
    for number in range(4000):
        counts[shard_index(Target(f"http://host{number}.example/"), 4) - 1] += 1
    assert min(counts) > 900  # spread evenly


def test_a_target_without_host_is_placed_by_its_url() -> None:
    local = Target("file:///articles/img/a.png")
    assert local.host == ""
    assert shard_index(local, 5) == shard_index(Target("file:///articles/img/a.png"), 5)
    assert Shard(2, 5).keeps(cite("file:///articles/img/a.png")) == (shard_index(local, 5) == 2)


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", ""])
def test_a_bad_shard_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="I/N"):
        parse_shard(text)


def test_a_shard_reads_as_written() -> None:
    assert str(parse_shard(" 2/3 ")) == "2/3"
