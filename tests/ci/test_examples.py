"""The CI examples run as CI would run them: the workflow (nightly and on a pull request, three shards and
their merge), the composite action, the pre-commit hook, each against a simulated web on loopback and a real
git repository. The YAML is parsed; the `run` steps are executed in order (see `actions.py`)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from clirun import resolve_args
from contracts import assert_valid_report

from linkaudit.demo.simweb import Reply, SimWeb

from .actions import Runner
from .test_changed_since import git, write

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "github-actions" / "linkaudit.yml"
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
HOSTS = [f"site{n}.example" for n in range(8)]


def load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), path
    return document


@pytest.fixture
def web() -> Iterator[SimWeb]:
    """Eight hosts (spread over three shards), each with a live page and a dead one."""
    with SimWeb() as simulated:
        for name in HOSTS:
            host = simulated.host(name)
            # Each site its own page: identical pages on five hosts or more read as a captive portal.
            host.route("/live", Reply.html(f"live, on {name}"))
            host.route("/gone", Reply.html("gone", status=404))
        yield simulated


def requests(web: SimWeb) -> int:
    return sum(web.stats(name).requests for name in HOSTS)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository of articles on main: each cites every host's live page, one cites a dead page."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for n, name in enumerate(HOSTS):
        write(repo / f"articles/{n}.md", f"# {name}\n\n[live](http://{name}/live)\n")
    write(repo / "articles/old.md", "[old](http://site0.example/gone)\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "articles")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")  # as actions/checkout leaves it
    return repo


def run_workflow(runner: Runner, workflow: dict[str, Any]) -> dict[str, bool]:
    """Every job in `needs` order, every matrix value in turn; whether each job succeeded."""
    results: dict[str, bool] = {}
    for name, job in workflow["jobs"].items():
        needs = job.get("needs", [])
        assert all(results.get(need) for need in ([needs] if isinstance(needs, str) else needs)), name
        values = (job.get("strategy") or {}).get("matrix", {}).get("shard", [None])
        env = {key: str(value) for key, value in (workflow.get("env") or {}).items()}
        ok = True
        for value in values:
            context: dict[str, Any] = {
                "github": runner.github,
                "matrix": {"shard": value},
                "strategy": {"job-total": len(values)},
            }
            ok = runner.run_steps(job["steps"], context, env, action_path=ROOT) and ok
        results[name] = ok
    return results


def test_the_yaml_examples_parse_as_actions_and_pre_commit_expect() -> None:
    workflow = load(WORKFLOW)
    assert set(workflow[True]) == {
        "schedule",
        "pull_request",
        "workflow_dispatch",
    }  # YAML 1.1 reads `on` as True
    check = workflow["jobs"]["check"]
    uses = [step.get("uses", "").split("@")[0] for job in workflow["jobs"].values() for step in job["steps"]]
    for action in ("actions/cache", "actions/upload-artifact", "actions/download-artifact"):
        assert action in uses
    assert "github/codeql-action/upload-sarif" in uses
    assert check["strategy"]["matrix"]["shard"] == [1, 2, 3]
    assert workflow["jobs"]["report"]["needs"] == "check"
    composite = load(ACTION)
    assert composite["runs"]["using"] == "composite"
    # A composite action's run steps must name their shell.
    assert all("shell" in step for step in composite["runs"]["steps"] if "run" in step)
    # The store's cache key is the store-key input's (one per shard), in the restore and the save alike.
    assert composite["inputs"]["store-key"]["default"] == "${{ github.job }}"
    caches = {
        step["uses"].split("@")[0]: step["with"] for step in composite["runs"]["steps"] if "uses" in step
    }
    key = "linkaudit-store-${{ inputs.store-key }}-${{ github.run_id }}"
    assert caches["actions/cache/restore"]["key"] == key
    assert caches["actions/cache/restore"]["restore-keys"] == "linkaudit-store-${{ inputs.store-key }}-"
    assert caches["actions/cache/save"]["key"] == key
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert {"id", "name", "entry", "language"} <= set(hook)


def test_the_workflow_nightly_shards_merge_and_reuse_the_cached_store(
    repo: Path, web: SimWeb, tmp_path: Path
) -> None:
    workflow = load(WORKFLOW)
    github = {"event_name": "schedule", "base_ref": "", "run_id": "1", "job": "check"}
    runner = Runner(repo, github, resolve_args(web), tmp_path / "night1")
    assert run_workflow(runner, workflow) == {"check": True, "report": True}, _failures(runner)
    first = requests(web)
    assert first > 0
    report = json.loads((repo / "report.json").read_text(encoding="utf-8"))
    assert_valid_report(report)
    assert report["summary"]["files"] == 9
    assert {entry["url"] for entry in report["urls"]} == {f"http://{h}/live" for h in HOSTS} | {
        "http://site0.example/gone"
    }
    dead = next(entry for entry in report["urls"] if entry["verdict"] == "dead")
    # --confirm 3/3: one night's failure is reported, not confirmed, and fails nothing yet.
    assert (dead["confirmed"], dead["failures"]) == (False, 1)
    assert "## linkaudit" in runner.summary.read_text(encoding="utf-8")
    (sarif,) = runner.uploaded_sarif
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert (runner.home / "artifacts" / "linkaudit-report" / "linkaudit.html").is_file()
    caches = sorted(entry.name for entry in (runner.home / "cache").iterdir())
    assert caches == [f"linkaudit-store-{n}-of-3-1" for n in (1, 2, 3)]

    # The next night: each shard restores its own store, and --max-age 20h spares every request.
    github["run_id"] = "2"
    night2 = Runner(repo, github, resolve_args(web), tmp_path / "night1")
    assert run_workflow(night2, workflow) == {"check": True, "report": True}, _failures(night2)
    assert requests(web) == first
    again = json.loads((repo / "report.json").read_text(encoding="utf-8"))
    assert all(entry["reused"] for entry in again["urls"] if entry["url"].startswith("http"))


def test_the_workflow_on_a_pull_request_checks_only_the_changed_articles(
    repo: Path, web: SimWeb, tmp_path: Path
) -> None:
    git(repo, "checkout", "-q", "-b", "topic")
    write(repo / "articles/new.md", "[new](http://site3.example/gone) [ok](http://site5.example/live)\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a new article")
    github = {"event_name": "pull_request", "base_ref": "main", "run_id": "7", "job": "check"}
    runner = Runner(repo, github, resolve_args(web), tmp_path / "pr")
    # The dead link the pull request adds fails it at once (the old one on main is not its business).
    assert run_workflow(runner, workflow := load(WORKFLOW)) == {"check": True, "report": False}, _failures(
        runner
    )
    assert workflow["jobs"]["report"]["steps"][-1]["name"] == "Fail on confirmed failing links"
    assert [run.code for run in runner.runs][-1] == 1
    report = json.loads((repo / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["files"] == 1
    assert {entry["url"]: entry["verdict"] for entry in report["urls"]} == {
        "http://site3.example/gone": "dead",
        "http://site5.example/live": "live",
    }
    assert report["settings"]["changed_since"] == "origin/main"


def test_the_composite_action_checks_summarises_uploads_and_fails(
    repo: Path, web: SimWeb, tmp_path: Path
) -> None:
    action = load(ACTION)
    for fail, ok in (("true", False), ("false", True)):
        github = {"event_name": "push", "run_id": fail, "job": "links"}
        runner = Runner(repo, github, resolve_args(web), tmp_path / f"action-{fail}")
        inputs = {
            **_defaults(action, runner, github),
            **{"paths": "articles", "args": "--confirm 1/0 --max-age 1h", "fail": fail},
        }
        context: dict[str, Any] = {"inputs": inputs, "github": github}
        assert runner.run_steps(action["runs"]["steps"], context, {}, action_path=ROOT) is ok, _failures(
            runner
        )
        assert context["steps"]["check"]["outputs"] == {"exit-code": "1"}
        report = json.loads((repo / "linkaudit-report.json").read_text(encoding="utf-8"))
        assert_valid_report(report)
        assert report["settings"]["store"] == ".linkaudit/store.sqlite"
        assert "## linkaudit: 1 failing citation in 1 article" in runner.summary.read_text(encoding="utf-8")
        assert [path.name for path in runner.uploaded_sarif] == ["linkaudit.sarif"]
        assert (runner.home / "cache" / f"linkaudit-store-links-{fail}" / "store.sqlite").is_file()


def test_the_composite_action_keeps_one_store_per_shard(repo: Path, web: SimWeb, tmp_path: Path) -> None:
    """A matrix of two shards, two nights: each shard saves its own store and restores it the next night."""
    action = load(ACTION)
    home = tmp_path / "matrix"
    for night in ("1", "2"):
        for shard in ("1", "2"):
            github = {"event_name": "schedule", "run_id": night, "job": "links"}
            runner = Runner(repo, github, resolve_args(web), home)
            inputs = {
                **_defaults(action, runner, github),
                **{"paths": "articles", "args": f"--shard {shard}/2 --max-age 20h", "sarif": "false"},
                **{"store-key": f"links-shard-{shard}", "report": f"shard-{shard}.json", "fail": "false"},
            }
            context: dict[str, Any] = {"inputs": inputs, "github": github}
            assert runner.run_steps(action["runs"]["steps"], context, {}, action_path=ROOT), _failures(runner)
            report = json.loads((repo / f"shard-{shard}.json").read_text(encoding="utf-8"))
            checked = [entry for entry in report["urls"] if entry["url"].startswith("http")]
            assert checked
            # The second night, everything this shard checks comes from its own store: none from the other's.
            assert all(entry["reused"] for entry in checked) == (night == "2"), (night, shard)
        if night == "1":
            first = requests(web)
    assert requests(web) == first
    caches = sorted(entry.name for entry in (home / "cache").iterdir())
    assert caches == [f"linkaudit-store-links-shard-{s}-{n}" for s in ("1", "2") for n in ("1", "2")]


def _defaults(action: dict[str, Any], runner: Runner, github: dict[str, str]) -> dict[str, str]:
    """The action's inputs at their defaults, as Actions evaluates them (`${{ github.job }}`)."""
    return {
        name: runner.expand(str(spec.get("default", "")), {"github": github})
        for name, spec in action["inputs"].items()
    }


