"""`check --shard I/N` + `linkaudit merge` against one run, on the demo's simulated web (real processes)."""

from __future__ import annotations

import json
from pathlib import Path

from clirun import run_linkaudit
from contracts import parse_report

from linkaudit.ci.shard import shard_index
from linkaudit.demo.simweb import RequestRecord, SimWeb
from linkaudit.models import Target

from .support import build_demo_web, copy_demo_articles, network_args, without_clocks


def test_three_shards_merged_are_the_single_run(tmp_path: Path) -> None:
    articles = copy_demo_articles(tmp_path)
    # A fresh web for each side: the demo's flaky and rate-limited hosts answer by script, once.
    with build_demo_web() as web:
        single = run_linkaudit(
            "check",
            str(articles),
            "-f",
            "json",
            "-o",
            "single.json",
            "--no-store",
            *network_args(web),
            cwd=tmp_path,
        )
    assert single.returncode == 1, single.stderr  # the demo has dead links
    asked_by: dict[str, set[int]] = {}
    with build_demo_web() as web:
        hosts = [name for name, address in web.resolve.items() if address is not None]
        for index in (1, 2, 3):
            before = {name: len(_log(web, name)) for name in hosts}
            shard = run_linkaudit(
                "check",
                str(articles),
                "-f",
                "json",
                "-o",
                f"shard{index}.json",
                "--no-store",
                "--shard",
                f"{index}/3",
                *network_args(web),
                cwd=tmp_path,
            )
            assert shard.returncode in (0, 1), shard.stderr
            for name in hosts:
                for record in _log(web, name)[before[name] :]:
                    asked_by.setdefault(f"http://{name}{record.path}", set()).add(index)
    merged = run_linkaudit(
        "merge", "shard1.json", "shard3.json", "shard2.json", "-o", "merged.json", cwd=tmp_path
    )
    assert merged.returncode == 0, merged.stderr
    one = parse_report((tmp_path / "single.json").read_text(encoding="utf-8"))
    joined = parse_report((tmp_path / "merged.json").read_text(encoding="utf-8"))
    parts = [json.loads((tmp_path / f"shard{i}.json").read_text(encoding="utf-8")) for i in (1, 2, 3)]
    assert sum(1 for part in parts if part["urls"]) >= 2, "the demo's hosts are spread over the shards"
    assert [part["settings"]["shard"] for part in parts] == ["1/3", "2/3", "3/3"]
    cited = [entry["url"] for part in parts for entry in part["urls"]]
    assert sum(url in asked_by for url in cited) >= 15, "the requests were matched to the cited URLs"
    for index, part in enumerate(parts, 1):
        for entry in part["urls"]:
            target = Target(entry["url"])
            assert shard_index(target, 3) == index
            # Every cited URL of a host is requested by the host's shard alone (a redirect may lead another
            # shard's check to the host, but never to what this shard checks).
            if target.host:
                assert asked_by.get(entry["url"], {index}) == {index}, (entry["url"], asked_by[entry["url"]])
    assert {u["url"]: u["verdict"] for u in joined["urls"]} == {u["url"]: u["verdict"] for u in one["urls"]}
    assert without_clocks(joined) == without_clocks(one)
    assert sum(part["summary"]["links"] for part in parts) == one["summary"]["links"]


def _log(web: SimWeb, name: str) -> tuple[RequestRecord, ...]:
    try:
        return web.stats(name).log
    except KeyError:
        return ()  # a dead host: no server to count
