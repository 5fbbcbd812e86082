"""Fuzz the extractor, the URL normalizer and the report writers and readers with Hypothesis, for minutes.

The properties are in `tests/fuzz_properties.py` (what must hold for any input); this script runs them
far longer than CI could, in batches with fresh random seeds, splitting the time between the targets.
A counterexample is shrunk by Hypothesis and saved as `tests/fuzz_corpus/<target>-<hash>.json`, which
`tests/test_fuzz_corpus.py` replays in every test run. It prints what it ran and what it found.

    python benchmarks/fuzz.py --minutes 10            # the benchmark run (not in CI)
    python benchmarks/fuzz.py --minutes 1 --targets normalize
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from fuzz_properties import CHECKS, STRATEGIES  # noqa: E402

CORPUS = TESTS / "fuzz_corpus"
_WEIGHTS = {"extract": 0.5, "normalize": 0.25, "report": 0.25}


def _signature(exc: BaseException) -> str:
    """Where a failure comes from: its type and the innermost frame in linkaudit (or the property)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/linkaudit/" in f.filename] or frames[-1:]
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    return f"{type(exc).__name__} at {where}"


def save(case: dict[str, Any]) -> Path:
    text = json.dumps(case, ensure_ascii=True, sort_keys=True, indent=1) + "\n"
    path = CORPUS / f"{case['target']}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.json"
    CORPUS.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def fuzz(target: str, seconds: float, batch: int) -> tuple[int, dict[str, Path]]:
    """Run `target`'s property for `seconds`: examples tried, and one saved case per distinct failure."""
    check = CHECKS[target]
    tried = 0
    # The last case that failed each way: Hypothesis runs the shrunk example of each failure last.
    failing: dict[str, dict[str, Any]] = {}
    found: dict[str, Path] = {}

    @settings(
        max_examples=batch,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(STRATEGIES[target]())
    def run(case: dict[str, Any]) -> None:
        nonlocal tried
        tried += 1
        try:
            check(case)
        except Exception as exc:
            failing[_signature(exc)] = case
            raise

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        failing.clear()
        try:
            run()
        except Exception as exc:  # one failure, or a group of distinct ones
            errors = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
            for error in errors:
                signature = _signature(error)
                if signature not in found and signature in failing:
                    found[signature] = save(failing[signature])
                    print(
                        f"  {target}: {signature}: {found[signature].relative_to(TESTS.parent)}", flush=True
                    )
    return tried, found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="total time (default: 10)")
    parser.add_argument("--targets", default=",".join(CHECKS), help="comma-separated (default: all)")
    parser.add_argument("--batch", type=int, default=2000, help="examples per Hypothesis run")
    args = parser.parse_args()
    targets = [t for t in args.targets.split(",") if t]
    weight = sum(_WEIGHTS[t] for t in targets)
    rows = []
    for target in targets:
        seconds = args.minutes * 60 * _WEIGHTS[target] / weight
        started = time.monotonic()
        tried, found = fuzz(target, seconds, args.batch)
        took = time.monotonic() - started
        rows.append((target, took, tried, found))
    print("| target | time | examples | examples/s | distinct failures |")
    print("|---|---|---|---|---|")
    for target, took, tried, found in rows:
        print(f"| {target} | {took:.0f} s | {tried:,} | {tried / took:,.0f} | {len(found)} |")
    for target, _, _, found in rows:
        for signature, path in found.items():
            print(f"{target}: {signature}: {path.relative_to(TESTS.parent)}")


if __name__ == "__main__":
    main()
