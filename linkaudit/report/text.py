"""Text from articles and servers made safe for a terminal: one line, no control or bidi characters.

Its own small module so that `extract`'s plain output can use it without importing rich (start-up).
"""

from __future__ import annotations

__all__ = ["printable"]

_UNPRINTABLE = dict.fromkeys(
    [*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
for _space in "\t\n\v\f\r":
    _UNPRINTABLE[ord(_space)] = ord(" ")
# A lone surrogate (a file name with bytes that are not UTF-8) cannot be written to a UTF-8 terminal.
_UNPRINTABLE.update(dict.fromkeys(range(0xD800, 0xE000), 0xFFFD))


def printable(value: str) -> str:
    """Article text may hold newlines or escape sequences: one line, nothing the terminal would obey."""
    return " ".join(value.translate(_UNPRINTABLE).split())
