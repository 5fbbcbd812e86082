"""A real git repository in a test's folder, for the tests that `linkaudit fix`'s diff is what `git apply`
takes. The machine's and the user's git configuration stay out (an `autocrlf` there would change what
the working tree holds), so the repository is as `git init` makes it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(folder: Path, *args: str, patch: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS` in `folder`, with `patch` on stdin; its exit code is for the test to judge."""
    isolated = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    identity = dict.fromkeys(("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"), "linkaudit test")
    identity |= dict.fromkeys(("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"), "test@example.invalid")
    return subprocess.run(
        ["git", *args],
        cwd=folder,
        input=patch,
        capture_output=True,
        check=False,
        env={**os.environ, **isolated, **identity},
        timeout=60,
    )


def commit_all(folder: Path) -> None:
    """Make `folder` a git repository with everything in it committed, as an audited site would be."""
    for args in (("init", "-q", "."), ("add", "-A"), ("commit", "-q", "-m", "articles")):
        done = git(folder, *args)
        assert done.returncode == 0, done.stderr.decode(errors="replace")


def git_apply(folder: Path, patch: bytes) -> None:
    """`git apply` the patch in `folder`, as the README says (all of it or nothing: git checks each file
    first); a CR before an LF is trailing whitespace to git, which it warns of and keeps."""
    done = git(folder, "apply", "-", patch=patch)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
