"""Every kind of citation rewritten, in every encoding and line ending, compared byte for byte.

Each case is an article before and after, with the replacements asked for. It is written in UTF-8
(with and without BOM), GB18030, Big5 and UTF-16 (both byte orders, with BOM), with LF, CRLF and
lone-CR line endings, after a paragraph of Chinese prose (which lets a legacy encoding be recognized);
the fix runs on the real files (extract, plan, write) and the result must be exactly `after`, encoded
the same way, and pass the rewrite properties of `support.check_rewrite`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from .support import ENCODINGS, NEWLINES, PROSE, check_rewrite, encode, fix_folder

OLD = "http://old.example/x"
NEW = "https://web.archive.org/web/20200101000000/http://old.example/x"


@dataclass(frozen=True)
class Case:
    name: str
    suffix: str
    before: str
    replacements: dict[str, str]
    after: str
    after_big5: str | None = None  # when Big5 cannot write a character of the new URL
    citations: int = 1


CASES = [
    Case("inline", "md", f"見[新聞]({OLD})。\n", {OLD: NEW}, f"見[新聞]({NEW})。\n"),
    Case("inline-title", "md", f'[a]({OLD} "標題") 完\n', {OLD: NEW}, f'[a]({NEW} "標題") 完\n'),
    Case("image", "md", "![圖](http://old.example/i)\n", {"http://old.example/i": NEW}, f"![圖]({NEW})\n"),
    Case(
        "angle-destination",
        "md",
        "[a](<http://old.example/x y> '標題')\n",
        {"http://old.example/x%20y": "https://new.example/a b(c"},
        "[a](<https://new.example/a%20b(c> '標題')\n",
    ),
    Case(
        "unbalanced-parenthesis",
        "md",
        f"[a]({OLD})\n",
        {OLD: "https://new.example/a(b"},
        "[a](https://new.example/a\\(b)\n",
    ),
    Case(
        "reference-with-uses",
        "md",
        f'[r] 與 [文][r] 與 ![r]\n\n> [r]: {OLD} "標題"\n',
        {OLD: "https://new.example/y?a=1&copy;"},
        '[r] 與 [文][r] 與 ![r]\n\n> [r]: https://new.example/y?a=1\\&copy; "標題"\n',
        citations=3,
    ),
    Case(
        "reference-in-angle-brackets",
        "md",
        f"[文][r]\n\n[r]: <{OLD}>\n",
        {OLD: "https://new.example/(y"},
        "[文][r]\n\n[r]: <https://new.example/(y>\n",
    ),
    Case("autolink", "md", f"見 <{OLD}> 。\n", {OLD: NEW}, f"見 <{NEW}> 。\n"),
    Case(
        "html-double-quoted",
        "md",
        'x <a href="http://old.example/x?a=1&amp;b=2">文</a>\n',
        {"http://old.example/x?a=1&b=2": 'https://new.example/y?c=1&d="2"'},
        'x <a href="https://new.example/y?c=1&amp;d=%222%22">文</a>\n',
    ),
    Case(
        "html-single-quoted",
        "md",
        "x <img src='http://old.example/i.png' alt='圖'>\n",
        {"http://old.example/i.png": "https://new.example/it's.png"},
        "x <img src='https://new.example/it&#39;s.png' alt='圖'>\n",
    ),
    Case(
        "html-unquoted",
        "html",
        f"<p><a href={OLD}>文</a></p>\n",
        {OLD: "https://new.example/y?a=b&c"},
        "<p><a href=https://new.example/y?a&#61;b&amp;c>文</a></p>\n",
    ),
    Case(
        "html-srcset",
        "html",
        '<img src="http://old.example/a" srcset="http://old.example/a 1x, http://old.example/b 2x">\n',
        {"http://old.example/b": "https://new.example/b,"},
        '<img src="http://old.example/a" srcset="http://old.example/a 1x, https://new.example/b%2C 2x">\n',
    ),
    Case("bare-in-markdown", "md", f"來源：{OLD} 。\n", {OLD: NEW}, f"來源：[{OLD}]({NEW}) 。\n"),
    Case("bare-after-bang", "md", f"好!{OLD} 。\n", {OLD: NEW}, f"好\\![{OLD}]({NEW}) 。\n"),
    Case("bare-in-text", "txt", f"見 {OLD}.\n", {OLD: NEW}, f"見 {NEW}.\n"),
    Case(
        "bare-in-text-delimited",
        "txt",
        "見 http://old.example的報導\n",
        {"http://old.example/": "https://new.example/y"},
        "見 <https://new.example/y>的報導\n",
    ),
    Case(
        "fragment-kept",
        "md",
        f"[a]({OLD}#第二節)\n",
        {OLD: "https://new.example/y"},
        "[a](https://new.example/y#第二節)\n",
    ),
    Case(
        "character-the-encoding-lacks",
        "md",
        f"[a]({OLD})\n",
        {OLD: "https://new.example/图"},
        "[a](https://new.example/图)\n",
        after_big5="[a](https://new.example/%E5%9B%BE)\n",
    ),
]


@pytest.mark.parametrize("newline", list(NEWLINES))
@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_rewrite(case: Case, encoding: str, newline: str, tmp_path: Path) -> None:
    article = tmp_path / f"article.{case.suffix}"
    head = PROSE + "\n\n" if case.suffix != "html" else f"<p>{PROSE}</p>\n"
    before = encode(head + case.before, encoding, NEWLINES[newline])
    article.write_bytes(before)
    _, plan, outcome = fix_folder(tmp_path, case.replacements)
    assert not plan.skipped and not plan.refused and not outcome.skipped
    after = case.after_big5 if encoding == "big5" and case.after_big5 is not None else case.after
    assert article.read_bytes() == encode(head + after, encoding, NEWLINES[newline])
    [file_plan] = plan.files
    assert sum(edit.uses for edit in file_plan.edits) == case.citations
    assert len(file_plan.edits) == 1
    check_rewrite(before, article.read_bytes(), file_plan)


def test_stray_bytes_in_a_utf8_file_are_kept(tmp_path: Path) -> None:
    """A UTF-8 file with a few invalid bytes is read with them kept: the fix writes them back untouched."""
    article = tmp_path / "a.md"
    head = (PROSE * 2 + "\n\n見").encode()  # long enough for two stray bytes to count as a few
    before = head + b"\xff" + f"[a]({OLD}) ".encode() + b"\xfe" + f"!{OLD}\n".encode()
    article.write_bytes(before)
    _, plan, outcome = fix_folder(tmp_path, {OLD: NEW})
    assert not plan.skipped and not plan.refused and not outcome.skipped
    after = head + b"\xff" + f"[a]({NEW}) ".encode() + b"\xfe" + f"\\![{OLD}]({NEW})\n".encode()
    assert article.read_bytes() == after
    check_rewrite(before, after, plan.files[0])
    assert "\ufffd" in outcome.diff  # shown as replacement characters, not raw bytes


def test_a_stray_byte_inside_the_destination_is_no_change_since_the_report(tmp_path: Path) -> None:
    """`raw` shows a stray byte as U+FFFD (as the report does): the fix compares the bytes read that way."""
    article = tmp_path / "a.md"
    before = (PROSE * 2).encode() + b"\n\n[a](http://old.example/\xff) done\n"
    article.write_bytes(before)
    occurrences, plan, outcome = fix_folder(tmp_path, {})
    (cited,) = [occ for occ in occurrences if occ.target.url.startswith("http://old.example/")]
    assert cited.raw == "http://old.example/\ufffd"
    _, plan, outcome = fix_folder(tmp_path, {cited.target.url: NEW})
    assert not plan.skipped and not plan.refused and not outcome.skipped
    assert article.read_bytes() == (PROSE * 2).encode() + f"\n\n[a]({NEW}) done\n".encode()
