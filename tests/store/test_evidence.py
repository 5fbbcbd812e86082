"""Stored evidence gives every field back (whatever fields the models gain), compact and deterministic."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from enum import Enum
from typing import Any

import pytest

from linkaudit import models
from linkaudit.models import Attempt, ErrorKind, Evidence, Hop
from linkaudit.store.evidence import EvidenceFormatError, decode_evidence, encode_evidence

URL = "https://news.example/story?id=1"


def sample(hint: Any, name: str) -> Any:
    """A value of type `hint` that no field has as its default (built from the type alone)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return sample(next(arm for arm in typing.get_args(hint) if arm is not type(None)), name)
    if hint is str:
        return f'{name} ✓ "quoted"'
    if hint is bool:
        return True
    if hint is int:
        return 7
    if hint is float:
        return 2.5
    if isinstance(hint, type) and issubclass(hint, Enum):
        return list(hint)[-1]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint, vars(models))
        return hint(**{f.name: sample(hints[f.name], f.name) for f in dataclasses.fields(hint)})
    if origin is tuple:
        return (sample(typing.get_args(hint)[0], name), sample(typing.get_args(hint)[0], name + "2"))
    if origin is frozenset:
        return frozenset({sample(typing.get_args(hint)[0], name), "other"})
    if origin is dict:
        return {"key": sample(typing.get_args(hint)[1], name)}
    raise AssertionError(f"no sample for {hint!r}: teach this test the new field type")


def full_evidence() -> Evidence:
    evidence: Evidence = sample(Evidence, "evidence")
    # What the store leaves out on purpose: the URL (the check row's), when, how long each attempt took.
    return dataclasses.replace(
        evidence,
        url=URL,
        checked_at="2025-03-01T00:00:00Z",
        attempts=tuple(dataclasses.replace(attempt, elapsed_ms=0) for attempt in evidence.attempts),
    )


def test_every_field_comes_back() -> None:
    evidence = full_evidence()
    for field in dataclasses.fields(Evidence):
        default = field.default if field.default is not dataclasses.MISSING else None
        if field.name not in ("url", "checked_at"):
            assert getattr(evidence, field.name) not in (default, (), {}), field.name
    body = encode_evidence(evidence, wants_image=True)
    assert decode_evidence(URL, body, "2025-03-01T00:00:00Z") == (evidence, True)


def test_timing_and_time_are_left_out_so_repeated_checks_give_the_same_text() -> None:
    first = Evidence(
        URL, status=200, attempts=(Attempt("HEAD", URL, 200, elapsed_ms=31, connected=True),), checked_at="a"
    )
    again = dataclasses.replace(
        first, attempts=(dataclasses.replace(first.attempts[0], elapsed_ms=87),), checked_at="b"
    )
    assert encode_evidence(first, wants_image=False) == encode_evidence(again, wants_image=False)


def test_compact_and_relative_to_the_url() -> None:
    evidence = Evidence(
        URL,
        status=200,
        final_url="https://news.example/new",
        redirects=(Hop(URL, 301),),
        attempts=(Attempt("HEAD", URL, 301), Attempt("HEAD", "https://news.example/new", 200)),
    )
    body = encode_evidence(evidence, wants_image=False)
    assert URL not in body
    assert json.loads(body) == {
        "s": 200,
        "f": "https://news.example/new",
        "r": [{"u": 0, "s": 301}],
        "a": [{"m": "HEAD", "u": 0, "s": 301}, {"m": "HEAD", "u": "https://news.example/new", "s": 200}],
    }
    assert decode_evidence(URL, body, "") == (evidence, False)
    # The same answer for another URL is the same text: kept once.
    assert encode_evidence(Evidence(URL, status=404), wants_image=False) == encode_evidence(
        Evidence("https://other.example/", status=404), wants_image=False
    )


def test_an_error_kind_from_a_newer_version_is_still_an_error() -> None:
    evidence, _ = decode_evidence(URL, '{"e":"quantum-foam"}', "")
    assert evidence.error is ErrorKind.OTHER


@pytest.mark.parametrize("body", ["not json", "[1]", '{"s":200,"r":[{"s":301}]}'])
def test_unreadable_evidence_is_an_error_of_its_own(body: str) -> None:
    with pytest.raises(EvidenceFormatError):
        decode_evidence(URL, body, "")
