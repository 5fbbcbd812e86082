"""`linkaudit demo` as a user runs it, in-process: article names and the closing line, whatever the install.

Installed from a wheel, the demo articles live deep in site-packages; the test puts a copy of them there
(in a temporary folder laid out like a virtual environment) and runs the demo from an unrelated folder.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from contracts import parse_report

import linkaudit.demo
from linkaudit.cli import main
from linkaudit.demo import DEMO_EXPECTED, demo_articles, demo_name


@pytest.fixture
def installed_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The articles where a wheel puts them; the current folder a project of the user's."""
    package = tmp_path / "venv/lib/python3.11/site-packages/linkaudit/demo"
    shutil.copytree(demo_articles(), package / "articles")
    monkeypatch.setattr(linkaudit.demo, "demo_articles", lambda: package / "articles")
    project = tmp_path / "work" / "project"
    project.mkdir(parents=True)
    monkeypatch.chdir(project)
    return project


def test_demo_names_articles_demo_articles_and_counts_what_its_summary_counts(
    installed_elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["demo", "--format", "json", "--output", "demo.json"])
    assert done.value.code == 0
    report = parse_report((installed_elsewhere / "demo.json").read_text(encoding="utf-8"))
    files = {place["file"] for entry in report["urls"] for place in entry["occurrences"]}
    assert files == {f"demo/articles/{path.name}" for path in demo_articles().glob("*.md")}
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:  # the terminal report, on stdout
        main(["demo"])
    assert done.value.code == 0
    out, err = capsys.readouterr()
    headings = re.findall(r"^(\S+\.md)  \(", out, flags=re.MULTILINE)
    assert headings and all(heading.startswith("demo/articles/") for heading in headings)
    assert "site-packages" not in out + err

    # The closing line says what its numbers count, and they add up to the summary's distinct URLs.
    summary = re.search(r"(\d+) distinct URLs", out)
    assert summary is not None
    distinct = int(summary.group(1))
    assert distinct == len(report["urls"])
    closing = err.strip().splitlines()[-1]
    web = len(DEMO_EXPECTED)
    match = re.match(
        rf"demo: {web} of {web} web URLs got their verdicts as the simulated web knows them; "
        r"the other (\d+) of the (\d+) distinct URLs were judged without the web \(1 invalid, 1 skipped\)",
        closing,
    )
    assert match is not None, closing
    assert (int(match.group(1)), int(match.group(2))) == (distinct - web, distinct)


def test_a_demo_article_is_named_from_the_demo_package_wherever_that_is(
    installed_elsewhere: Path,
) -> None:
    article = linkaudit.demo.demo_articles() / "linjiang-flood.md"
    assert demo_name(article) == "demo/articles/linjiang-flood.md"
    assert demo_name(Path("..") / ".." / article.relative_to(installed_elsewhere.parent.parent)) == (
        "demo/articles/linjiang-flood.md"
    )
