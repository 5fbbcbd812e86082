"""The bundled `examples/articles/`: what extracting them yields is pinned, so the README's quick start
shows what it promises (and a change to the extractor or the articles is a deliberate one)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from linkaudit.extract import collect_inputs, extract_files
from linkaudit.models import LinkKind, Occurrence
from linkaudit.urls import local_path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"

EXPECTED_KINDS = {
    "2021-12-31-biden-putin-call.md": {"link": 8, "image": 2, "reference": 1, "bare": 1},
    "2022-05-29-flood-season.md": {"link": 7, "image": 2, "text-url": 1, "bare": 2},
    "2023-03-15-chip-export-rules.md": {
        "link": 6,
        "image": 1,
        "html-image": 2,
        "reference": 3,
        "bare": 1,
        "autolink": 1,
    },
    "2024-02-08-weekly-transcript.md": {"link": 4, "autolink": 1, "bare": 1, "html-image": 1},
    "README.md": {"link": 6},
}


@pytest.fixture(scope="module")
def by_file() -> dict[str, list[Occurrence]]:
    files, errors = collect_inputs([os.fspath(EXAMPLES)])
    result = extract_files(files, jobs=1)
    assert errors == [] and result.errors == ()
    found: dict[str, list[Occurrence]] = {item.path.name: [] for item in files}
    for occ in result.occurrences:
        found[Path(occ.file).name].append(occ)
    assert not any(occ.template for occ in result.occurrences)  # five files: nothing is a template
    return found


def test_counts_by_kind(by_file: dict[str, list[Occurrence]]) -> None:
    assert {
        name: dict(Counter(o.kind.value for o in found)) for name, found in by_file.items()
    } == EXPECTED_KINDS


def test_the_link_in_the_code_block_is_not_extracted(by_file: dict[str, list[Occurrence]]) -> None:
    article = EXAMPLES / "2021-12-31-biden-putin-call.md"
    assert b"this-is-only-an-example" in article.read_bytes()
    assert not any("this-is-only-an-example" in occ.raw for found in by_file.values() for occ in found)


def test_one_article_is_crlf_and_its_spans_are_exact(by_file: dict[str, list[Occurrence]]) -> None:
    for name, found in by_file.items():
        data = (EXAMPLES / name).read_bytes()
        assert (b"\r\n" in data) == (name == "2021-12-31-biden-putin-call.md")
        for occ in found:
            assert data[occ.start : occ.end].decode("utf-8") == occ.raw


def test_what_the_articles_show(by_file: dict[str, list[Occurrence]]) -> None:
    everything = [occ for found in by_file.values() for occ in found]
    images = [occ for occ in everything if occ.kind.wants_image]
    assert {bool(occ.text) for occ in images} == {True, False}  # with and without alt text
    assert sum(occ.text.startswith(("转载自", "Reprinted from")) for occ in everything) == 4
    assert [occ.raw for occ in everything if occ.kind is LinkKind.TEXT_URL] == [
        "https://www.reuters.com/world/china/heavy-rain-southern-china-2022-05-28/"
    ]
    assert {occ.raw for occ in everything if occ.kind is LinkKind.BARE} >= {
        "https://www.nmc.cn/publish/observations/precipitation-24h.html",  # glued to 图片来源, ended at ，
        "www.mwr.gov.cn",  # glued to 见, ended at ）
    }
    # Footers, and the way back to the index page from every article.
    for name, found in by_file.items():
        if name != "README.md":
            assert any(o.raw == "README.md" for o in found), name
            assert "https://sakura-press.org/about/" in {o.raw for o in found} or "transcript" in name


def test_local_links_point_at_the_example_files(by_file: dict[str, list[Occurrence]]) -> None:
    local = [occ for found in by_file.values() for occ in found if occ.target.is_local]
    missing = sorted({local_path(occ.target).name for occ in local if not local_path(occ.target).exists()})
    assert missing == ["2024-02-01-weekly-transcript.md"]  # a deliberately dead local link
    assert len(local) == 11
