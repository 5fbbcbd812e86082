"""`linkaudit fix`: point the citations a saved report found rotten at what replaces them.

Thin: the report is read here, the edits are planned and made by `linkaudit.fix`. The dry run's diff
goes to stdout, everything else to stderr, one line per file or citation left alone. Piped or redirected,
the diff is the patch in each file's own bytes (a git binary patch for UTF-16), written as bytes, so
`linkaudit fix r.json | git apply` from the audited root makes exactly the change `--write` makes; on a
terminal it is the readable view, decoded (a patch of GB18030 bytes or base85 is nothing to read).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from linkaudit.cli.app import _stdout_gone, app, fail_usage

if TYPE_CHECKING:
    from linkaudit.fix import FixMessage, FixOutcome

FIX_EXIT_CODES = (
    "Exit codes: 0 every fix made (--write) or shown, or nothing to fix; 1 a file or citation left alone "
    "(each named on stderr), the rest done; 2 usage error or a report that cannot be used; 130 interrupted."
)
_DEFAULT_VERDICTS = "dead,soft-dead,usurped"


def _parse_verdicts(value: str) -> frozenset[str]:
    from linkaudit.models import Verdict  # noqa: PLC0415 - lazy: see linkaudit.cli

    chosen: set[str] = set()
    for raw in value.split(","):
        part = raw.strip()
        if not part:
            continue
        try:
            chosen.add(Verdict(part).value)
        except ValueError:
            choices = ", ".join(v.value for v in Verdict)
            raise fail_usage(f"--verdicts {part!r}: not a verdict (one of {choices})") from None
    if not chosen:
        raise fail_usage("--verdicts: name at least one verdict")
    return frozenset(chosen)


_SUGGESTING = ("escaped-bare-url", "https-available", "shortener", "tracking-params")


def _parse_findings(value: str) -> frozenset[str]:
    chosen = {part.strip() for part in value.split(",") if part.strip()}
    for kind in sorted(chosen):
        if kind not in _SUGGESTING:
            raise fail_usage(
                f"--findings {kind!r}: not a finding with a suggestion (one of {', '.join(_SUGGESTING)})"
            )
    return frozenset(chosen)


def _load(path: str) -> Any:
    """The parsed report, or a usage error naming what is wrong with it."""
    try:
        if path == "-":
            return json.load(sys.stdin)
        with open(path, "rb") as handle:
            return json.load(handle)
    except OSError as exc:
        raise fail_usage(f"{path}: cannot read the report ({exc.strerror})") from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, absurd nesting
        raise fail_usage(f"{path}: not a JSON report ({str(exc).splitlines()[0][:200]})") from None


def _roots(base: Path) -> list[Path]:
    """The folders the fix may touch: the report's root, and the folder fix runs in (a run given a folder
    outside its working directory lists those articles by absolute path: fix them from a folder that holds
    them). Never a folder the report itself names for an article: a report edited to list
    `../elsewhere` or `/etc/...` with the right sha256 must not lead a write there."""
    return sorted({base, Path.cwd()})


def _bundled(base: Path) -> bool:
    """Whether `base` is inside the linkaudit package (a saved `linkaudit demo` report's root)."""
    import linkaudit  # noqa: PLC0415

    package = Path(linkaudit.__file__).parent.resolve()  # the folder's own path, not a file link's target
    return base.resolve().is_relative_to(package)


def _echo(messages: tuple[FixMessage, ...]) -> None:
    for message in messages:
        typer.echo(f"linkaudit: {message}", err=True)


def _show(outcome: FixOutcome) -> None:
    """The dry run's diff on stdout: the readable view on a terminal, else the patch, byte for byte."""
    try:
        if sys.stdout.isatty():
            sys.stdout.write(outcome.diff)
            sys.stdout.flush()
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(outcome.patch)
            sys.stdout.buffer.flush()
    except BrokenPipeError:
        _stdout_gone()


def _summary(outcome: FixOutcome, write: bool) -> str:
    from linkaudit.report.citations import counted  # noqa: PLC0415 - lazy: see linkaudit.cli

    citations = sum(fix.citations for fix in outcome.files)
    files = counted(len(outcome.files), "file")
    what = f"{counted(citations, 'citation')} ({counted(outcome.edits, 'edit')}) in {files}"
    return f"linkaudit fix: fixed {what}" if write else f"linkaudit fix: would fix {what}; --write to apply"


@app.command(name="fix", epilog=FIX_EXIT_CODES)
def fix_command(
    path: Annotated[
        str,
        typer.Argument(
            metavar="REPORT.json",
            help="A JSON report saved by check --format json (- for stdin).",
            show_default=False,
        ),
    ],
    write: Annotated[
        bool,
        typer.Option("--write", help="Rewrite the files (atomically, mode kept) instead of printing a diff."),
    ] = False,
    redirects: Annotated[
        bool, typer.Option("--redirects", help="Also point permanent redirects at their final URL.")
    ] = False,
    verdicts: Annotated[
        str,
        typer.Option(
            "--verdicts", help="Comma-separated verdicts whose citations are pointed at their archived copy."
        ),
    ] = _DEFAULT_VERDICTS,
    findings: Annotated[
        str,
        typer.Option(
            "--findings",
            help="Comma-separated hygiene finding kinds (tracking-params, https-available, shortener, "
            "escaped-bare-url) whose suggested URL replaces the cited one, where it was checked live.",
        ),
    ] = "",
) -> None:
    """Point rotten citations at their archived copy, changing only those bytes: a diff, or --write."""
    from linkaudit.fix import ReportError, apply_fixes, fixes_from_report, plan_from_fixes  # noqa: PLC0415
    from linkaudit.report.citations import counted  # noqa: PLC0415

    chosen = _parse_verdicts(verdicts)
    kinds = _parse_findings(findings)
    try:
        fixes = fixes_from_report(_load(path), verdicts=chosen, redirects=redirects, findings=kinds)
    except ReportError as exc:
        raise fail_usage(f"{path}: {exc}") from None
    if not fixes.occurrences:
        _echo(fixes.problems)
        missing = f" ({counted(len(fixes.without_copy), 'URL')} without one)" if fixes.without_copy else ""
        asked = ", ".join(sorted(chosen)) + (" or permanently redirected" if redirects else "")
        asked += f" or with a live suggestion ({', '.join(sorted(kinds))})" if kinds else ""
        typer.echo(f"linkaudit fix: nothing to fix: no citation {asked} has a replacement{missing}", err=True)
        raise typer.Exit(1 if fixes.problems else 0)
    if not fixes.expected_sha256:
        raise fail_usage(
            f"{path}: the report lists no audited files with their sha256 (made by an older linkaudit?): "
            "run check again"
        )
    base = fixes.root or Path.cwd()
    if not base.is_dir():
        raise fail_usage(f"{path}: the report's root {os.fspath(base)!r} is not a folder here")
    if write and _bundled(base):
        raise fail_usage(
            f"{path}: its articles are linkaudit's own demo articles: fix shows the diff, --write would "
            f"change the installed package; copy {os.fspath(base / 'demo' / 'articles')} elsewhere and "
            "check the copy to try --write"
        )
    plan = plan_from_fixes(fixes, roots=_roots(base), base=base, listed_only=True)
    outcome = apply_fixes(plan, write=write)
    if not write:
        _show(outcome)
    _echo(outcome.skipped)
    _echo(outcome.refused)  # the report's own problems first
    typer.echo(_summary(outcome, write), err=True)
    raise typer.Exit(1 if outcome.skipped or outcome.refused else 0)
