"""The published JSON Schemas: shipped with the package, valid, and strict where the contract is."""

from __future__ import annotations

import copy
import fnmatch
import io
import tomllib
from pathlib import Path
from typing import Any

import pytest
from contracts import assert_valid_extract_line, assert_valid_report, parse_report
from jsonschema import Draft202012Validator

from linkaudit.ci.diff_report import DIFF_SCHEMA
from linkaudit.models import FindingKind
from linkaudit.report.extract import EXTRACT_SCHEMA
from linkaudit.report.history import HISTORY_SCHEMA
from linkaudit.report.json import REPORT_SCHEMA, write_json_report
from linkaudit.schemas import SCHEMA_FILES, load_schema, schema_file

from .builders import every_verdict, report_of

ROOT = Path(__file__).resolve().parents[2]


def test_a_schema_for_each_json_contract() -> None:
    assert set(SCHEMA_FILES) == {EXTRACT_SCHEMA, REPORT_SCHEMA, HISTORY_SCHEMA, DIFF_SCHEMA}
    for name in SCHEMA_FILES:
        schema = load_schema(name)
        Draft202012Validator.check_schema(schema)
        assert schema["title"] == name
        assert schema["properties"]["schema"] == {"const": name}


def test_the_schema_files_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["linkaudit"]
    for name in SCHEMA_FILES:
        relative = Path(str(schema_file(name))).relative_to(ROOT / "linkaudit").as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative


def _report() -> dict[str, Any]:
    out = io.StringIO()
    write_json_report(report_of(*every_verdict()), out)
    return parse_report(out.getvalue())


def _fails(document: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        assert_valid_report(document)


def test_a_sentence_as_reason_is_rejected() -> None:
    document = _report()
    document["urls"][0]["reason"] = "misspelt scheme 'htp'"
    _fails(document)


def test_a_missing_key_is_rejected() -> None:
    for key in ("verdict", "occurrences", "attempts"):
        document = _report()
        del document["urls"][0][key]
        _fails(document)
    document = _report()
    del document["summary"]["by_verdict"]["dead"]
    _fails(document)


def test_fields_a_later_version_adds_are_allowed() -> None:
    document = _report()
    grown = copy.deepcopy(document)
    grown["pending"] = ["https://a.example/"]
    grown["urls"][0]["mirror"] = {"url": "https://mirror.example/a.example/"}
    grown["urls"][0]["occurrences"][0]["findings"] = []
    grown["summary"]["by_verdict"]["new-verdict"] = 0
    assert_valid_report(grown)


def test_an_extract_line_needs_its_location() -> None:
    line = {
        "url": "https://a.example/",
        "raw": "https://a.example/",
        "kind": "bare",
        "text": "",
        "file": "a.md",
        "line": 1,
        "column": 1,
        "start": 0,
        "end": 18,
        "template": False,
        "status": "ok",
    }
    assert_valid_extract_line(line)
    with pytest.raises(AssertionError):
        assert_valid_extract_line({**line, "line": 0})
    with pytest.raises(AssertionError):
        assert_valid_extract_line({key: value for key, value in line.items() if key != "file"})


def test_the_report_schema_names_every_finding_kind() -> None:
    schema = load_schema("linkaudit.report/1")
    described = schema["$defs"]["finding"]["properties"]["kind"]["description"]
    assert described.removesuffix(" (more may be added).").split(", ") == [kind.value for kind in FindingKind]
