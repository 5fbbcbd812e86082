"""`examples/linkaudit.toml`: it parses, names every option of `check`, its commented keys parse once
uncommented, its pyproject.toml form says the same, and a run with it against loopback servers obeys it."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import resolve_args, run_linkaudit
from contracts import parse_report

from linkaudit.cli import commands
from linkaudit.cli.configure import command_options
from linkaudit.config import OptionSpec, load_config
from linkaudit.demo.simweb import Reply, SimWeb

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "linkaudit.toml"
COMMENTED_KEY = re.compile(r"^# ([a-z][a-z-]* = .*)$")
COMMENTED_TABLE = re.compile(r"^# (\[.*\].*)$")


def specs() -> dict[str, OptionSpec]:
    return {key: spec for key, (_, spec) in command_options(inspect.unwrap(commands.check)).items()}


def test_the_example_parses() -> None:
    config = load_config(EXAMPLE, specs(), environ={})
    assert config.options["fail-on"] == "dead,soft-dead,usurped,file-error"
    assert set(config.hosts) == {"sakura-press.org", "ft.com", "reuters.com"}
    assert config.hosts["sakura-press.org"].timeout == 30.0
    assert config.hosts["ft.com"].accept == frozenset({401, 403})
    assert [rule.value for rule in config.headers] == ["archive-robot@sakura-press.org"]
    assert next(rule.until for rule in config.excludes if rule.until is not None).isoformat() == "2027-06-30"


def test_the_example_names_every_option() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    named = set(re.findall(r"^(?:# )?([a-z][a-z-]*) = ", text, re.MULTILINE))
    assert set(specs()) - named == {"exclude"}  # written as [[exclude]] tables
    assert {"exclude", "hosts"} <= set(re.findall(r"^\[+([a-z]+)", text, re.MULTILINE))
    assert {"concurrency", "interval", "timeout", "headers", "accept", "method"} <= named


def uncommented(text: str) -> str:
    """The example with every commented key in use: plain keys before the first table, tables at the end."""
    keys: list[str] = []
    tables: list[str] = []
    active: list[str] = []
    in_table = False
    for line in text.splitlines():
        key, table = COMMENTED_KEY.match(line), COMMENTED_TABLE.match(line)
        if table is not None:
            in_table = True
            tables.append(table.group(1))
        elif key is not None:
            (tables if in_table else keys).append(key.group(1))
        else:
            active.append(line)
    first_table = next(i for i, line in enumerate(active) if line.startswith("["))
    return "\n".join([*active[:first_table], *keys, *active[first_table:], *tables]) + "\n"


def test_every_commented_key_parses_once_uncommented(tmp_path: Path) -> None:
    path = tmp_path / "linkaudit.toml"
    path.write_text(uncommented(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    config = load_config(path, specs(), environ={"SAKURA_API_TOKEN": "t0ken", "ARCHIVE_TOKEN": "a"})
    assert set(config.options) == set(specs()) - {"exclude"}
    assert "api.sakura-press.org" in config.hosts
    assert config.options["store"] == str(tmp_path / ".linkaudit/store.sqlite")
    # Without the variable it names, the run stops: the line says which.
    with pytest.raises(ValueError, match=r"headers.Authorization: the environment variable SAKURA_API_TOKEN"):
        load_config(path, specs(), environ={"ARCHIVE_TOKEN": "a"})


def as_pyproject(text: str) -> str:
    body = re.sub(r"^\[hosts\.", "[tool.linkaudit.hosts.", text, flags=re.MULTILINE)
    body = re.sub(r"^\[\[exclude\]\]", "[[tool.linkaudit.exclude]]", body, flags=re.MULTILINE)
    return '[project]\nname = "archive"\n\n[tool.linkaudit]\n' + body


def test_the_pyproject_form_says_the_same(tmp_path: Path) -> None:
    (tmp_path / "linkaudit.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text(
        as_pyproject(EXAMPLE.read_text(encoding="utf-8")), "utf-8"
    )
    plain = load_config(tmp_path / "linkaudit.toml", specs(), environ={})
    project = load_config(tmp_path / "sub" / "pyproject.toml", specs(), environ={})
    assert (project.options, project.hosts, project.headers, project.excludes) == (
        plain.options,
        plain.hosts,
        plain.headers,
        plain.excludes,
    )


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        simulated.host("www.ft.com").route("/content/x", Reply(200, b"<p>story</p>", head=Reply(403)))
        simulated.host("www.reuters.com").route("/world/x", Reply(200, b"<p>story</p>", head=Reply(405)))
        simulated.host("assets.sakura-press.org").route("/a.png", Reply.image("png"))
        simulated.host("asia.nikkei.com").route("/p/x", Reply.html("not found", status=404))
        simulated.host("www.youtube.com").route("/@sakurapress", Reply.html("channel"))
        yield simulated


@pytest.mark.parametrize("form", ["linkaudit.toml", "pyproject.toml"])
def test_a_run_with_the_example_obeys_it(tmp_path: Path, web: SimWeb, form: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    (tmp_path / form).write_text(as_pyproject(text) if form == "pyproject.toml" else text, encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "wip.md").write_text("[x](http://gone.example/)\n", encoding="utf-8")
    (tmp_path / "a.md").write_text(
        "[ft](http://www.ft.com/content/x) [r](http://www.reuters.com/world/x)\n"
        "![](http://assets.sakura-press.org/a.png) [n](http://asia.nikkei.com/p/x)\n"
        "[v](http://www.youtube.com/watch?v=1) [c](http://www.youtube.com/@sakurapress)\n",
        encoding="utf-8",
    )
    args = ["check", ".", *resolve_args(web), "--no-store", "-f", "json", "--now", "2027-06-30T12:00:00Z"]
    done = run_linkaudit(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = parse_report(done.stdout)
    urls = {entry["url"]: entry for entry in report["urls"]}
    assert report["summary"]["files"] == 1  # drafts/ is excluded by exclude-path
    assert report["settings"]["config"] == form
    assert report["settings"]["fail_on"] == ["dead", "file-error", "soft-dead", "usurped"]
    # ft.com: HEAD only, its 403 counted live.
    ft = urls["http://www.ft.com/content/x"]
    assert (ft["verdict"], [a["method"] for a in ft["attempts"]]) == ("live", ["HEAD"])
    # reuters.com: GET only.
    assert [r.method for r in web.stats("www.reuters.com").log] == ["GET"]
    assert urls["http://www.reuters.com/world/x"]["verdict"] == "live"
    # The archive's own host: its header, from the default of ${LINKAUDIT_CONTACT:-...}.
    assert web.stats("assets.sakura-press.org").saw_header("From", "archive-robot@sakura-press.org")
    assert report["settings"]["hosts"]["sakura-press.org"]["timeout"] == 30
    nikkei = urls["http://asia.nikkei.com/p/x"]
    assert (nikkei["verdict"], nikkei["reason"]) == ("skipped", "excluded")
    assert nikkei["detail"] == (
        "exclude '^https?://asia\\\\.nikkei\\\\.com/' in "
        f"{form} (until 2027-06-30): the old article paths are gone until the site restores them"
    )
    assert urls["http://www.youtube.com/watch?v=1"]["reason"] == "excluded"
    assert urls["http://www.youtube.com/@sakurapress"]["verdict"] == "live"  # the include wins
    assert web.stats("asia.nikkei.com").requests == 0

    later = run_linkaudit(*args[:-1], "2027-07-01T00:00:00Z", cwd=tmp_path)
    assert later.returncode == 1  # the nikkei exclude ended: its 404 now fails the run
    assert "exclude '^https?://asia\\\\.nikkei\\\\.com/' ended on 2027-06-30" in later.stderr
    after = {entry["url"]: entry for entry in parse_report(later.stdout)["urls"]}
    assert after["http://asia.nikkei.com/p/x"]["verdict"] == "dead"
