"""Running a GitHub workflow's or composite action's steps locally, in order, for the example tests.

Not a reimplementation of Actions: enough of it to run our own examples faithfully. `run` steps go to bash
as Actions runs them (`bash --noprofile --norc -eo pipefail`), with the workflow's, job's and step's `env`,
`GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT` and `${{ … }}` expressions that are plain lookups (`matrix.shard`,
`github.event_name`, `inputs.paths`, `steps.check.outputs.exit-code`). `if:` understands `always()` and
`X == 'literal'`. The actions our examples use are emulated on the file system: the cache (restore by key
or prefix, save after the job), artifacts (upload, download by pattern), SARIF upload (recorded), checkout
and setup-python (nothing to do). `pip install` is skipped: the linkaudit under test is already installed,
and a `linkaudit` on PATH runs it, adding the loopback settings of the simulated web to every `check`.
An expression or an action the runner does not know fails the test: it must learn it first.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Runner", "StepRun"]

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_COMPARISON = re.compile(r"^([\w.-]+)\s*(==|!=)\s*'([^']*)'$")


@dataclass
class StepRun:
    """What happened to one step: its name, exit code (None: skipped) and output."""

    name: str
    code: int | None
    stdout: str = ""
    stderr: str = ""


@dataclass
class Runner:
    """The runner of one simulated repository: a work folder, the Actions context, the emulated services."""

    workdir: Path
    github: dict[str, str]
    loopback_args: list[str]
    home: Path
    summary: Path = field(init=False)
    uploaded_sarif: list[Path] = field(default_factory=list)
    runs: list[StepRun] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.summary = self.home / "step-summary.md"
        self.summary.touch()
        bin_dir = self.home / "bin"
        bin_dir.mkdir(exist_ok=True)
        wrapper = bin_dir / "linkaudit"
        extra = " ".join(shlex.quote(arg) for arg in self.loopback_args)
        wrapper.write_text(
            "#!/bin/sh\n"
            f'if [ "$1" = check ]; then exec {shlex.quote(sys.executable)} -m linkaudit "$@" {extra}; fi\n'
            f'exec {shlex.quote(sys.executable)} -m linkaudit "$@"\n',
            encoding="utf-8",
        )
        wrapper.chmod(0o755)
        self.path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"

    # Expressions.

    def lookup(self, name: str, context: dict[str, Any]) -> str:
        value: Any = context
        for part in name.split("."):
            if not isinstance(value, dict) or part not in value:
                raise AssertionError(
                    f"the example uses ${{{{ {name} }}}}, which the test runner does not know"
                )
            value = value[part]
        return str(value)

    def expand(self, text: str, context: dict[str, Any]) -> str:
        return _EXPRESSION.sub(lambda m: self.lookup(m.group(1), context), text)

    def condition(self, expression: str | None, context: dict[str, Any], *, failed: bool) -> bool:
        if expression is None:
            return not failed
        expression = _EXPRESSION.sub(lambda m: m.group(1), str(expression)).strip()
        if expression == "always()":
            return True
        compared = _COMPARISON.match(expression)
        if compared is None:
            raise AssertionError(f"the example's condition {expression!r} is new to the test runner")
        equal = self.lookup(compared.group(1), context) == compared.group(3)
        return not failed and (equal if compared.group(2) == "==" else not equal)

    # Steps.

    def run_steps(
        self, steps: list[dict[str, Any]], context: dict[str, Any], env: dict[str, str], *, action_path: Path
    ) -> bool:
        """Run `steps` in order; False when one failed. Saves the job's caches at the end, as Actions does."""
        failed = False
        post: list[tuple[Path, str]] = []
        context.setdefault("steps", {})
        for number, step in enumerate(steps):
            name = str(step.get("name") or step.get("uses") or step.get("run", "")).splitlines()[0]
            if not self.condition(step.get("if"), context, failed=failed):
                self.runs.append(StepRun(name, None))
                continue
            step_env = {
                **env,
                **{k: self.expand(str(v), context) for k, v in (step.get("env") or {}).items()},
            }
            if "uses" in step:
                self.use(str(step["uses"]), step.get("with") or {}, context, post)
                self.runs.append(StepRun(name, 0))
                continue
            script = self.expand(str(step["run"]), context)
            if script.strip().startswith("python -m pip install"):
                self.runs.append(StepRun(name, 0))  # the linkaudit under test is installed already
                continue
            outputs = self.home / f"output-{len(self.runs)}-{number}"
            outputs.write_text("", encoding="utf-8")
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=self.workdir,
                env={
                    **os.environ,
                    **step_env,
                    "PATH": self.path,
                    "GITHUB_STEP_SUMMARY": str(self.summary),
                    "GITHUB_OUTPUT": str(outputs),
                    "GITHUB_ACTION_PATH": str(action_path),
                    "NO_COLOR": "1",
                },
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            self.runs.append(StepRun(name, done.returncode, done.stdout, done.stderr))
            if "id" in step:
                values = dict(
                    line.split("=", 1)
                    for line in outputs.read_text(encoding="utf-8").splitlines()
                    if "=" in line
                )
                context["steps"][step["id"]] = {"outputs": values}
            failed = failed or done.returncode != 0
        for path, key in post:
            self.save_cache(path, key)
        return not failed

    def use(
        self, action: str, inputs: dict[str, Any], context: dict[str, Any], post: list[tuple[Path, str]]
    ) -> None:
        name = action.split("@", 1)[0]
        given = {key: self.expand(str(value), context) for key, value in inputs.items()}
        if name in ("actions/checkout", "actions/setup-python"):
            return
        if name in ("actions/cache", "actions/cache/restore"):
            path = self.workdir / given["path"]
            self.restore_cache(path, given["key"], given.get("restore-keys", ""))
            if name == "actions/cache":
                post.append((path, given["key"]))
        elif name == "actions/cache/save":
            self.save_cache(self.workdir / given["path"], given["key"])
        elif name == "actions/upload-artifact":
            folder = self.home / "artifacts" / given["name"]
            for line in given["path"].splitlines():
                if line.strip():
                    source = self.workdir / line.strip()
                    assert source.is_file(), f"upload-artifact: {line.strip()} was not written"
                    folder.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, folder / source.name)
        elif name == "actions/download-artifact":
            target = self.workdir / given.get("path", ".")
            target.mkdir(parents=True, exist_ok=True)
            for folder in sorted((self.home / "artifacts").iterdir()):
                if fnmatch.fnmatch(folder.name, given["pattern"]):
                    destination = target if given.get("merge-multiple") == "True" else target / folder.name
                    shutil.copytree(folder, destination, dirs_exist_ok=True)
        elif name == "github/codeql-action/upload-sarif":
            self.uploaded_sarif.append(self.workdir / given["sarif_file"])
        else:
            raise AssertionError(f"the example uses {action}, which the test runner does not emulate")

    def restore_cache(self, path: Path, key: str, restore_keys: str) -> None:
        caches = self.home / "cache"
        if not caches.is_dir():
            return
        entries = sorted(caches.iterdir(), key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        prefixes = [line.strip() for line in restore_keys.splitlines() if line.strip()]
        for entry in entries:
            if entry.name == key or any(entry.name.startswith(prefix) for prefix in prefixes):
                shutil.rmtree(path, ignore_errors=True)
                shutil.copytree(entry, path)
                return

    def save_cache(self, path: Path, key: str) -> None:
        entry = self.home / "cache" / key
        if path.is_dir() and not entry.exists():  # a cache entry is never overwritten
            shutil.copytree(path, entry)
