"""Validate JSON output against the schemas the package publishes (`linkaudit/schemas/*.json`).

Used by every test that reads linkaudit's JSON: a field that drifts from its published schema fails
there, not in a user's pipeline.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from linkaudit.schemas import load_schema

__all__ = [
    "assert_valid_diff",
    "assert_valid_extract",
    "assert_valid_extract_line",
    "assert_valid_history",
    "assert_valid_report",
    "parse_extract",
    "parse_extract_lines",
    "parse_report",
]


@functools.cache
def _validator(name: str, part: str | None = None) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    if part is not None:
        schema = {"$ref": f"#/$defs/{part}", "$defs": schema["$defs"]}
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _assert_valid(validator: Draft202012Validator, document: Any) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def assert_valid_report(document: Any) -> None:
    """`document` (parsed JSON) is a valid `linkaudit.report/1`."""
    _assert_valid(_validator("linkaudit.report/1"), document)


def assert_valid_history(document: Any) -> None:
    """`document` is a valid `linkaudit.history/1` (`history URL --format json`)."""
    _assert_valid(_validator("linkaudit.history/1"), document)


def assert_valid_diff(document: Any) -> None:
    """`document` is a valid `linkaudit.diff/1` (`diff OLD NEW --format json`)."""
    _assert_valid(_validator("linkaudit.diff/1"), document)


def assert_valid_extract(document: Any) -> None:
    """`document` is a valid `linkaudit.extract/1` (`extract --format json`)."""
    _assert_valid(_validator("linkaudit.extract/1"), document)


def assert_valid_extract_line(line: Any) -> None:
    """`line` is one valid link of `linkaudit.extract/1`, as each `--format jsonl` line is."""
    _assert_valid(_validator("linkaudit.extract/1", "link"), line)


def parse_report(text: str) -> dict[str, Any]:
    """Parse a JSON report and check it against the published `linkaudit.report/1` schema."""
    document: dict[str, Any] = json.loads(text)
    assert_valid_report(document)
    return document


def parse_extract(text: str) -> dict[str, Any]:
    """Parse `extract --format json` output and check it against `linkaudit.extract/1`."""
    document: dict[str, Any] = json.loads(text)
    assert_valid_extract(document)
    return document


def parse_extract_lines(text: str) -> list[dict[str, Any]]:
    """Parse `extract --format jsonl` output, checking every line against `linkaudit.extract/1`'s link."""
    lines: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines()]
    for line in lines:
        assert_valid_extract_line(line)
    return lines
