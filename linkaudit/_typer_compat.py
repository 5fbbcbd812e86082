"""What the CLI needs to know about typer's usage errors, in one place, because typer offers no hook for it.

linkaudit says a usage error in one line on stderr (`linkaudit: error: ... (see: linkaudit check --help)`),
never typer's panel. So `cli.main` runs the app with `standalone_mode=False` and reads the exception
itself, which means knowing typer's vendored click (`typer._click`, pinned): its usage errors carry the
context (`ctx.command_path`) and a one-line `format_message()`, and a bare command raises
`NoArgsIsHelpError`, whose `show()` prints the help. typer itself tells that one apart by class name
(without importing it), and so do we. tests/test_typer_compat.py fails by name if a version changes any
of it.

Public hooks that do not replace this (typer 0.29): `rich_markup_mode=None` only swaps the panel for
click's three lines (usage, hint, "Error: ..."); `pretty_exceptions_*` is about tracebacks of the
program's own errors, not usage errors; a Typer has no error callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from typer import TyperException

__all__ = ["UsageProblem", "usage_problem"]


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
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    show = getattr(exc, "show", None)
    bare = type(exc).__name__ == "NoArgsIsHelpError" and callable(show)
    return UsageProblem(exit_code, " ".join(message.split()), command, show if bare else None)
