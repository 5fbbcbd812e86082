"""The typer application, usage errors, and how a run stops (SIGINT, SIGTERM, a closed stdout)."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import stat
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from linkaudit import __version__, _trio_compat, _typer_compat

if TYPE_CHECKING:
    from types import FrameType


_typer_compat.install()  # option values without pydantic: see the module

VERSION_LINE = f"linkaudit {__version__}"
EXIT_CODES = (
    "Exit codes: 0 nothing failing, 1 failing links or unreadable articles (see --fail-on), 2 usage or "
    "configuration error, 130 interrupted, 143 terminated."
)

app = typer.Typer(
    name="linkaudit",
    help=f"Audit the links and images that articles cite: find link rot, with the evidence.\n\n{EXIT_CODES}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(VERSION_LINE)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Audit the links and images that articles cite: find link rot, with the evidence."""


def fail_usage(message: str) -> typer.Exit:
    typer.echo(f"linkaudit: error: {message}", err=True)
    return typer.Exit(2)


_WHOLE = "a whole number"
_SECONDS = "a finite number of seconds"


#: Each number option's valid range: (minimum, whether the value must be above it, the value in words).
NUMBER_RANGES: dict[str, tuple[float, bool, str]] = {
    "--timeout": (0, True, _SECONDS),
    "--retries": (0, False, _WHOLE),
    "--concurrency": (1, False, _WHOLE),
    "--max-redirects": (0, False, _WHOLE),
    "--max-retry-wait": (0, False, _SECONDS),
    "--url-budget": (0, True, _SECONDS),
    "--max-file-size": (1, False, "a number of bytes"),
    "--jobs": (1, False, _WHOLE),
    "--store-wait": (0, False, _SECONDS),
}


def _require(
    option: str, value: float | None, minimum: float, *, above: bool = False, what: str = _WHOLE
) -> None:
    """A usage error naming the option and its valid range unless `value` is finite and >= (> if `above`)."""
    if value is None or (math.isfinite(value) and (value > minimum if above else value >= minimum)):
        return
    raise fail_usage(f"{option} {value:g}: must be {what} {'>' if above else '>='} {minimum:g}")


def _require_range(option: str, value: float | None) -> None:
    """`_require` with the option's range from `NUMBER_RANGES`."""
    minimum, above, what = NUMBER_RANGES[option]
    _require(option, value, minimum, above=above, what=what)


def _require_extraction(max_file_size: int, jobs: int | None) -> None:
    _require_range("--max-file-size", max_file_size)
    _require_range("--jobs", jobs)


class _Stop:
    """SIGTERM stops a run as Ctrl-C does (a partial report, children ended); the exit code tells which."""

    def __init__(self) -> None:
        self.terminated = False

    def on_terminate(self, signum: int, frame: FrameType | None) -> None:
        self.terminated = True
        interrupt = signal.getsignal(signal.SIGINT)
        if callable(interrupt):
            # Whatever Ctrl-C would do at this point: during the check, trio's handler, which raises
            # KeyboardInterrupt where trio can unwind safely; elsewhere Python's, which raises it here.
            interrupt(signal.SIGINT, frame)
        # Ctrl-C is ignored (a background job of a script), and SIGTERM must still stop the run: during
        # the check (trio then has no handler of its own) as trio's handler would, elsewhere here.
        elif not _trio_compat.deliver_interrupt():
            raise KeyboardInterrupt

    @property
    def exit_code(self) -> int:
        return 143 if self.terminated else 130

    @contextlib.contextmanager
    def handling_terminate(self) -> Iterator[None]:
        try:
            previous = signal.signal(signal.SIGTERM, self.on_terminate)
        except ValueError:  # not the main thread: signals are not ours to take
            yield
            return
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)


_STOP = _Stop()


def _stdout_gone() -> None:
    """The reader of stdout went away (`| head`): the rest of the output goes nowhere, quietly.

    Standard error goes too when it is the same pipe (`2>&1 | head`): nobody reads it any more.
    """
    with contextlib.suppress(OSError, ValueError):
        fd = sys.stdout.fileno()
        targets = [fd]
        with contextlib.suppress(OSError, ValueError):
            out, err = os.fstat(fd), os.fstat(sys.stderr.fileno())
            if (out.st_dev, out.st_ino) == (err.st_dev, err.st_ino) and stat.S_ISFIFO(out.st_mode):
                targets.append(sys.stderr.fileno())
        devnull = os.open(os.devnull, os.O_WRONLY)
        for target in targets:
            os.dup2(devnull, target)
        os.close(devnull)


def _file_of(stream: object) -> tuple[int, int] | None:
    """What an output stream writes to (device, inode), if it is a file descriptor."""
    try:
        info = os.fstat(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _same_file(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is None or b is None or a == b
