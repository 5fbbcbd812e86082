"""`--changed-since REF` in a real git repository made in a temporary folder (git as a subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from clirun import run_linkaudit

from linkaudit.ci.changed import ChangedFilesError, changed_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    # No global configuration: a file that does not exist (not /dev/null, which a test elsewhere may have
    # turned into a regular file with something in it).
    "GIT_CONFIG_GLOBAL": str(Path(__file__).with_name("no-such-gitconfig")),
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> None:
    environment = {**os.environ, **_GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, env=environment, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: four articles; branch `topic` (checked out) renames, edits, adds, deletes, copies."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    body = "".join(f"Line {n} of a long enough article to be recognised when renamed.\n" for n in range(20))
    write(repo / "articles/kept.md", "[a](https://a.example/)\n" + body)
    write(repo / "articles/old-name.md", "[b](https://b.example/)\n" + body)
    write(repo / "articles/edited.md", "[c](https://c.example/)\n" + body)
    write(repo / "articles/deleted.md", "[d](https://d.example/)\n" + body)
    write(repo / ".gitignore", "ignored.md\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    git(repo, "checkout", "-q", "-b", "topic")
    git(repo, "mv", "articles/old-name.md", "articles/new-name.md")
    write(repo / "articles/edited.md", "[c](https://c.example/changed)\n" + body)
    write(repo / "articles/added.md", "[e](https://e.example/)\n")
    git(repo, "rm", "-q", "articles/deleted.md")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "topic")
    # Meanwhile on main: a change the branch does not have must not count as the branch's.
    git(repo, "checkout", "-q", "main")
    write(repo / "articles/kept.md", "[a](https://a.example/moved)\n" + body)
    git(repo, "commit", "-q", "-am", "main moves on")
    git(repo, "checkout", "-q", "topic")
    # Not committed yet: an edit of a tracked file, a new file, and one git ignores.
    write(repo / "articles/wip.md", "[w](https://w.example/)\n")
    write(repo / "articles/ignored.md", "[i](https://i.example/)\n")
    return repo


def test_only_files_added_or_modified_since_the_branch_point(repo: Path) -> None:
    changed = changed_files("main", repo / "articles")
    names = sorted(os.path.relpath(path, repo.resolve()) for path in changed)
    assert names == [
        "articles/added.md",
        "articles/edited.md",
        "articles/new-name.md",  # renamed: followed to its new name, whose relative links moved
        "articles/wip.md",
    ]


def test_extract_and_check_read_only_the_changed_files(repo: Path) -> None:
    done = run_linkaudit(
        "extract", "articles", "-f", "json", "--changed-since", "main", "--no-store", cwd=repo
    )
    assert done.returncode == 0, done.stderr
    files = sorted({link["file"] for link in json.loads(done.stdout)["links"]})
    assert files == ["articles/added.md", "articles/edited.md", "articles/new-name.md", "articles/wip.md"]
    checked = run_linkaudit(
        "check",
        "articles",
        "-f",
        "json",
        "--no-store",
        "--changed-since",
        "HEAD~1",
        "--resolve",
        "*:nxdomain",
        "--retries",
        "0",
        cwd=repo,
    )
    report = json.loads(checked.stdout)
    assert report["summary"]["files"] == 4  # since HEAD~1 (main's start): the same four
    assert report["settings"]["changed_since"] == "HEAD~1"
    assert {entry["url"] for entry in report["urls"]} == {
        "https://b.example/",
        "https://c.example/changed",
        "https://e.example/",
        "https://w.example/",
    }


@pytest.mark.parametrize("ref", ["no-such-branch", "--output=x"])
def test_an_unknown_revision_is_one_line_and_exit_2(repo: Path, ref: str) -> None:
    done = run_linkaudit("extract", "articles", "--changed-since", ref, cwd=repo)
    assert done.returncode == 2
    assert (
        done.stderr == f"linkaudit: error: --changed-since {ref}: unknown revision in {repo.resolve()}\n"
        or (done.stderr == f"linkaudit: error: --changed-since {ref}: unknown revision\n")
    )
    assert not (repo / "x").exists()


def test_outside_a_repository_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    write(tmp_path / "plain/a.md", "[a](https://a.example/)\n")
    done = run_linkaudit(
        "check",
        "plain",
        "--changed-since",
        "main",
        cwd=tmp_path,
        env={"GIT_CEILING_DIRECTORIES": str(tmp_path)},
    )
    assert done.returncode == 2
    assert done.stderr == "linkaudit: error: --changed-since: plain is not in a git repository\n"
    with pytest.raises(ChangedFilesError, match="not in a git repository"):
        changed_files("main", tmp_path / "plain")
