"""The dry run's diff in its two forms. The patch (`render_patch`): the file's own bytes, which `git apply`
(and `patch -p1`, for a text patch) turns into exactly the bytes `--write` writes, in every encoding and
line ending the fixer keeps, a git binary patch for UTF-16. The readable view (`render_diff`): decoded
text, a/ and b/ labels, only the changed lines of a CRLF or CR file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from gitrepo import commit_all, git, git_apply, needs_git

from linkaudit.fix import FixOutcome, render_diff, render_patch

from .support import ENCODINGS, NEWLINES, PROSE, encode, fix_folder

OLD = "http://old.example/x"
NEW = "https://web.archive.org/web/2020/http://old.example/x"
LINES = ["# 標題", "", "一", "二", f"見[新聞]({OLD})。", "三", "四", "五", "六", f"<{OLD}>", "七"]


def test_equal_texts_give_no_diff() -> None:
    assert render_diff("a.md", "x\r\ny", "x\r\ny") == ""


def test_crlf_lines_keep_their_endings_and_only_changed_lines_show() -> None:
    before = "\r\n".join(LINES) + "\r\n"
    after = before.replace(f"({OLD})", f"({NEW})")
    diff = render_diff("docs/a.md", before, after)
    assert diff.startswith("--- a/docs/a.md\n+++ b/docs/a.md\n@@ -2,7 +2,7 @@\n")
    assert f"-見[新聞]({OLD})。\r\n+見[新聞]({NEW})。\r\n" in diff
    changed = [line for line in diff.split("\n") if line[:1] in ("+", "-") and line[:3] not in ("---", "+++")]
    assert changed == [
        f"-見[新聞]({OLD})。\r",
        f"+見[新聞]({NEW})。\r",
    ]


def test_lone_cr_lines_are_shown_one_per_line() -> None:
    before = "\r".join(LINES)
    after = before.replace(f"<{OLD}>", f"<{NEW}>")
    diff = render_diff("a.md", before, after)
    assert "\r" not in diff
    assert f"-<{OLD}>\n+<{NEW}>\n 七\n\\ No newline at end of file\n" in diff


def test_a_last_line_without_an_ending_is_marked() -> None:
    diff = render_diff("a.md", f"a\n[x]({OLD})", f"a\n[x]({NEW})")
    marker = "\\ No newline at end of file\n"
    assert diff.endswith(f"-[x]({OLD})\n{marker}+[x]({NEW})\n{marker}")


def test_a_utf16_file_is_diffed_as_text(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(encode("\n".join(LINES) + "\n", "utf-16-le", "\r\n"))
    _, _, dry = fix_folder(tmp_path, {OLD: NEW}, write=False)
    assert f"+見[新聞]({NEW})。\r\n" in dry.diff and f"+<{NEW}>\r\n" in dry.diff


# Line 1 is in the first hunk's context (where a BOM is), the two edits far enough apart for two hunks.
ARTICLE = [f"# {PROSE}", f"見[新聞]({OLD})。", "一", "二", "三", "四", "五", "六", "七", f"<{OLD}>", "八"]


def article(encoding: str, newline: str, *, final: bool = True) -> bytes:
    return encode("\n".join(ARTICLE) + ("\n" if final else ""), encoding, newline)


def relabelled(outcome: FixOutcome, folder: Path) -> bytes:
    """The dry run's patch with each file named from `folder`, where it is applied (as the CLI's are)."""
    patch = outcome.patch
    for fix in outcome.files:
        relative = os.fsencode(fix.path.relative_to(folder))
        for side in (b"a/", b"b/"):
            patch = patch.replace(side + os.fsencode(fix.file), side + relative)
    return patch


@needs_git
@pytest.mark.parametrize("newline", list(NEWLINES))
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_git_apply_reproduces_the_write(tmp_path: Path, encoding: str, newline: str) -> None:
    original = {
        "a.md": article(encoding, NEWLINES[newline]),
        "b.md": article(encoding, NEWLINES[newline], final=False),
    }
    work = tmp_path / "work"
    work.mkdir()
    for name, data in original.items():
        (work / name).write_bytes(data)
    commit_all(work)
    _, _, dry = fix_folder(work, {OLD: NEW}, write=False)
    patch = relabelled(dry, work)
    assert (b"GIT binary patch\n" in patch) == encoding.startswith("utf-16")
    applied = shutil.copytree(work, tmp_path / "applied")
    git_apply(applied, patch)
    fix_folder(work, {OLD: NEW}, write=True)
    for name, before in original.items():
        written = (work / name).read_bytes()
        assert written != before
        assert (applied / name).read_bytes() == written, name
    # And back: the reverse of each hunk, or the binary patch's second literal, gives the original.
    reverted = git(applied, "apply", "-R", "-", patch=patch)
    assert reverted.returncode == 0, reverted.stderr
    assert {name: (applied / name).read_bytes() for name in original} == original
    if b"GIT binary patch" not in patch and shutil.which("patch"):  # a text patch is for `patch` too
        patched = tmp_path / "patched"
        patched.mkdir()
        for name, before in original.items():
            (patched / name).write_bytes(before)
        done = subprocess.run(
            ["patch", "-p1", "-s"], cwd=patched, input=patch, capture_output=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert {name: (patched / name).read_bytes() for name in original} == {
            name: (work / name).read_bytes() for name in original
        }


def test_a_bom_stays_on_line_one_and_crlf_on_every_line() -> None:
    before = article("utf-8-bom", "\r\n")
    after = before.replace(OLD.encode(), NEW.encode(), 1)
    patch = render_patch("a.md", before, after, encoding="utf-8")
    assert patch.startswith(b"--- a/a.md\n+++ b/a.md\n@@ -1,5 +1,5 @@\n \xef\xbb\xbf# ")
    assert f"-見[新聞]({OLD})。\r\n+見[新聞]({NEW})。\r\n".encode() in patch


def test_a_legacy_encoding_is_patched_in_its_own_bytes() -> None:
    before = article("big5", "\n")
    after = before.replace(OLD.encode(), NEW.encode(), 1)
    patch = render_patch("a.md", before, after, encoding="big5")
    assert f"+見[新聞]({NEW})。\n".encode("big5") in patch
    assert "見".encode() not in patch


def test_a_lone_cr_file_is_one_line_as_git_sees_it() -> None:
    before = article("utf-8", "\r", final=False)
    after = before.replace(OLD.encode(), NEW.encode())
    patch = render_patch("a.md", before, after, encoding="utf-8")
    assert patch == b"--- a/a.md\n+++ b/a.md\n@@ -1 +1 @@\n-%s\n%s+%s\n%s" % (
        before,
        b"\\ No newline at end of file\n",
        after,
        b"\\ No newline at end of file\n",
    )


def test_equal_bytes_give_no_patch() -> None:
    assert render_patch("a.md", b"x\r\n", b"x\r\n", encoding="utf-16-le") == b""


@needs_git
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-be"])
def test_a_name_git_would_quote(tmp_path: Path, encoding: str) -> None:
    """A tab, a quote or a backslash in a name is C-quoted as git does, in a text or a binary patch."""
    name = 'say "hi"\\to\tme.md'
    before = article(encoding, "\n")
    codec = ENCODINGS[encoding][0]
    after = before.replace(OLD.encode(codec), NEW.encode(codec))
    (tmp_path / name).write_bytes(before)
    commit_all(tmp_path)
    patch = render_patch(name, before, after, encoding=encoding)
    quoted = b'"a/say \\"hi\\"\\\\to\\tme.md"'
    assert patch.startswith(b"diff --git " + quoted if codec == "utf-16-be" else b"--- " + quoted)
    git_apply(tmp_path, patch)
    assert (tmp_path / name).read_bytes() == after


@needs_git
def test_nul_bytes_make_a_binary_patch(tmp_path: Path) -> None:
    """git diff calls a file with a NUL byte binary, and so does the patch (no NUL reaches a pager)."""
    before, after = b"a\0b\n[x](OLD)\n", b"a\0b\n[x](NEW)\n"
    (tmp_path / "a.md").write_bytes(before)
    commit_all(tmp_path)
    patch = render_patch("a.md", before, after, encoding="utf-8")
    assert b"GIT binary patch\nliteral 13\n" in patch
    git_apply(tmp_path, patch)
    assert (tmp_path / "a.md").read_bytes() == after


@needs_git
def test_a_binary_patch_names_an_executable_files_mode(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(article("utf-16-le", "\r\n"))
    (tmp_path / "a.md").chmod(0o755)
    commit_all(tmp_path)
    _, _, dry = fix_folder(tmp_path, {OLD: NEW}, write=False)
    patch = relabelled(dry, tmp_path)
    assert b" 100755\nGIT binary patch\n" in patch
    applied = git(tmp_path, "apply", "-", patch=patch)
    assert applied.returncode == 0 and applied.stderr == b""  # no "has type 100755, expected 100644"
