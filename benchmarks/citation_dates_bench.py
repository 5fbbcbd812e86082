"""Citation dates from git: one `git log --name-status` walk against one `git log --follow` per file.

Builds a repository like the real archive's (articles added a few at a time over many commits, some
renamed later, none with a dateline), then times:

- `batched`: `linkaudit.archive.dates.git_added_dates` over every file (one walk per repository);
- `per-file`: `git log --follow --diff-filter=A --format=%aI -- FILE` for a sample of the files, the cost
  per file multiplied out to all of them;

and checks that both give every sampled file the same date. Wall-clock seconds, best of `--runs`.

    python benchmarks/citation_dates_bench.py                     # 5,000 files over 500 commits
    python benchmarks/citation_dates_bench.py --files 46000 --commits 2000 --sample 100
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from linkaudit.archive.dates import git_added_dates


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout


def build_repo(repo: Path, files: int, commits: int, renames: int, seed: int = 7) -> list[Path]:
    """A repository of `files` articles added over `commits` commits, `renames` of them renamed later."""
    rng = random.Random(seed)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "bench")
    _git(repo, "config", "user.email", "bench@localhost")
    start = datetime(2019, 1, 1, tzinfo=UTC)
    per_commit = max(1, files // commits)
    per_rename = max(1, renames // max(1, commits - commits // 2))
    renamed = 0
    paths: list[Path] = []
    for n in range(commits):
        batch = files - len(paths) if n == commits - 1 else per_commit
        for _ in range(batch):
            path = repo / "gnews" / f"{len(paths):07d}.md"
            path.parent.mkdir(exist_ok=True)
            body = f"## 文章 {len(paths)}\n` 作者` [轉載自GNews](https://gnews.org/{len(paths)}/)\n\n正文。\n"
            path.write_text(body * 20, encoding="utf-8")
            paths.append(path)
        if n >= commits // 2 and renamed < renames:  # later commits move some articles to another folder
            staying = [path for path in paths if path.parent.name == "gnews"]
            for old in rng.sample(staying, min(per_rename, renames - renamed, len(staying))):
                new = repo / "moved" / old.name
                new.parent.mkdir(exist_ok=True)
                _git(repo, "mv", str(old), str(new))
                paths[paths.index(old)] = new
                renamed += 1
        when = (start + timedelta(hours=7 * n)).isoformat()
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", f"articles {n}", env=env)
    return paths


def per_file(repo: Path, path: Path) -> str:
    out = _git(repo, "log", "--follow", "--diff-filter=A", "--format=%aI", "--", str(path.relative_to(repo)))
    return out.split()[-1]


def _seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=500)
    parser.add_argument("--renames", type=int, default=200)
    parser.add_argument("--sample", type=int, default=200, help="files timed one process each")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder)
        built = time.perf_counter()
        paths = build_repo(repo, args.files, args.commits, args.renames)
        took = time.perf_counter() - built
        print(f"repository: {len(paths)} files, {args.commits} commits ({took:.0f} s to build)")
        dates: dict[Path, object] = {}

        def batched() -> None:
            dates.update(git_added_dates(paths))

        batch_s = min(_seconds(batched) for _ in range(args.runs))
        sample = random.Random(1).sample(paths, min(args.sample, len(paths)))
        answers: dict[Path, str] = {}

        def one_each() -> None:
            for path in sample:
                answers[path] = per_file(repo, path)

        sample_s = _seconds(one_each)
        for path in sample:
            expected = datetime.fromisoformat(answers[path]).astimezone(UTC).date()
            assert dates[path] == expected, (path, dates[path], expected)
        print(f"batched:  {batch_s:8.2f} s for all {len(paths)} files ({len(dates)} dated)")
        print(
            f"per-file: {sample_s * len(paths) / len(sample):8.2f} s for all {len(paths)} files "
            f"({sample_s / len(sample) * 1000:.1f} ms each, measured on {len(sample)})"
        )
        print(f"same dates for all {len(sample)} sampled files")


if __name__ == "__main__":
    main()
