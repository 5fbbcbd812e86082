"""Writers for `linkaudit extract`: text for people, json/jsonl for machines (`linkaudit.extract/1`).

The json format ends with `"errors"` (files that could not be read) and `"warnings"` (files read with a
flaw, whose links are listed: undecodable bytes read as U+FFFD, with line and column).
"""

from __future__ import annotations

import codecs
import functools
import json
import os
from collections.abc import Callable, Iterator
from typing import TextIO, assert_never

from linkaudit.extract import ExtractResult
from linkaudit.extract.pool import JSONL_PROBES, jsonl_line, packed_lines
from linkaudit.jsontext import escape_invisible
from linkaudit.models import FileWarning, Occurrence, TargetStatus
from linkaudit.report import ExtractFormat
from linkaudit.report.serialize import error_dict, occurrence_dict, warning_dict
from linkaudit.report.text import printable

__all__ = ["EXTRACT_SCHEMA", "ExtractFormat", "write_extract"]

EXTRACT_SCHEMA = "linkaudit.extract/1"


def _dumps(value: object) -> str:
    return escape_invisible(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


@functools.cache
def _fast_lines_agree() -> bool:
    """Whether `jsonl_line` still writes exactly what `occurrence_dict` defines (the contract may grow)."""
    return all(jsonl_line(probe) == _dumps(occurrence_dict(probe)) for probe in JSONL_PROBES)


def _line_writer() -> Callable[[Occurrence], str]:
    return jsonl_line if _fast_lines_agree() else lambda occ: _dumps(occurrence_dict(occ))


def _packed_chunks(result: ExtractResult) -> Iterator[bytes] | None:
    packed = packed_lines(result)
    return packed.jsonl_chunks() if packed is not None and _fast_lines_agree() else None


def _byte_sink(out: TextIO) -> Callable[[bytes], object]:
    """Where UTF-8 bytes can go as they are: the stream's buffer, if it writes UTF-8 and "\\n" unchanged."""
    buffer = getattr(out, "buffer", None)
    try:
        utf8 = codecs.lookup(out.encoding).name == "utf-8"
    except (AttributeError, LookupError, TypeError):
        utf8 = False
    if buffer is not None and utf8 and os.linesep == "\n":
        out.flush()
        return buffer.write  # type: ignore[no-any-return]
    return lambda chunk: out.write(chunk.decode("utf-8"))


def write_extract(result: ExtractResult, fmt: ExtractFormat, out: TextIO) -> None:
    """Stream the result, one link at a time, so memory does not grow with the output."""
    if fmt is not ExtractFormat.TEXT:
        chunks = _packed_chunks(result)
        if chunks is not None:
            _write_packed(result, fmt, chunks, out)
            return
    line = _line_writer()
    if fmt is ExtractFormat.TEXT:
        for occ in result.occurrences:
            # For a terminal: file names and destinations as written may hold escape sequences.
            shown = printable(occ.target.url if occ.target.status is TargetStatus.OK else occ.raw)
            target = occ.target
            note = ""
            if target.status is not TargetStatus.OK:
                why = f"{target.reason}: {target.detail}" if target.detail else str(target.reason)
                note = f"  [{target.status}: {printable(why)}]"
            fold = "  [template]" if occ.template else ""
            out.write(
                f"{printable(occ.file)}:{occ.line}:{occ.column}  {occ.kind}  {shown}  {_dumps(occ.text)}"
                f"{note}{fold}\n"
            )
    elif fmt is ExtractFormat.JSONL:
        for occ in result.occurrences:
            out.write(line(occ))
            out.write("\n")
    elif fmt is ExtractFormat.JSON:
        out.write(f'{{"schema":"{EXTRACT_SCHEMA}","files":{result.files},"links":[')
        for i, occ in enumerate(result.occurrences):
            out.write(",\n" if i else "\n")
            out.write(line(occ))
        _write_problems(result, out)
    else:
        assert_never(fmt)


def _write_packed(result: ExtractResult, fmt: ExtractFormat, chunks: Iterator[bytes], out: TextIO) -> None:
    """The JSON lines the workers wrote, as they are (jsonl) or comma-joined (json): no objects built."""
    if fmt is ExtractFormat.JSONL:
        write = _byte_sink(out)
        for chunk in chunks:
            write(chunk)
        out.flush()
        return
    out.write(f'{{"schema":"{EXTRACT_SCHEMA}","files":{result.files},"links":[')
    write = _byte_sink(out)
    first = True
    for chunk in chunks:
        if chunk:
            write((b"\n" if first else b",\n") + chunk[:-1].replace(b"\n", b",\n"))
            first = False
    _write_problems(result, out)


def _write_problems(result: ExtractResult, out: TextIO) -> None:
    """The end of the json format: the links' list closed, then the files' problems."""
    errors = [error_dict(e) for e in result.errors if not isinstance(e, FileWarning)]
    warnings = [warning_dict(e) for e in result.errors if isinstance(e, FileWarning)]
    out.write('\n],"errors":')
    out.write(_dumps(errors))
    out.write(',"warnings":')
    out.write(_dumps(warnings))
    out.write("}\n")