def test_the_pre_commit_hook_fails_on_staged_invalid_urls_and_missing_files(repo: Path) -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    write(repo / "articles/img/map.png", "not really a png")
    write(
        repo / "articles/draft.md",
        "[map](img/map.png) [chart](img/chart.png) [typo](htps://site1.example/x) [web](http://site1.example/gone)\n",
    )
    write(repo / "articles/notes.txt", "[x](nowhere.md)\n")  # not a type the hook takes
    git(repo, "add", "-A")
    done = _pre_commit(repo, hook)
    assert done.returncode == 1, done.stderr
    assert "img/chart.png" in done.stdout and "htps://site1.example/x" in done.stdout
    assert "site1.example/gone" not in done.stdout  # the web is CI's business, not a commit hook's
    assert "nowhere.md" not in done.stdout
    write(repo / "articles/draft.md", "[map](img/map.png) [web](http://site1.example/gone)\n")
    git(repo, "add", "-A")
    fixed = _pre_commit(repo, hook)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


def _pre_commit(repo: Path, hook: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """What pre-commit does for the hook: the staged files of its types, appended to its entry."""
    suffixes = {"markdown": (".md", ".markdown"), "html": (".html", ".htm")}
    wanted = tuple(suffix for kind in hook["types_or"] for suffix in suffixes[kind])
    staged = subprocess.run(
        ["git", "diff", "--cached", "--name-only", "--diff-filter=ACMR"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    files = [name for name in staged if name.endswith(wanted)]
    command = [*shlex.split(hook["entry"]), *files]
    assert command[0] == "linkaudit"
    return subprocess.run(
        [sys.executable, "-m", "linkaudit", *command[1:]],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )


def _failures(runner: Runner) -> str:
    return "\n".join(f"{run.name}: {run.code}\n{run.stdout}{run.stderr}" for run in runner.runs if run.code)
