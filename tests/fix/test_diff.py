"""The dry run's unified diff: decoded text, a/ and b/ labels, only the changed lines of a CRLF or CR file,
and (for LF and CRLF files) a patch that `git apply` turns into exactly the bytes `--write` writes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from linkaudit.fix import render_diff

from .support import encode, fix_folder

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


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final", [True, False])
def test_git_apply_reproduces_the_write(tmp_path: Path, newline: str, final: bool) -> None:
    text = "\n".join(LINES) + ("\n" if final else "")
    work = tmp_path / "work"
    work.mkdir()
    (work / "a.md").write_bytes(encode(text, "utf-8", newline))
    _, _, dry = fix_folder(work, {OLD: NEW}, write=False)
    patch = tmp_path / "fix.patch"
    patch.write_bytes(
        dry.diff.replace(f"a/{dry.files[0].file}", "a/a.md")
        .replace(f"b/{dry.files[0].file}", "b/a.md")
        .encode()
    )
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "a.md").write_bytes(encode(text, "utf-8", newline))
    subprocess.run(["git", "apply", "--whitespace=nowarn", str(patch)], cwd=copy, check=True)
    fix_folder(work, {OLD: NEW}, write=True)
    assert (copy / "a.md").read_bytes() == (work / "a.md").read_bytes() != encode(text, "utf-8", newline)


def test_a_utf16_file_is_diffed_as_text(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(encode("\n".join(LINES) + "\n", "utf-16-le", "\r\n"))
    _, _, dry = fix_folder(tmp_path, {OLD: NEW}, write=False)
    assert f"+見[新聞]({NEW})。\r\n" in dry.diff and f"+<{NEW}>\r\n" in dry.diff
