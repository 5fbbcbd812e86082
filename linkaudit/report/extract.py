"""Writers for `linkaudit extract`: text for people, json/jsonl for machines (`linkaudit.extract/1`)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TextIO, assert_never

from linkaudit.extract import ExtractResult
from linkaudit.models import TargetStatus
from linkaudit.report.serialize import error_dict, occurrence_dict

__all__ = ["EXTRACT_SCHEMA", "ExtractFormat", "write_extract"]

EXTRACT_SCHEMA = "linkaudit.extract/1"


class ExtractFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_extract(result: ExtractResult, fmt: ExtractFormat, out: TextIO) -> None:
    """Stream the result, one link at a time, so memory does not grow with the output."""
    if fmt is ExtractFormat.TEXT:
        for occ in result.occurrences:
            shown = occ.target.url if occ.target.status is TargetStatus.OK else occ.raw
            note = "" if occ.target.status is TargetStatus.OK else f"  [{occ.target.status}: {occ.target.reason}]"
            fold = "  [template]" if occ.template else ""
            out.write(f"{occ.file}:{occ.line}:{occ.column}  {occ.kind}  {shown}  {_dumps(occ.text)}{note}{fold}\n")
    elif fmt is ExtractFormat.JSONL:
        for occ in result.occurrences:
            out.write(_dumps(occurrence_dict(occ)))
            out.write("\n")
    elif fmt is ExtractFormat.JSON:
        out.write(f'{{"schema":"{EXTRACT_SCHEMA}","files":{result.files},"links":[')
        for i, occ in enumerate(result.occurrences):
            out.write(",\n" if i else "\n")
            out.write(_dumps(occurrence_dict(occ)))
        out.write('\n],"errors":')
        out.write(_dumps([error_dict(error) for error in result.errors]))
        out.write("}\n")
    else:
        assert_never(fmt)
