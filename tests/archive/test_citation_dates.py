"""Citation dates of files: what they state, else git's first commit (renames followed), else mtime.

The git tests build a real repository in a temporary folder, with author dates set per commit, a
rename, a move across folders, a delete and re-add, a merge and a file never committed; the batched
walk must give every file what `git log --follow --diff-filter=A` gives it, one process per file.
The real archive sample is read when `../shared/corpus` is present.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from linkaudit.archive.dates import citation_dates, git_added_dates
from linkaudit.models import CitedAtSource

CORPUS = next(
    (p / "shared" / "corpus" for p in Path(__file__).resolve().parents if (p / "shared" / "corpus").is_dir()),
    None,
)
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


class Repo:
    """A git repository in a folder, committing with the author and committer dates it is told."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Editor")
        self.git("config", "user.email", "editor@localhost")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, when: str | None = None) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        if when is not None:
            env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        return subprocess.run(
            ["git", "-C", str(self.root), *args], check=True, capture_output=True, text=True, env=env
        ).stdout

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def move(self, old: str, new: str) -> None:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)

    def commit(self, message: str, when: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, when=when)

    def follow(self, relative: str) -> date | None:
        """What one `git log --follow` process says: the oldest addition along the file's history."""
        out = self.git("log", "--follow", "--diff-filter=A", "--format=%aI", "--", relative).split()
        return datetime.fromisoformat(out[-1]).astimezone(UTC).date() if out else None


def _article(title: str, words: int = 60) -> str:
    # Enough text of its own that git sees a renamed file with a small edit as the same file, and two
    # articles as different files.
    return f"# {title}\n\n" + "\n".join(f"{title} says {n}" for n in range(words)) + "\n"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "archive")


@needs_git
def test_git_dates_follow_renames_and_match_git_log_follow(repo: Repo) -> None:
    # 03:04 at +08:00 is still the day before in UTC.
    repo.write("gnews/a.md", _article("a"))
    repo.write("gnews/b.md", _article("b"))
    repo.commit("first articles", "2020-01-02T03:04:05+08:00")
    repo.write("gnews/a.md", _article("a") + "An edit.\n")
    repo.write("gnews/c.md", _article("c"))
    repo.commit("edit a, add c", "2020-03-01T12:00:00Z")
    repo.move("gnews/a.md", "moved/renamed-a.md")
    repo.write("moved/renamed-a.md", _article("a") + "An edit.\nAnother.\n")
    repo.commit("move a", "2021-05-05T12:00:00Z")
    repo.git("rm", "-q", "gnews/b.md")
    repo.commit("drop b", "2021-06-01T12:00:00Z")
    repo.write("gnews/b.md", _article("b again", 40))
    repo.commit("b back", "2021-07-01T12:00:00Z")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("side/d.md", _article("d"))
    repo.commit("d on a branch", "2021-08-01T12:00:00Z")
    repo.git("checkout", "-q", "main")
    repo.write("gnews/e.md", _article("e"))
    repo.commit("e", "2021-09-01T12:00:00Z")
    repo.git("merge", "-q", "--no-edit", "side", when="2021-10-01T12:00:00Z")
    repo.write("gnews/never-committed.md", _article("new"))

    files = [
        repo.root / relative
        for relative in (
            "moved/renamed-a.md",
            "gnews/b.md",
            "gnews/c.md",
            "side/d.md",
            "gnews/e.md",
            "gnews/never-committed.md",
        )
    ]
    dates = git_added_dates(files)
    assert dates == {
        files[0]: date(2020, 1, 1),  # a's first commit, through its move and edits, in UTC
        files[1]: date(2020, 1, 1),  # deleted and added again: the first addition, as --follow says
        files[2]: date(2020, 3, 1),
        files[3]: date(2021, 8, 1),  # added on a branch, merged later
        files[4]: date(2021, 9, 1),
    }
    for file in files:
        assert dates.get(file) == repo.follow(file.relative_to(repo.root).as_posix()), file


@needs_git
def test_a_copy_is_not_the_file_it_was_copied_from(repo: Repo) -> None:
    # `git log --follow` also follows copies: an article made from another (a template, a translation)
    # would take the older article's date. Only renames carry a file's history here.
    repo.write("a.md", _article("a"))
    repo.commit("a", "2020-01-01T12:00:00Z")
    repo.write("copy.md", _article("a") + "One more line.\n")
    repo.commit("a copy", "2022-02-02T12:00:00Z")
    copy = repo.root / "copy.md"
    assert git_added_dates([copy]) == {copy: date(2022, 2, 2)}
    assert repo.follow("copy.md") == date(2020, 1, 1)


