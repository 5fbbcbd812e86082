"""Template links: a URL cited in at least 20% of the files and in at least 20 files (footers, "back to
index", share buttons) is marked `template`, so reports can fold it. It is never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkaudit.extract import collect_inputs, extract_files, mark_templates
from linkaudit.models import LinkKind, Occurrence, Target, TargetStatus

FOOTER = "\n- [ROL Foundation](https://rolfoundation.example/)\n- [返回](README.md)\n"


def occurrence(url: str, file: int, status: TargetStatus = TargetStatus.OK) -> Occurrence:
    return Occurrence(f"a/{file}.md", 1, 1, 0, len(url), LinkKind.LINK, url, Target(url, status))


def cited_in(url: str, files: int, status: TargetStatus = TargetStatus.OK) -> list[Occurrence]:
    return [occurrence(url, n, status) for n in range(files)]


@pytest.mark.parametrize(
    ("in_files", "of_files", "template"),
    [
        (20, 100, True),  # exactly 20% and 20 files
        (19, 95, False),  # 20% but 19 files
        (20, 101, False),  # 20 files but under 20%
        (40, 200, True),
        (39, 200, False),
        (25, 25, True),
    ],
)
def test_threshold_is_both_share_and_count(in_files: int, of_files: int, template: bool) -> None:
    marked = mark_templates(cited_in("https://footer.example/", in_files), of_files)
    assert len(marked) == in_files
    assert {o.template for o in marked} == {template}


def test_counted_per_file_not_per_citation() -> None:
    many_in_one_file = [occurrence("https://often.example/", 0) for _ in range(500)]
    assert not any(o.template for o in mark_templates(many_in_one_file, 20))


def test_only_checkable_targets_are_folded() -> None:
    skipped = cited_in("mailto:news@a.example", 30, TargetStatus.SKIPPED)
    invalid = cited_in("hhttps://a.example/", 30, TargetStatus.INVALID)
    assert not any(o.template for o in mark_templates(skipped + invalid, 30))


def test_thresholds_are_settings() -> None:
    occurrences = cited_in("https://x.example/", 3)
    assert all(o.template for o in mark_templates(occurrences, 10, share=0.3, min_files=3))
    assert not any(o.template for o in mark_templates(occurrences, 10, share=0.31, min_files=3))


def test_footers_of_a_real_run_are_marked_and_kept(tmp_path: Path) -> None:
    for n in range(24):
        body = f"# 文章 {n}\n\n据[来源](https://news.example/{n})消息。\n" + (FOOTER if n < 21 else "")
        (tmp_path / f"{n:02}.md").write_text(body, encoding="utf-8")
    files, _ = collect_inputs([str(tmp_path)])
    result = extract_files(files, jobs=1)
    assert len(result.occurrences) == 24 + 21 * 2
    templates = {o.target.url for o in result.occurrences if o.template}
    assert templates == {"https://rolfoundation.example/", (tmp_path / "README.md").as_uri()}
    assert not any(o.template for o in result.occurrences if "news.example" in o.target.url)
