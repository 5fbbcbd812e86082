"""What the CLI costs before it works: what starting imports, and typer's option coercion without pydantic.

Start-up time itself is measured in benchmarks/startup_bench.py (beside lychee); these tests keep the
causes away: each command imports only the stages it runs, and `linkaudit._typer_compat` (the one module
that touches typer's internals) converts every option exactly as typer would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.core import _TyperParameter

from linkaudit import _typer_compat
from linkaudit.cli import app

HEAVY = ("pydantic", "httpx", "httpcore", "trio", "rich", "pyromark", "multiprocessing", "linkaudit.check")


def imported_after(code: str, cwd: Path) -> set[str]:
    """The top-level packages (and linkaudit's stages) a fresh interpreter has imported after `code`."""
    probe = f"""
import json, sys
try:
{"".join(f"    {line}{chr(10)}" for line in code.splitlines())}
except SystemExit:
    pass
names = set(sys.modules)
packages = {{n.split(".")[0] for n in names}} | {{n for n in names if n.startswith("linkaudit.")}}
print(json.dumps(sorted(packages)))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_and_asking_its_version_import_no_stage(tmp_path: Path) -> None:
    for code in ("import linkaudit.cli", "from linkaudit.cli import main\nmain(['--version'])"):
        loaded = imported_after(code, tmp_path)
        assert not loaded & set(HEAVY), code
        assert not {name for name in loaded if name.startswith(("linkaudit.extract", "linkaudit.report."))}


def test_extract_imports_neither_the_checker_nor_pydantic(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("[a](https://example.org/a)\n", encoding="utf-8")
    loaded = imported_after(
        "from linkaudit.cli import main\nmain(['extract', 'a.md', '-f', 'json'])", tmp_path
    )
    assert "linkaudit.extract" in loaded
    assert not loaded & {"pydantic", "httpx", "httpcore", "trio", "rich", "linkaudit.check"}


def test_typer_coercion_is_replaced() -> None:
    assert _typer_compat.installed()
    assert _typer_compat.install() is True  # idempotent


def _parameters() -> list[tuple[str, _TyperParameter]]:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    found: list[tuple[str, _TyperParameter]] = []
    for name, command in sorted(group.commands.items()):
        for param in command.params:
            assert isinstance(param, _TyperParameter)
            found.append((f"{name} {param.name}", param))
    return found


def _samples(annotation: Any) -> list[Any]:
    if annotation is str:
        return ["x", "", "ünï", " spaced "]
    if annotation is int:
        return ["0", "42", "-3", "007", "1_000", " 5", "x", "1.5", "", 7, True]
    if annotation is float:
        return ["2.5", "20", "-0.5", "1e3", "inf", ".5", "x", "", 3, 1.5]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [
            *(m.value for m in annotation),
            *annotation,
            "bogus",
            str(next(iter(annotation)).value).upper(),
        ]
    if annotation == list[str]:
        return [("a", "b"), ["c"], ()]
    return ["some/path", "-"]


def _outcome(coerce: Any, value: Any) -> tuple[str, Any]:
    try:
        return "ok", coerce(value)
    except BadParameter as exc:
        return "error", exc.format_message()


@pytest.mark.parametrize(("name", "param"), _parameters(), ids=[n for n, _ in _parameters()])
def test_every_option_coerces_as_typer_would(name: str, param: _TyperParameter) -> None:
    ctx = Context(typer.main.get_command(app))
    ours = param.get_runtime_param()
    theirs = build_runtime_param(param.type_descriptor)
    assert type(ours).__name__ == "DirectParam"
    for value in _samples(param.type_descriptor.annotation):
        got = _outcome(lambda v: ours.coerce(v, param=param, ctx=ctx), value)
        want = _outcome(lambda v: theirs.coerce(v, param=param, ctx=ctx), value)
        assert got == want, (name, value)
