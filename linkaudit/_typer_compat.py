"""typer's internals that the CLI relies on, fenced in this one module (typer 0.29, pinned).

Usage errors. linkaudit says a usage error in one line on stderr (`linkaudit: error: ... (see: linkaudit
check --help)`), never typer's panel. So `cli.main` runs the app with `standalone_mode=False` and reads the
exception itself, which means knowing typer's vendored click (`typer._click`): its usage errors carry the
context (`ctx.command_path`) and a one-line `format_message()`, and a bare command raises
`NoArgsIsHelpError`, whose `show()` prints the help. typer itself tells that one apart by class name
(without importing it), and so do we. A bad option value's message comes from pydantic (below): it is
reworded to name the option and what it must be, without "Value error,". Public hooks that do not replace
this: `rich_markup_mode=None` only swaps the panel for click's three lines; `pretty_exceptions_*` is about
tracebacks of the program's own errors; a Typer has no error callback.

Option values without pydantic. typer turns every option's value into its Python type through a pydantic
`TypeAdapter`, built on first use: importing pydantic and building an adapter per option cost more than
the rest of start-up together (~0.1-0.2 s before any work, for every `extract` or `check`). `install`
converts a value of a plain type — a string, a whole or decimal number written plainly, an enum's exact
value, a list of strings — directly. Any other value or type (including every value typer would reject)
takes typer's own path, built only then, so results and error messages stay typer's word for word. It
touches `typer.core._TyperParameter` and `typer._coercion`, and leaves typer as it is when they are not
what it expects.

tests/test_typer_compat.py and tests/test_cli_startup.py fail by name if a new typer changes any of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, get_args, get_origin

from typer import TyperException

__all__ = ["UsageProblem", "install", "installed", "usage_problem"]


@dataclass(frozen=True, slots=True)
class UsageProblem:
    """A usage error as the CLI reports it."""

    exit_code: int
    #: The error in one line (whitespace collapsed).
    message: str
    #: The command it is about, e.g. "linkaudit check": where its --help is.
    command: str
    #: For a bare command (no arguments), what prints its help instead of an error line.
    show_help: Callable[[], None] | None = None


def usage_problem(exc: TyperException, *, program: str = "linkaudit") -> UsageProblem:
    """Read what typer's exception says: exit code, message, command, and whether it is a bare command."""
    exit_code = int(getattr(exc, "exit_code", 2))
    ctx = getattr(exc, "ctx", None)
    command = str(getattr(ctx, "command_path", program)) if ctx is not None else program
    show = getattr(exc, "show", None)
    bare = type(exc).__name__ == "NoArgsIsHelpError" and callable(show)
    return UsageProblem(exit_code, _message(exc), command, show if bare else None)


# A bad option value takes typer's own coercion (see `install`), which words its errors through pydantic,
# not for people: "Value error, 'x' is not one of 'terminal', 'json'.", "Input should be a valid integer".
_NOT_ONE_OF = re.compile(r"(?:Value error, )?'(.*)' is not one of (.*?)\.?")
_NOT_A_NUMBER = {
    "Input should be a valid integer": "a whole number",
    "Input should be a valid number": "a number",
}


def _message(exc: TyperException) -> str:
    """One line: for a bad option value, the option, the value and what it must be; else typer's message."""
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    opts = getattr(getattr(exc, "param", None), "opts", None)
    detail = str(getattr(exc, "message", ""))
    if opts:
        choices = _NOT_ONE_OF.fullmatch(detail)
        if choices is not None:
            allowed = ", ".join(part.strip().strip("'") for part in choices.group(2).split(","))
            return f"{opts[0]} {choices.group(1)!r}: choose one of {allowed}"
        for phrase, what in _NOT_A_NUMBER.items():
            if detail.startswith(phrase):
                return f"{opts[0]}: must be {what}"
    return " ".join(message.replace("Value error, ", "").split())


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
