"""The CI options of the commands: `--changed-since` (check, extract), `--baseline`, `--shard` (check).

Their logic is in `linkaudit.ci`; the commands `diff` and `merge` are in `linkaudit.cli.ci`."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from linkaudit.cli.app import fail_usage

if TYPE_CHECKING:
    from linkaudit.ci.baseline import Baseline
    from linkaudit.ci.shard import Shard
    from linkaudit.extract import InputFile
    from linkaudit.models import AuditReport, Verdict

ChangedSinceOpt = Annotated[
    str | None,
    typer.Option(
        "--changed-since",
        metavar="REF",
        help="Only files added or modified since this git revision (from its merge base with HEAD; "
        "renames followed, uncommitted and untracked files included).",
        show_default=False,
    ),
]
BaselineOpt = Annotated[
    str | None,
    typer.Option(
        "--baseline",
        metavar="OLD.json",
        help='A JSON report: failures it already had do not fail the run ("baseline": "known").',
        show_default=False,
    ),
]
ShardOpt = Annotated[
    str | None,
    typer.Option(
        "--shard",
        metavar="I/N",
        help="Check only shard I of N (every URL of a host in one shard); join them with linkaudit merge.",
        show_default=False,
    ),
]


def only_changed(
    files: list[InputFile], ref: str | None, paths: list[str], origin: str = "--changed-since"
) -> list[InputFile]:
    """The files git says changed since `ref` (all without `--changed-since`); exit 2 when git cannot say,
    naming `origin` (the option, or a configuration file's key)."""
    if ref is None:
        return files
    from linkaudit.ci.changed import ChangedFilesError, changed_files  # noqa: PLC0415 - lazy: see cli/__init__

    local = [path for path in paths if path != "-"]
    try:
        changed = changed_files(ref, local[0] if local else ".", origin=origin)
    except ChangedFilesError as exc:
        raise fail_usage(str(exc)) from None
    return [file for file in files if file.display == "-" or os.path.realpath(file.path) in changed]


def parse_shard_option(value: str | None) -> Shard | None:
    if value is None:
        return None
    from linkaudit.ci.shard import parse_shard  # noqa: PLC0415 - lazy: see cli/__init__

    try:
        return parse_shard(value)
    except ValueError as exc:
        raise fail_usage(f"--shard {exc}") from None


def open_baseline(path: str | None, origin: str = "--baseline") -> Baseline | None:
    if path is None:
        return None
    from linkaudit.ci.baseline import BaselineError, load_baseline  # noqa: PLC0415 - lazy: see cli/__init__

    try:
        return load_baseline(path, origin)
    except BaselineError as exc:
        raise fail_usage(str(exc)) from None


def ci_finish(
    fail_on: frozenset[Verdict], *, baseline: Baseline | None, shard: Shard | None, changed_since: str | None
) -> Callable[[AuditReport], AuditReport]:
    """What `--baseline`, `--shard` and `--changed-since` add to a check's report before it is written."""
    from linkaudit.ci.baseline import mark_errors, mark_results  # noqa: PLC0415 - lazy: see cli/__init__
    from linkaudit.ci.merge import SHARD_SETTING  # noqa: PLC0415

    def finish(report: AuditReport) -> AuditReport:
        settings = dict(report.settings)
        if changed_since is not None:
            settings["changed_since"] = changed_since
        if baseline is not None:
            settings["baseline"] = baseline.source
        if shard is not None:
            settings[SHARD_SETTING] = str(shard)
        results = mark_results(report.results, fail_on, baseline)
        errors = mark_errors(report.errors, baseline)
        return dataclasses.replace(report, results=results, errors=errors, settings=settings)

    return finish


def note_known(report: AuditReport, baseline: Baseline | None, *, quiet: bool) -> None:
    """Say on stderr how many failures the baseline knew (reported, not counted toward the exit code)."""
    from linkaudit.models import BaselineMark  # noqa: PLC0415 - lazy: see cli/__init__

    if baseline is None or quiet:
        return
    known = sum(1 for result in report.results if result.baseline is BaselineMark.KNOWN)
    new = sum(1 for result in report.results if result.baseline is BaselineMark.NEW)
    typer.echo(
        f"linkaudit: baseline {baseline.source}: {new:,} new failing URL{'' if new == 1 else 's'}, "
        f"{known:,} known (not counted toward the exit code)",
        err=True,
    )


def reapply(saved: AuditReport, fail_on: str | None, baseline_path: str | None) -> tuple[AuditReport, int]:
    """`linkaudit report --fail-on … --baseline …`: the saved report judged again, and its exit code (0/1).

    Without `--fail-on`, the run's own (as its settings recorded it)."""
    from linkaudit.ci.baseline import mark_errors, mark_results, run_fails  # noqa: PLC0415 - lazy
    from linkaudit.cli.options import FILE_ERROR, _parse_fail_on  # noqa: PLC0415
    from linkaudit.report.citations import failing_verdicts, fails_on_file_errors  # noqa: PLC0415

    if fail_on is not None:
        verdicts, file_errors = _parse_fail_on(fail_on)
    else:
        verdicts, file_errors = failing_verdicts(saved), fails_on_file_errors(saved)
    known = open_baseline(baseline_path)
    settings = dict(saved.settings)
    settings["fail_on"] = sorted([v.value for v in verdicts] + [FILE_ERROR] * file_errors)
    results, errors = saved.results, saved.errors
    if known is not None:
        settings["baseline"] = known.source
        results = mark_results(results, verdicts, known)
        errors = mark_errors(errors, known)
    judged = dataclasses.replace(saved, results=results, errors=errors, settings=settings)
    return judged, int(run_fails(judged, verdicts, file_errors=file_errors))
