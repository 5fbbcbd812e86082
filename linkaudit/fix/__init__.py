"""Stage 6: point rotted citations at what replaces them (an archived copy, a redirect's final URL),
changing only the bytes of each destination.

Two steps, so that `linkaudit fix` is a thin layer: `plan_fixes` (or `plan_from_report`) decides every
edit without writing, `apply_fixes` makes them: a diff always (a patch in the files' own bytes for
`git apply`, and a decoded view for reading), the files only with `write=True`.

From a report (`linkaudit.report/1`, parsed with `json.load`)::

    plan = plan_from_report(report, roots=[Path(report["root"])], verdicts={"dead", "soft-dead"},
                            redirects=False)
    outcome = apply_fixes(plan, write=False)
    print(outcome.diff)                        # the dry run, for reading
    sys.stdout.buffer.write(outcome.patch)     # the dry run, for `git apply`: exactly what write makes
    for message in (*outcome.skipped, *outcome.refused):
        print(message)  # "a.md: changed since the report (its sha256 differs): left alone"

How the report feeds it: each URL entry whose `verdict` is asked for and that has `archive.url` (or,
with `redirects`, a `redirected` entry with `permanent: true` and its `final_url`) maps its `url` to that
replacement; its `occurrences` (`file`, `start`/`end` byte span, `raw`, `kind`, `fragment`) are the
citations to rewrite, their `file` resolved against `base` (the folder the audit ran in; default the
working directory). The report's `files` list (`path` relative to its `root`, `sha256`) gives the hash
each file had when audited: a file whose bytes changed since is skipped with a message, as is a file
where a span no longer reads `raw`. Only files whose real path lies inside `roots` are read or written.

Without a report, `plan_fixes(occurrences, {target_url: new_url}, roots=[...])` does the same from
`Occurrence`s straight from `linkaudit.extract`.

What is written where (see `syntax`): a Markdown destination (inline link, image, reference definition:
one edit fixes every use), an autolink's inside, an HTML `href`/`src`/`srcset` value in its own quoting,
percent-encoding what the syntax or the file's encoding cannot hold; a bare URL becomes `[as cited](new)`
in Markdown, `<a href="new">as cited</a>` in HTML, and the new URL itself in plain text (in `<…>` where
needed to end it). Every edit is checked by extracting the rewritten file again (see `plan`).
"""

from __future__ import annotations

from linkaudit.fix.apply import apply_fixes, rewrite
from linkaudit.fix.diff import render_diff, render_patch
from linkaudit.fix.model import Edit, FileFix, FilePlan, FixMessage, FixOutcome, FixPlan
from linkaudit.fix.plan import DocumentPlan, FileSkipped, plan_document, plan_fixes
from linkaudit.fix.report import (
    DEFAULT_VERDICTS,
    ReportError,
    ReportFixes,
    fixes_from_report,
    plan_from_fixes,
    plan_from_report,
)

__all__ = [
    "DEFAULT_VERDICTS",
    "DocumentPlan",
    "Edit",
    "FileFix",
    "FilePlan",
    "FileSkipped",
    "FixMessage",
    "FixOutcome",
    "FixPlan",
    "ReportError",
    "ReportFixes",
    "apply_fixes",
    "fixes_from_report",
    "plan_document",
    "plan_fixes",
    "plan_from_fixes",
    "plan_from_report",
    "render_diff",
    "render_patch",
    "rewrite",
]