@needs_git
def test_citation_dates_prefer_what_the_file_states(repo: Repo, tmp_path: Path) -> None:
    stated = repo.write(
        "gnews/stated.md", "## 标题\n`8/30/2023 5:09 AM UTC 作者` [轉載自GNews](https://gnews.org/1)\n"
    )
    silent = repo.write("gnews/silent.md", _article("silent"))
    repo.commit("two articles", "2023-09-02T10:00:00Z")
    loose = repo.write("gnews/loose.md", _article("loose"))  # not committed: its mtime
    os.utime(loose, (0, datetime(2024, 2, 29, 23, 0, tzinfo=UTC).timestamp()))
    outside = tmp_path / "outside" / "note.md"
    outside.parent.mkdir()
    outside.write_text(_article("outside"), encoding="utf-8")
    os.utime(outside, (0, datetime(2022, 1, 1, 0, 30, tzinfo=UTC).timestamp()))
    missing = tmp_path / "gone.md"

    dates = citation_dates([stated, silent, loose, outside, missing], today=date(2024, 6, 1))
    assert {key: (d.cited_at, d.source) for key, d in dates.items()} == {
        str(stated): (date(2023, 8, 30), CitedAtSource.DATELINE),
        str(silent): (date(2023, 9, 2), CitedAtSource.GIT),
        str(loose): (date(2024, 2, 29), CitedAtSource.MTIME),
        str(outside): (date(2022, 1, 1), CitedAtSource.MTIME),
        str(missing): (date(2024, 6, 1), CitedAtSource.MTIME),  # unreadable: today, never an exception
    }
    assert citation_dates([silent], use_git=False)[str(silent)].source is CitedAtSource.MTIME
    # Keyed by the names the occurrences carry, when given a mapping.
    named = citation_dates({"gnews/stated.md": stated, "gnews/silent.md": silent}, today=date(2024, 6, 1))
    assert {key: d.source for key, d in named.items()} == {
        "gnews/stated.md": CitedAtSource.DATELINE,
        "gnews/silent.md": CitedAtSource.GIT,
    }

    overridden = citation_dates([stated, silent, outside], override=date(2020, 2, 2))
    assert {d.cited_at for d in overridden.values()} == {date(2020, 2, 2)}
    assert {d.source for d in overridden.values()} == {CitedAtSource.OVERRIDE}


def test_legacy_encodings_and_utf16_are_read(tmp_path: Path) -> None:
    gb = tmp_path / "gb.md"
    gb.write_bytes("## 标题\n\n发布时间：2021年12月31日\n\n正文，文章的内容。\n".encode("gb18030"))
    utf16 = tmp_path / "utf16.md"
    utf16.write_bytes("\ufeff# Title\r\n\r\nDecember 31, 2021\r\n".encode("utf-16-le"))
    long = tmp_path / "long.md"  # the head read ends inside a character: still read
    long.write_text("# 标题\n\n2021年12月31日\n\n" + "很长的文章。" * 20000, encoding="utf-8")
    dates = citation_dates([gb, utf16, long], use_git=False, today=date(2024, 6, 1))
    assert {d.cited_at for d in dates.values()} == {date(2021, 12, 31)}
    assert {d.source for d in dates.values()} == {CitedAtSource.DATELINE}


@pytest.mark.skipif(CORPUS is None, reason="the real archive sample (../shared/corpus) is not present")
def test_real_archive_sample() -> None:
    assert CORPUS is not None
    files = sorted(CORPUS.rglob("*.md"))
    dates = citation_dates(files, use_git=False)
    # Every article with the archive's dateline under its title is dated by it, to the day.
    stamped = 0
    for file in files:
        lines = file.read_text(encoding="utf-8-sig").splitlines()[:8]
        line = next((x for x in lines if x.startswith("`") and " UTC " in x), None)
        if line is None:
            continue
        stamped += 1
        month, day, year = (int(part) for part in line.strip("`").split()[0].split("/"))
        found = dates[str(file)]
        assert (found.cited_at, found.source) == (date(year, month, day), CitedAtSource.DATELINE), file
    assert stamped >= 80
    # The seed article has no dateline: its photo caption's date and the body's "31日" are not one.
    assert dates[str(CORPUS / "seed" / "article.md")].source is CitedAtSource.MTIME
    # A transcript is dated by the broadcast its title leads with, which its file name also holds.
    for file in files:
        found = dates[str(file)]
        if file.parent.parent.parent.name == "transcript" and found.source is CitedAtSource.DATELINE:
            assert f"{found.cited_at:%Y%m%d}" == file.name[:8], file
