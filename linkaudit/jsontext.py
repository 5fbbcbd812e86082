"""JSON text that stays inert wherever it is pasted: an HTML page, a pull-request comment, a terminal.

JSON allows any character but `"`, `\\` and C0 controls raw inside strings, and `json.dumps(...,
ensure_ascii=False)` writes them so. Articles and servers control much of what a report holds, and some
characters act on whatever displays them: bidi controls (U+202E turns `gnp.exe` into `exe.png` on screen),
C1 controls (U+009B is a terminal's CSI), DEL, and U+2028/U+2029 (line breaks to JavaScript before ES2019).
They are written as `\\uXXXX` escapes: the JSON parses back to exactly the same strings. So are lone
surrogates: a file name with bytes that are not UTF-8 reaches us with them (Python's `surrogateescape`),
no UTF-8 file can hold them, and escaped they read back to the name, whose bytes `os.fsencode` gives.

Lives below every stage, since extraction writes JSON lines in its worker processes.
"""

from __future__ import annotations

import re
from json.encoder import encode_basestring  # the encoder json.dumps(ensure_ascii=False) uses

__all__ = ["escape_invisible", "json_string"]

# DEL and C1 controls, and the Bidi_Control characters (ALM, LRM, RLM, LRE…RLO, LRI…PDI), and the
# line and paragraph separators; lone surrogates (see above).
_INVISIBLE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_invisible(json_text: str) -> str:
    """`json_text` (JSON as `json.dumps` wrote it) with those characters as `\\uXXXX` escapes.

    Only valid where the characters can stand only inside strings, which holds for any JSON text: outside
    strings, JSON allows nothing but ASCII punctuation, literals, numbers and whitespace.
    """
    if (json_text.isascii() and "\x7f" not in json_text) or _INVISIBLE.search(json_text) is None:
        return json_text  # the usual text: scans in C, nothing built
    return _INVISIBLE.sub(_escape, json_text)


def json_string(text: str) -> str:
    """`text` as a JSON string literal, as `json.dumps(text, ensure_ascii=False)` writes it, made inert."""
    return escape_invisible(encode_basestring(text))
