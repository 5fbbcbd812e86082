"""Evidence as the store keeps it: compact JSON, relative to the URL checked, and back.

Compact, because a store keeps every check of every URL: a field is written only when it differs from its
default, the fields every check has under short keys, and the URL checked not at all (the check row names
it): any text equal to it (a final URL, an attempt's URL) is written as `0`. Two more things are left out
so that repeated checks of an unchanged URL give the same JSON, kept once: when the check was made (the
check row says it) and how long each attempt took. `wi` records whether the probe wanted an image (it
then reads the body), since a result gathered without that cannot stand for an image citation.

Generic over the models' dataclasses (by their type hints), so a field the models gain is kept and given
back without a change here; a round-trip test over every field holds it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from enum import Enum
from typing import Any

from linkaudit import models
from linkaudit.models import Attempt, ErrorKind, Evidence

__all__ = ["EvidenceFormatError", "decode_evidence", "encode_evidence"]

#: Short keys for the fields nearly every check has (the others keep their names).
_SHORT = {
    "status": "s",
    "error": "e",
    "detail": "d",
    "final_url": "f",
    "redirects": "r",
    "attempts": "a",
    "content_type": "ct",
    "is_image": "img",
    "challenge": "ch",
    "retry_after": "ra",
    "short_circuited": "sc",
    "fingerprint": "fp",
    "extra": "x",
    "method": "m",
    "url": "u",
}
_LEFT_OUT = {(Evidence, "url"), (Evidence, "checked_at"), (Attempt, "elapsed_ms")}


class EvidenceFormatError(ValueError):
    """Stored evidence this version cannot read back (written by a newer linkaudit, or damaged)."""


def _encode(value: object, url: str) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return 0 if value == url else value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encode_fields(value, url)
    if isinstance(value, (tuple, list)):
        return [_encode(item, url) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_encode(item, url) for item in value), key=str)
    if isinstance(value, dict):
        return {str(key): _encode(item, url) for key, item in sorted(value.items())}
    raise TypeError(f"cannot store a {type(value).__name__} in evidence")


def _encode_fields(instance: Any, url: str) -> dict[str, object]:
    kind = type(instance)
    item: dict[str, object] = {}
    for field in dataclasses.fields(instance):
        if (kind, field.name) in _LEFT_OUT:
            continue
        value = getattr(instance, field.name)
        if field.default is not dataclasses.MISSING and value == field.default:
            continue
        if field.default_factory is not dataclasses.MISSING and value == field.default_factory():
            continue
        item[_SHORT.get(field.name, field.name)] = _encode(value, url)
    return item


def encode_evidence(evidence: Evidence, *, wants_image: bool) -> str:
    """The compact JSON of `evidence` (deterministic: equal evidence gives equal text)."""
    item = _encode_fields(evidence, evidence.url)
    if wants_image:
        item["wi"] = True
    body = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    if not body.isascii():
        try:
            body.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates (a name with undecodable bytes): as JSON escapes
            body = json.dumps(item, separators=(",", ":"))
    return body


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind, vars(models))


def _decode(value: Any, hint: Any, url: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        arms = [arm for arm in typing.get_args(hint) if arm is not type(None)]
        return _decode(value, arms[0], url)
    if hint is str:
        return url if value == 0 else str(value)
    if hint is float:
        return float(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            if hint is ErrorKind:  # a kind a newer linkaudit wrote: still an error
                return ErrorKind.OTHER
            raise EvidenceFormatError(f"unknown {hint.__name__} {value!r}") from None
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode_fields(hint, value, url)
    if origin is tuple:
        return tuple(_decode(item, typing.get_args(hint)[0], url) for item in value)
    if origin is frozenset:
        return frozenset(_decode(item, typing.get_args(hint)[0], url) for item in value)
    if origin is dict:
        return {key: _decode(item, typing.get_args(hint)[1], url) for key, item in value.items()}
    return value


def _decode_fields(kind: type, item: dict[str, Any], url: str, given: dict[str, Any] | None = None) -> Any:
    hints = _hints(kind)
    values: dict[str, Any] = dict(given or {})
    for field in dataclasses.fields(kind):
        key = _SHORT.get(field.name, field.name)
        if key in item:
            values[field.name] = _decode(item[key], hints[field.name], url)
    try:
        return kind(**values)
    except TypeError as exc:  # a field this version requires and the store lacks
        raise EvidenceFormatError(str(exc)) from None


def decode_evidence(url: str, body: str, checked_at: str) -> tuple[Evidence, bool]:
    """What `encode_evidence` wrote for `url` (checked at `checked_at`), and whether it wanted an image.

    Raises `EvidenceFormatError` for evidence this version cannot read.
    """
    try:
        item = json.loads(body)
    except ValueError as exc:
        raise EvidenceFormatError(str(exc)) from None
    if not isinstance(item, dict):
        raise EvidenceFormatError("not an object")
    try:
        evidence = _decode_fields(Evidence, item, url, {"url": url, "checked_at": checked_at})
    except (TypeError, AttributeError, IndexError) as exc:
        raise EvidenceFormatError(str(exc)) from None
    return evidence, bool(item.get("wi", False))
