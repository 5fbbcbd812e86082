"""`--changed-since REF`: the files git says were added or modified since a revision.

For a pull request, "since `origin/main`" means since the branch left it: the diff is taken from the merge
base of REF and HEAD to the working tree (`git diff --name-status -M`), so commits that landed on main
meanwhile are not counted as the branch's, while edits not committed yet are. Untracked files that git
does not ignore count as added. A renamed or copied file is kept under its new name, even unchanged: its
relative links now resolve from somewhere else. Deleted files are not there to check.

git runs as a subprocess (no library binds it as faithfully); a folder outside a repository, an unknown
REF or a missing git is a `ChangedFilesError` whose message is one line.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["ChangedFilesError", "changed_files", "check_revision"]

# Added, copied, modified, renamed, type changed: what is there now and may cite something new.
_KEPT = frozenset("ACMRT")


class ChangedFilesError(Exception):
    """git cannot say what changed; the message is one line."""


def check_revision(ref: str) -> None:
    """Raise ValueError unless `ref` has the form of a git revision: something, not an option of git's,
    no control characters (whether it names a commit, only the repository can say)."""
    if not ref.strip() or ref.startswith("-") or any(ord(char) < 32 or ord(char) == 127 for char in ref):
        raise ValueError(f"{ref!r}: expected a git revision (a branch, a tag or a commit, like origin/main)")


def _git(folder: Path, *args: str, origin: str = "--changed-since") -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "-c", "core.quotepath=off", *args],
            capture_output=True,
            check=False,
            timeout=120,
        )
    except FileNotFoundError:
        raise ChangedFilesError(f"{origin} needs git, which is not installed (or not on PATH)") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ChangedFilesError(f"{origin}: cannot run git: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ChangedFilesError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout.decode("utf-8", "surrogateescape")


def changed_files(
    ref: str, folder: str | os.PathLike[str] = ".", *, origin: str = "--changed-since"
) -> frozenset[str]:
    """The real paths of the files added or modified since `ref` in the repository holding `folder`.

    `origin` names where `ref` came from in messages: the option, or a configuration file's key."""
    where = Path(folder)
    where = where if where.is_dir() else where.parent
    try:
        top = Path(_git(where, "rev-parse", "--show-toplevel", origin=origin).strip())
    except ChangedFilesError:
        raise ChangedFilesError(f"{origin}: {where} is not in a git repository") from None
    if ref.startswith("-"):  # an option to git, not a revision
        raise ChangedFilesError(f"{origin} {ref}: unknown revision")
    try:
        _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", origin=origin)
    except ChangedFilesError:
        raise ChangedFilesError(f"{origin} {ref}: unknown revision in {top}") from None
    try:
        base = _git(top, "merge-base", ref, "HEAD").strip()
    except ChangedFilesError:  # unrelated histories, or no commit yet: compare with REF itself
        base = ref
    listed = _git(top, "diff", "--name-status", "-z", "-M", "--no-ext-diff", base, "--").split("\0")
    paths: set[Path] = set()
    fields = iter(field for field in listed if field)
    for status in fields:
        if status[0] in "RC":
            next(fields, None)  # the old name
        name = next(fields, None)
        if name is not None and status[0] in _KEPT:
            paths.add(top / name)
    untracked = _git(top, "ls-files", "-z", "--others", "--exclude-standard")
    paths.update(top / name for name in untracked.split("\0") if name)
    return frozenset(os.path.realpath(path) for path in paths)
