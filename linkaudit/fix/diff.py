"""A unified diff of one rewritten file, for the dry run: what `--write` would change.

Lines are split where the file ends them (LF, CRLF or a lone CR) and compared with their endings, so a
CRLF file shows only the lines that changed. A CRLF line keeps its CR in the diff (`git apply` and
`patch` then reproduce the file); a line ended by a lone CR is shown ended by LF, which a terminal can
display (such a diff is for reading). The text is decoded, whatever the file's encoding.
"""

from __future__ import annotations

import difflib
import re

__all__ = ["render_diff"]

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_NO_NEWLINE = "\\ No newline at end of file\n"


def _lines(text: str) -> list[str]:
    return [line[:-1] + "\n" if line.endswith("\r") else line for line in _LINE.findall(text)]


def render_diff(file: str, before: str, after: str, *, context: int = 3) -> str:
    """The unified diff from `before` to `after`, labelled `a/FILE` and `b/FILE` (empty if they are equal)."""
    out: list[str] = []
    for line in difflib.unified_diff(
        _lines(before), _lines(after), fromfile=f"a/{file}", tofile=f"b/{file}", n=context
    ):
        out.append(line)
        if not line.endswith("\n"):  # the file's last line, without an ending
            out.append("\n" + _NO_NEWLINE)
    return "".join(out)
