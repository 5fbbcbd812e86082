"""typer's usage errors still look as `linkaudit._typer_compat` reads them (typer and its vendored click are
pinned): if a version bump renames or reshapes any of it, these fail by name, not as a garbled error line."""

from __future__ import annotations

import pytest
import typer
from typer._click import exceptions as click_errors

from linkaudit._typer_compat import usage_problem
from linkaudit.cli import app, main


def test_the_typer_internals_we_read_are_there() -> None:
    assert issubclass(click_errors.UsageError, typer.TyperException)
    assert click_errors.UsageError.exit_code == 2
    for name in ("format_message", "show"):
        assert callable(getattr(click_errors.UsageError, name))
    no_args = click_errors.NoArgsIsHelpError
    assert no_args.__name__ == "NoArgsIsHelpError"
    assert issubclass(no_args, click_errors.UsageError)


def _raised(args: list[str]) -> typer.TyperException:
    with pytest.raises(typer.TyperException) as caught:
        app(args=args, prog_name="linkaudit", standalone_mode=False)
    return caught.value


def test_a_usage_error_gives_its_command_and_one_line() -> None:
    problem = usage_problem(_raised(["check", "--bogus"]))
    assert problem.exit_code == 2
    assert problem.command == "linkaudit check"
    assert problem.message.startswith("No such option: --bogus")
    assert "\n" not in problem.message
    assert problem.show_help is None


def test_a_bare_command_shows_its_help() -> None:
    problem = usage_problem(_raised([]))
    assert problem.exit_code == 2
    assert problem.show_help is not None


def test_main_prints_the_help_for_a_bare_command_and_one_line_for_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as bare:
        main([])
    assert bare.value.code == 2
    assert "Usage: linkaudit" in capsys.readouterr().out
    with pytest.raises(SystemExit) as wrong:
        main(["nope"])
    assert wrong.value.code == 2
    assert capsys.readouterr().err == "linkaudit: error: No such command 'nope'. (see: linkaudit --help)\n"
