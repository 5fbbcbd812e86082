"""The published JSON Schemas (2020-12) of linkaudit's JSON contracts, shipped inside the package.

`linkaudit.extract/1` (`extract --format json`; each `jsonl` line is its `#/$defs/link`),
`linkaudit.report/1` (`check --format json`), `linkaudit.history/1` (`history URL --format json`) and
`linkaudit.diff/1` (`diff OLD NEW --format json`). Consumers validate with any JSON Schema
library; the contracts only grow, so the schemas require what is always there and allow fields they do not
list.
"""

from __future__ import annotations

import json
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

__all__ = ["SCHEMA_FILES", "load_schema", "schema_file"]

SCHEMA_FILES = {
    "linkaudit.extract/1": "extract-1.json",
    "linkaudit.report/1": "report-1.json",
    "linkaudit.history/1": "history-1.json",
    "linkaudit.diff/1": "diff-1.json",
}


def schema_file(name: str) -> Traversable:
    """The schema file of a contract (`linkaudit.report/1`); `KeyError` for a contract not published."""
    return files(__name__) / SCHEMA_FILES[name]


def load_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_file(name).read_text(encoding="utf-8"))
    return schema
