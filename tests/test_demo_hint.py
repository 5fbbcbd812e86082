"""Review finding (issue 11): the demo's closing hint names a folder that exists whatever the install."""

from __future__ import annotations

from pathlib import Path

from clirun import run_linkaudit


def test_the_demo_suggests_no_folder_that_is_not_there(tmp_path: Path) -> None:
    # Installed from a wheel, the user's folder holds no examples/articles: the hint must not send them there.
    done = run_linkaudit("demo", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "now try:" in done.stderr
    assert "examples/articles" not in done.stderr
    # Where the folder exists (a checkout of the project), it is still the natural next step.
    (tmp_path / "examples" / "articles").mkdir(parents=True)
    done = run_linkaudit("demo", "-q", cwd=tmp_path)
    assert "now try: linkaudit check examples/articles" in done.stderr
