"""The command line: typer options in, one library call, output and exit code out.

This is the only module that writes to stdout/stderr or decides exit codes: 0 ok, 1 failing links or
unreadable articles (`--fail-on`), 2 usage or configuration error (or a report that could not be written
where asked), or a run whose results are in doubt (no network, a captive portal), 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM, handled as Ctrl-C is: partial report). A closed stdout (`| head`) ends
the output quietly; the exit code is the run's own.
"""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from linkaudit._typer_compat import usage_problem
from linkaudit.cli import ci, commands, fix, lint, storecmd  # noqa: F401  (registers the commands on `app`)
from linkaudit.cli.app import _STOP, VERSION_LINE, _file_of, _same_file, _stdout_gone, app

# Starting, the CLI imports typer and the option defaults only: each command imports the stages it runs
# (the extractor; the checker with trio and httpx; rich for progress and reports), so that `--version`
# and `--help` start in tens of milliseconds (see benchmarks/startup_bench.py) and `extract` without
# the checker.

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Console entry point: usage errors become one line on stderr (exit 2), never a panel or a traceback.

    SIGTERM is handled as Ctrl-C is. Output to a reader that went away (`| head`) ends quietly, whatever the
    command, with the exit code the run would have had.
    """
    with _STOP.handling_terminate():
        code = _run_app(argv)
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _stdout_gone()
    raise SystemExit(code)


def _run_app(argv: list[str] | None) -> int:
    stdout, stdout_file = sys.stdout, _file_of(sys.stdout)
    try:
        if (sys.argv[1:] if argv is None else argv) in (["--version"], ["-V"]):
            typer.echo(VERSION_LINE)  # before typer builds every command's options: they cost more than this
            return 0
        code = app(args=argv, prog_name="linkaudit", standalone_mode=False)
    except TyperException as exc:
        problem = usage_problem(exc)
        if problem.show_help is not None:  # bare `linkaudit`: the help is the answer (exit 2)
            try:
                problem.show_help()
            except BrokenPipeError:
                _stdout_gone()
            return problem.exit_code
        hint = f" (see: {problem.command} --help)" if problem.exit_code == 2 else ""
        typer.echo(f"linkaudit: error: {problem.message}{hint}", err=True)
        return problem.exit_code
    except typer.Abort:  # end of input where a prompt wanted one
        return 1
    except SystemExit:
        if sys.stdout is stdout and _same_file(stdout_file, _file_of(sys.stdout)):
            raise
        # typer (or rich, for typer) met a closed stdout outside our commands' output, in the help or
        # the version: it wraps sys.stdout or points it at /dev/null, and exits 1. The run's own code is
        # that of showing the help: 0 when asked for, 2 for a bare `linkaudit`.
        sys.stdout = stdout
        _stdout_gone()
        return 0 if (sys.argv[1:] if argv is None else argv) else 2
    except BrokenPipeError:
        _stdout_gone()
        return 0
    # typer turns a KeyboardInterrupt into 130, whichever signal raised it.
    return _STOP.exit_code if code == 130 else code if isinstance(code, int) else 0
