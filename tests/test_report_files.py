"""The report's `root` and `files` list: what `fix` needs to trust a file, and each article's citation
date."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

from clirun import news_web, resolve_args, run_linkaudit
from contracts import assert_valid_report


def _articles(folder: Path) -> dict[str, bytes]:
    texts = {
        "dated.md": b"---\ndate: 2021-05-03\n---\n# A\n\n[live](http://news.example/live)\n",
        "sub/dateline.md": "# B\n\n2019\u5e7412\u670831\u65e5\n\n<http://news.example/moved>\n".encode(),
        "plain.md": b"# C\n\nno date here: http://gone.example/x\n",
    }
    for name, data in texts.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    os.utime(folder / "plain.md", (1_600_000_000, 1_600_000_000))  # 2020-09-13 UTC
    return texts


def test_files_list_has_hash_and_citation_date_of_every_article(tmp_path: Path) -> None:
    texts = _articles(tmp_path)
    with news_web() as web:
        run = run_linkaudit("check", ".", "-f", "json", "--no-store", *resolve_args(web), cwd=tmp_path)
    report = json.loads(run.stdout)
    assert_valid_report(report)
    assert report["root"] == str(tmp_path)
    assert report["summary"]["files"] == 3
    by_path = {entry["path"]: entry for entry in report["files"]}
    assert [entry["path"] for entry in report["files"]] == sorted(by_path)
    for name, data in texts.items():
        shown = str(Path(name))
        assert by_path[shown]["sha256"] == hashlib.sha256(data).hexdigest()
    # Every occurrence's file is one of the listed articles, relative to the same root.
    cited = {occ["file"] for url in report["urls"] for occ in url["occurrences"]}
    assert cited <= set(by_path)
    assert (by_path["dated.md"]["cited_at"], by_path["dated.md"]["cited_at_source"]) == (
        "2021-05-03",
        "front-matter",
    )
    dateline = by_path[str(Path("sub/dateline.md"))]
    assert (dateline["cited_at"], dateline["cited_at_source"]) == ("2019-12-31", "dateline")
    plain = by_path["plain.md"]
    assert (plain["cited_at"], plain["cited_at_source"]) == ("2020-09-13", "mtime")


def test_git_date_and_read_back(tmp_path: Path) -> None:
    _articles(tmp_path)
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2018-02-03T10:00:00Z",
        "GIT_COMMITTER_DATE": "2018-02-03T10:00:00Z",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "articles"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, env=env, capture_output=True)
    with news_web() as web:
        run = run_linkaudit(
            "check", ".", "-f", "json", "-o", "r.json", "--no-store", *resolve_args(web), cwd=tmp_path
        )
    assert run.returncode in (0, 1), run.stderr
    first = json.loads((tmp_path / "r.json").read_text())
    plain = next(entry for entry in first["files"] if entry["path"] == "plain.md")
    assert (plain["cited_at"], plain["cited_at_source"]) == ("2018-02-03", "git")
    again = run_linkaudit("report", "r.json", "-f", "json", cwd=tmp_path)
    second = json.loads(again.stdout)
    assert (second["root"], second["files"]) == (first["root"], first["files"])


def test_unreadable_article_is_listed_without_a_hash(tmp_path: Path) -> None:
    from linkaudit.articles import list_articles  # noqa: PLC0415
    from linkaudit.extract.inputs import InputFile  # noqa: PLC0415

    gone = InputFile(tmp_path / "gone.md", "gone.md", tmp_path)
    (listed,) = list_articles([gone], use_git=False)
    assert (listed.path, listed.sha256) == ("gone.md", None)
    assert listed.cited is not None  # a date still: from today, said as mtime
