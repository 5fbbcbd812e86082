"""The dry run's diff of one rewritten file, in two forms: a patch for `git apply`, a view for reading.

`render_patch` is what `linkaudit fix r.json | git apply` needs: the file's own bytes, never decoded
and encoded again, so the patch reproduces exactly what `--write` writes. Its lines are split where git
splits them, after each LF byte: a CRLF line keeps its CR, a UTF-8 BOM stays on line 1, and a file whose
lines end in lone CRs is, to git as to this diff, one line (`git diff` shows it so, and `git apply` and
`patch` apply it). A file `git diff` would call binary gets a git binary patch instead: UTF-16 and
UTF-32, whose lines are no lines of bytes (an LF is `0A 00`), and any file holding a NUL byte, which
no pager or mail should get. It carries the whole new file (and the old, for `git apply -R`), deflated
and base85-encoded, with the blob ids `git apply` checks the file against before and after.

`render_diff` is for a terminal: the text decoded whatever the encoding, lines split where the file
ends them (LF, CRLF or a lone CR), a lone CR shown as a line break, a CRLF line keeping its CR.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import os
import re
import zlib
from collections.abc import Iterable

__all__ = ["render_diff", "render_patch"]

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# A line as git sees one: up to and with an LF byte (a file's bytes read as Latin-1, one character each).
_GIT_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
_NO_NEWLINE = "\\ No newline at end of file\n"
# Encodings whose text git cannot see as lines of bytes: a line break is two or four bytes, one a NUL.
_WIDE = ("utf-16", "utf-32")
# How git quotes a byte in a path (`quote_c_style`); other control bytes in octal. Bytes at or above 0x80,
# which git also quotes by default (`core.quotePath`), `git apply` and `patch` read as they are.
_ESCAPES = dict(zip(b'\a\b\t\n\v\f\r"\\', rb"\a \b \t \n \v \f \r \" \\".split(), strict=True))
# A git binary patch line holds up to 52 bytes, their count in its first character (A-Z 1-26, a-z 27-52).
_BINARY_LINE = 52


def _lines(text: str) -> list[str]:
    return [line[:-1] + "\n" if line.endswith("\r") else line for line in _LINE.findall(text)]


def _marked(lines: Iterable[str]) -> str:
    """The diff's lines, the file's last line (one without an ending) followed by git's marker."""
    out: list[str] = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n" + _NO_NEWLINE)
    return "".join(out)


def render_diff(file: str, before: str, after: str, *, context: int = 3) -> str:
    """The unified diff from `before` to `after`, labelled `a/FILE` and `b/FILE` (empty if they are equal)."""
    return _marked(
        difflib.unified_diff(
            _lines(before), _lines(after), fromfile=f"a/{file}", tofile=f"b/{file}", n=context
        )
    )


def _path(prefix: bytes, name: bytes) -> bytes:
    """`prefix` + `name` as git writes a path in a patch: C-quoted if it holds a control byte, `"` or `\\`."""
    path = prefix + name
    if not any(byte < 0x20 or byte == 0x7F or byte in _ESCAPES for byte in path):
        return path
    quoted = (
        _ESCAPES.get(byte) or (b"\\%03o" % byte if byte < 0x20 or byte == 0x7F else bytes([byte]))
        for byte in path
    )
    return b'"' + b"".join(quoted) + b'"'


def _blob_id(data: bytes) -> bytes:
    """The id git gives `data` as a blob, which a binary patch's index line must name in full."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest().encode()


def _literal(data: bytes) -> bytes:
    """One side of a git binary patch: `literal SIZE`, `data` deflated in base85 lines, a blank line."""
    deflated = zlib.compress(data)
    out = [b"literal %d\n" % len(data)]
    for at in range(0, len(deflated), _BINARY_LINE):
        chunk = deflated[at : at + _BINARY_LINE]
        count = len(chunk) + ord("A") - 1 if len(chunk) <= 26 else len(chunk) - 26 + ord("a") - 1
        out.append(bytes([count]) + base64.b85encode(chunk, pad=True) + b"\n")
    out.append(b"\n")
    return b"".join(out)


def _binary_patch(name: bytes, before: bytes, after: bytes, executable: bool) -> bytes:
    mode = b"100755" if executable else b"100644"
    return b"".join(
        [
            b"diff --git %s %s\n" % (_path(b"a/", name), _path(b"b/", name)),
            b"index %s..%s %s\n" % (_blob_id(before), _blob_id(after), mode),
            b"GIT binary patch\n",
            _literal(after),
            _literal(before),  # the reverse, for `git apply -R`
        ]
    )


def render_patch(
    file: str, before: bytes, after: bytes, *, encoding: str, executable: bool = False, context: int = 3
) -> bytes:
    """The patch that turns `before` into `after` under `git apply` (empty if they are equal).

    `file` is the path from the folder the patch is applied in (`a/FILE`, `b/FILE`); `encoding` is the
    file's, telling a text patch of its bytes from a binary one; `executable` gives a binary patch's mode.
    """
    if before == after:
        return b""
    name = os.fsencode(file)
    if encoding.startswith(_WIDE) or b"\0" in before or b"\0" in after:
        return _binary_patch(name, before, after, executable)
    # difflib compares text: Latin-1 reads each byte as one character, and writes it back unchanged.
    lines = difflib.unified_diff(
        _GIT_LINE.findall(before.decode("latin-1")),
        _GIT_LINE.findall(after.decode("latin-1")),
        fromfile=_path(b"a/", name).decode("latin-1"),
        tofile=_path(b"b/", name).decode("latin-1"),
        n=context,
    )
    return _marked(lines).encode("latin-1")
