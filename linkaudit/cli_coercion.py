"""Typer's option values coerced without pydantic, for the simple types linkaudit's options have.

Typer (0.29) turns every option's value into its Python type through a pydantic `TypeAdapter`, built on
first use: importing pydantic and building an adapter per option cost more than the rest of start-up
together (~0.1-0.2 s before any work, for every `extract` or `check`). Here a value of a plain type — a
string, a whole or decimal number written plainly, an enum's exact value, a list of strings — is
converted directly. Any other value or type (including every value typer would reject) takes typer's own
path, built only then, so results and error messages stay typer's word for word.

This module is the one place that touches typer's internals (`typer.core._TyperParameter` and
`typer._coercion`); `install` leaves typer as it is when they are not what it expects, and
tests/test_cli_coercion.py fails loudly when a new typer changes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, get_args, get_origin

__all__ = ["install", "installed"]

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


class _NotPlain(Exception):
    """The value needs typer's own coercion (which also words its errors)."""


def _as_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _NotPlain


def _as_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INT.fullmatch(value):
        return int(value)
    raise _NotPlain


def _as_float(value: Any) -> float:
    if isinstance(value, float):
        return value
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return float(value)
    raise _NotPlain


def _as_member(enum: type[Enum]) -> Callable[[Any], Enum]:
    by_value = {member.value: member for member in enum}

    def convert(value: Any) -> Enum:
        if isinstance(value, enum):
            return value
        if isinstance(value, str) and value in by_value:
            return by_value[value]
        raise _NotPlain

    return convert


def _as_str_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return list(value)
    raise _NotPlain


def _plain_converter(annotation: Any, info: Any) -> Callable[[Any], Any] | None:
    """The direct conversion for an option's annotation, or None when only typer's will do."""
    special = ("parser", "min", "max", "clamp")
    if any(getattr(info, name, None) not in (None, False) for name in special):
        return None
    case_sensitive = getattr(info, "case_sensitive", False)
    if annotation is str:
        return _as_str
    if annotation is int:
        return _as_int
    if annotation is float:
        return _as_float
    if isinstance(annotation, type) and issubclass(annotation, Enum) and case_sensitive:
        return _as_member(annotation)
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        return _as_str_list
    return None


def install() -> bool:
    """Give typer's parameters the direct conversions (once per process); False if typer's internals are
    not the ones this module knows, in which case typer is left to coerce everything itself."""
    try:
        from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param  # noqa: PLC0415
        from typer.core import _TyperParameter  # noqa: PLC0415
    except ImportError:
        return False
    if installed():
        return True

    @dataclass(frozen=True)
    class DirectParam(RuntimeParam):
        """Converts plain values itself; hands any other value to typer's own runtime parameter."""

        descriptor: TypeDescriptor | None = None
        convert: Callable[[Any], Any] | None = None

        def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Any) -> Any:
            if self.convert is not None:
                try:
                    return self.convert(value)
                except _NotPlain:
                    pass
            assert self.descriptor is not None
            return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def get_runtime_param(self: _TyperParameter) -> RuntimeParam:
        if self._runtime_param is None:
            descriptor = self.type_descriptor
            info = descriptor.parameter_info
            convert = (
                _plain_converter(descriptor.annotation, info) if descriptor.file_annotation is None else None
            )
            self._runtime_param = DirectParam(info, descriptor.annotation, descriptor, convert)
        return self._runtime_param

    get_runtime_param._linkaudit = True  # type: ignore[attr-defined]
    _TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign]
    return True


def installed() -> bool:
    """Whether typer's parameters use the direct conversions."""
    try:
        from typer.core import _TyperParameter  # noqa: PLC0415
    except ImportError:
        return False
    return bool(getattr(_TyperParameter.get_runtime_param, "_linkaudit", False))
